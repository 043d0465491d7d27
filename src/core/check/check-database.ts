import type { PreflightProbe, PrivilegeAnswer } from '../../adapters/preflight-probe.js';
import type { Database } from '../database.js';
import type { CheckItem, CheckState } from './check-types.js';

/** Clock offsets above these make heartbeat ages (and so doctor's liveness) wrong by as much. */
const clockWarningMs = 1_000;
const clockProblemMs = 5_000;

/** The server's clock minus ours, measured at the middle of one round trip. */
export async function clockOffsetMs(probe: PreflightProbe, database: Database): Promise<number> {
  const before = Date.now();
  const server = await probe.serverEpochMs(database.knex);
  const after = Date.now();
  return Math.round(server - (before + after) / 2);
}

export function clockItem(offsetMs: number): CheckItem {
  const size = Math.abs(offsetMs);
  const state: CheckState = size > clockProblemMs ? 'problem' : size > clockWarningMs ? 'warning' : 'ok';
  const direction = offsetMs >= 0 ? 'ahead of' : 'behind';
  return {
    id: 'clock',
    state,
    neededBy: ['doctor', 'status'],
    message:
      state === 'ok'
        ? `server clock within ${clockWarningMs} ms of this host's (${offsetMs} ms)`
        : `server clock ${size} ms ${direction} this host's: heartbeat ages and liveness are off by as much; ` +
          'sync the clocks (NTP)',
  };
}

/** A privilege answer as a check item: missing is a problem when the commands cannot do without it. */
export function privilegeItem(
  id: string,
  answer: PrivilegeAnswer,
  neededBy: readonly string[],
  severity: 'problem' | 'warning',
  what: string,
): CheckItem {
  const state: CheckState =
    answer.state === 'granted' || answer.state === 'not-applicable'
      ? 'ok'
      : answer.state === 'missing'
        ? severity
        : 'warning';
  const verb =
    answer.state === 'missing' ? 'missing' : answer.state === 'unknown' ? 'could not be confirmed' : 'present';
  const needed = neededBy.join(', ');
  const message =
    answer.state === 'not-applicable'
      ? `${what}: ${answer.detail}`
      : `${what}: ${answer.detail} ${verb}${answer.state === 'missing' ? ` (needed by ${needed}): grant it` : ''}`;
  return { id, state, neededBy, message };
}

/** Runs one probe question; a query the server refuses is an unknown answer, not a crash. */
export async function ask(
  question: () => Promise<PrivilegeAnswer>,
  describe: (error: unknown) => string,
): Promise<PrivilegeAnswer> {
  try {
    return await question();
  } catch (error) {
    return { state: 'unknown', detail: `the check failed (${describe(error)})` };
  }
}
