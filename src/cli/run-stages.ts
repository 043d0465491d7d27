import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { runDocument } from '../api/run.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { runMigration } from '../core/runner/run-migration.js';
import type { RunOptions, RunResult } from '../core/runner/run-options.js';
import type { StageSelection } from '../core/runner/select-stages.js';
import type { GlobalArgs } from './command.js';
import { withStore, whoAmI } from './open-store.js';
import { hint } from './hints.js';
import { out } from './output.js';
import { encodingName } from '../core/tasks/read-task-text.js';
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
 * Runs stages from the CLI: SIGINT/SIGTERM are turned into a recorded stop, progress is drawn,
 * and the result becomes the exit code (0, 1, 130, 143).
 */
export async function runStagesFromCli(
  args: GlobalArgs & RunFlags,
  selection: StageSelection,
  command: RunOptions['command'],
  fromTask?: string,
): Promise<number> {
  const sqlDir = path.resolve(args['sql-dir']);
  if (!existsSync(sqlDir))
    throw new UsageError(
      `task directory not found: ${sqlDir}`,
      'pass --sql-dir, or run from the project folder that holds sql/<stage>/',
    );
  if (!statSync(sqlDir).isDirectory()) {
    throw new UsageError(`--sql-dir ${sqlDir} is not a directory`, 'pass the folder that holds one folder per stage');
  }
  const heartbeatMs = parseDuration(args.heartbeat, '--heartbeat');
  if (heartbeatMs < 50) throw new UsageError('--heartbeat must be at least 50ms');
  const taskTimeoutMs = args['task-timeout'] ? parseDuration(args['task-timeout'], '--task-timeout', 1) : undefined;
  const waitSeconds = parseSeconds(args.wait, '--wait');
  const dbRetryMs = parseDuration(args['db-retry'], '--db-retry');
  const encoding = encodingName(args.encoding);
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
    const result = await withStore(
      args,
      (store) =>
        runMigration({
          store,
          sqlDir,
          selection,
          fromTask,
          command,
          heartbeatMs,
          waitSeconds,
          taskTimeoutMs,
          dbRetryMs,
          encoding,
          ...(args.knexfile ? { knexfile: args.knexfile } : {}),
          allowChangedTasks: args['allow-changed-tasks'] ?? false,
          signal: controller.signal,
          ...whoAmI(),
          onEvent,
        }),
      6,
    );
    render(result, args.json);
    return exitCodeOf(result);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A run's exit code: 0, 1, 130/143 for a signal, 2 for a run that lost its hold (as ConnectionError). */
function exitCodeOf(result: Pick<RunResult, 'outcome' | 'signal'>): number {
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

function render(result: RunResult, json: boolean): void {
  if (json) {
    out.json(runDocument(result));
    return;
  }
  if (result.outcome === 'success')
    out.line(
      `run ${result.runId} completed in ${result.seconds.toFixed(1)}s: ${result.stages.map((s) => `${s.stage} ${s.status}`).join(', ')}`,
    );
  else if (result.outcome === 'lost') {
    out.line(`run ${result.runId} stopped itself: ${result.error ?? ''}`);
    out.line(hint('  see `dmr status` and `dmr doctor`; once the cause is fixed, `dmr resume`'));
  } else {
    out.line(`run ${result.runId} ${result.outcome}: ${result.error ?? ''}`);
    out.line(hint('  see `dmr status` for the stages and history; fix the cause, then `dmr resume`'));
  }
}
