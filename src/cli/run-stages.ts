import type { RunDocument, RunStagesOptions } from '../api/run.js';
import { ExitCode } from '../core/errors.js';
import type { GlobalArgs } from './command.js';
import { databaseOptions } from './database-args.js';
import { hint } from './hints.js';
import { out } from './output.js';
import { parseDuration, parseSeconds } from './parse-duration.js';
import { createRunProgress } from './render/run-progress.js';

/** Flags shared by migrate, resume and restart. */
export interface RunFlags {
  readonly 'sql-dir': string;
  readonly wait: number;
  readonly heartbeat: string;
  readonly 'task-timeout'?: string;
  readonly encoding: string;
  readonly 'db-retry': string;
  /** resume only. */
  readonly 'allow-changed-tasks'?: boolean;
}

export const runFlagOptions = {
  'sql-dir': { type: 'string', default: 'sql', describe: 'folder holding <stage>/ task folders' },
  wait: {
    type: 'number',
    default: 0,
    describe: 'seconds to wait for a run lock held by another run (else exit 3 at once)',
  },
  heartbeat: { type: 'string', default: '5s', describe: 'how often the run record heartbeat is refreshed' },
  'task-timeout': { type: 'string', describe: 'cancel a task running longer than this (e.g. 30m) and fail its stage' },
  encoding: { type: 'string', default: 'utf-8', describe: 'encoding of the task files (utf-8 is checked strictly)' },
  'db-retry': {
    type: 'string',
    default: '30s',
    describe: 'while the database cannot be reached, retry status writes this long before exit 2',
  },
} as const;

/**
 * Runs stages from the CLI through the library API (`start` is migrate, resume or restart with
 * the command's own options): SIGINT/SIGTERM are turned into a recorded stop, progress is drawn,
 * and the result becomes the exit code (0, 1, 130, 143).
 */
export async function runStagesFromCli(
  args: GlobalArgs & RunFlags,
  start: (options: RunStagesOptions) => Promise<RunDocument>,
): Promise<number> {
  const heartbeatMs = parseDuration(args.heartbeat, '--heartbeat');
  const taskTimeoutMs = args['task-timeout'] ? parseDuration(args['task-timeout'], '--task-timeout', 1) : undefined;
  const waitSeconds = parseSeconds(args.wait, '--wait');
  const dbRetryMs = parseDuration(args['db-retry'], '--db-retry');
  const onEvent = await createRunProgress();
  const controller = new AbortController();
  // First signal: a recorded stop (statement cancelled, stage error, lock released).
  // Second: exit at once, by that signal.
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      controller.abort(signal);
      const again = signal === 'SIGINT' ? 'Ctrl-C' : signal;
      out.info(`dmr: ${signal}: stopping the run and recording it (${again} again exits at once)`);
      return;
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.kill(process.pid, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const document = await start({
      ...databaseOptions(args),
      sqlDir: args['sql-dir'],
      heartbeatMs,
      waitSeconds,
      ...(taskTimeoutMs !== undefined ? { taskTimeoutMs } : {}),
      dbRetryMs,
      encoding: args.encoding,
      signal: controller.signal,
      onEvent,
    });
    render(document, args.json);
    return exitCodeOf(document);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A run's exit code: 0, 1, 130/143 for a signal, 2 for a run that lost its hold (as ConnectionError). */
function exitCodeOf(result: Pick<RunDocument, 'outcome' | 'signal'>): number {
  switch (result.outcome) {
    case 'success':
      return ExitCode.ok;
    case 'lost':
      return ExitCode.usage;
    default:
      if (result.signal === 'SIGINT') return ExitCode.sigint;
      if (result.signal === 'SIGTERM') return ExitCode.sigterm;
      return ExitCode.answeredNo;
  }
}

function render(result: RunDocument, json: boolean): void {
  if (json) {
    out.json(result);
    return;
  }
  if (result.outcome === 'success')
    out.line(
      `run ${result.runId} completed in ${result.seconds.toFixed(1)}s: ` +
        `${result.stages.map((s) => `${s.stage} ${s.status}`).join(', ')}`,
    );
  else if (result.outcome === 'lost') {
    out.line(`run ${result.runId} stopped itself: ${result.error ?? ''}`);
    out.line(hint('  see `dmr status` and `dmr doctor`; once the cause is fixed, `dmr resume`'));
  } else {
    out.line(`run ${result.runId} ${result.outcome}: ${result.error ?? ''}`);
    out.line(hint('  see `dmr status` for the stages and history; fix the cause, then `dmr resume`'));
  }
}
