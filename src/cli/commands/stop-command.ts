import { ExitCode } from '../../core/errors.js';
import { requestStop, waitForRunEnd } from '../../core/jobs/request-stop.js';
import { defineCommand } from '../command.js';
import { whoAmI, withStore } from '../open-store.js';
import { hint } from '../hints.js';
import { out } from '../output.js';
import { parseDuration } from '../parse-duration.js';
import { probeProcess } from './doctor-command.js';

interface StopFlags {
  readonly timeout: string;
}

export const stopCommand = defineCommand<StopFlags>({
  command: 'stop',
  describe: 'ask the live run to stop (it cancels its statement and records Stopped) and wait until it has',
  builder: (y) => y.option('timeout', { type: 'string', default: '60s', describe: 'how long to wait for the run to end' }) as never,
  run: (args) =>
    withStore(args, async (store) => {
      const timeoutMs = parseDuration(args.timeout, '--timeout');
      const { user, host } = whoAmI();
      const run = await requestStop(store, `${user}@${host}`, probeProcess);
      if (!args.json) out.info(`stop requested for run ${run.runId} (${run.command} by ${run.userName} on ${run.host}, pid ${run.pid}); waiting up to ${args.timeout}`);
      const end = await waitForRunEnd(store, run.runId, { timeoutMs, probeProcess });
      const ended = end.run;
      if (args.json) out.json({ runId: run.runId, outcome: end.outcome, jobStatus: ended?.jobStatus ?? null, finishedAt: ended?.finishedAt?.toISOString() ?? null, error: ended?.errorText ?? null });
      else if (end.outcome === 'ended') out.line(`run ${run.runId} ${ended?.jobStatus ?? 'ended'}${ended?.errorText ? `: ${ended.errorText}` : ''}`);
      else if (end.outcome === 'died') out.line(hint(`run ${run.runId}'s runner died before recording its end: run \`dmr doctor\``));
      else out.line(hint(`run ${run.runId} has not ended after ${args.timeout}; the stop stays requested: check \`dmr status\``));
      return end.outcome === 'ended' ? ExitCode.ok : ExitCode.answeredNo;
    }),
});
