import { copyTables, planCopyRun, type CopyOptions } from '../../api/copy.js';
import { parseCast } from '../../core/copy/cast-spec.js';
import type { CopyMode, CopyResult } from '../../core/copy/copy-types.js';
import { ExitCode, UsageError } from '../../core/errors.js';
import { assertIdentifier } from '../../core/identifiers.js';
import { plural } from '../../core/plural.js';
import { assertName, parseTableMapping } from '../../core/verify/verify-names.js';
import { defineCommand, type GlobalArgs } from '../command.js';
import { databaseOptions } from '../database-args.js';
import { out } from '../output.js';
import { copyProgress } from '../render/copy-progress.js';
import { copyDocument, copySummaryText } from '../render/copy-summary.js';

export interface CopyArgs {
  readonly source: string;
  readonly target: string;
  readonly table?: string[];
  readonly 'source-schema'?: string;
  readonly 'target-schema'?: string;
  readonly where?: string;
  readonly create: boolean;
  readonly truncate: boolean;
  readonly append: boolean;
  readonly 'chunk-rows': number;
  readonly parallel: number;
  readonly rejects?: string;
  readonly 'retry-rejects': boolean;
  readonly plan: boolean;
  readonly verify: boolean;
  readonly cast?: string[];
}

function modeOf(args: CopyArgs): CopyMode {
  const chosen = (['create', 'truncate', 'append'] as const).filter((m) => args[m]);
  if (chosen.length > 1)
    throw new UsageError(
      `--${chosen.join(' and --')} cannot be combined`,
      'pass one of --create, --truncate, --append (the default)',
    );
  return chosen[0] ?? 'append';
}

function exitCodeOf(result: CopyResult): number {
  if (result.status === 'stopped') return result.signal === 'SIGTERM' ? ExitCode.sigterm : ExitCode.sigint;
  if (result.status !== 'copied') return ExitCode.answeredNo;
  return result.verify && result.verify.status !== 'equal' ? ExitCode.answeredNo : ExitCode.ok;
}

/**
 * Flags -> library copy -> progress, summary and exit code (0 copied, 1 rejects or counts differ, 2 usage, 3 lock,
 * 130/143 signals).
 */
export async function runCopyCommand(args: GlobalArgs & CopyArgs): Promise<number> {
  const tables = (args.table ?? []).map(parseTableMapping);
  const casts = (args.cast ?? []).map(parseCast);
  const sourceSchema = args['source-schema'] ? assertName(args['source-schema'], '--source-schema') : undefined;
  const targetSchema = args['target-schema'] ? assertName(args['target-schema'], '--target-schema') : undefined;
  if (args.schema !== undefined) assertIdentifier(args.schema, '--schema');
  const mode = modeOf(args);
  if (args['retry-rejects'] && args.plan) throw new UsageError('--retry-rejects and --plan cannot be combined');

  const progress = await copyProgress();
  const controller = new AbortController();
  // The first signal cancels the copy's statements and records the stop; a second ends the process at once, by that
  // signal (a handler for SIGINT replaces its default, so without this a second Ctrl-C would do nothing).
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      detach();
      process.kill(process.pid, signal);
      return;
    }
    const again = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    out.info(`dmr: ${signal}: cancelling the copy's statements on the servers (${again} again exits at once)`);
    controller.abort(signal);
  };
  const detach = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const options: CopyOptions = {
      source: args.source,
      target: args.target,
      ...(sourceSchema ? { sourceSchema } : {}),
      ...(targetSchema ? { targetSchema } : {}),
      ledger: databaseOptions(args),
      ...(args.knexfile ? { knexfile: args.knexfile } : {}),
      ...(tables.length ? { tables } : {}),
      ...(args.where ? { where: args.where } : {}),
      mode,
      chunkRows: args['chunk-rows'],
      parallel: args.parallel,
      casts,
      verify: args.verify,
      ...(args['retry-rejects'] ? { retryRejects: true } : {}),
      signal: controller.signal,
      onEvent: progress.onEvent,
      ...(args.rejects ? { rejects: args.rejects } : {}),
    };
    if (args.plan) {
      const plan = await planCopyRun(options);
      progress.stop();
      if (args.json) out.json(plan);
      else {
        for (const t of plan.tables) {
          out.line(
            `${t.table} -> ${t.targetTable}${t.targetExists ? ' (exists)' : ''}: ` +
              `${plural(t.sourceRows, 'row')}, ${plural(t.chunks, `${t.chunkKind} chunk`)}, key ` +
              `${t.key.join(', ') || '(none)'}`,
          );
          for (const c of t.columns)
            out.line(`  ${c.name}: ${c.sourceDeclared} -> ${c.targetDeclared}${c.cast ? ' (--cast)' : ''}`);
          for (const ddl of t.ddl) out.line(`  ${ddl};`);
        }
        out.line('nothing was changed (--plan)');
      }
      return ExitCode.ok;
    }
    const result = await copyTables(options);
    progress.stop();
    if (args.json) out.json(copyDocument(result));
    else copySummaryText(result);
    return exitCodeOf(result);
  } finally {
    progress.stop();
    detach();
  }
}

export const copyCommand = defineCommand<CopyArgs>({
  command: 'copy',
  describe:
    'copy tables between databases in resumable keyset chunks with type mapping; exit 1 on ' +
    'rejected rows or differing counts',
  builder: (y) =>
    y
      .option('source', {
        type: 'string',
        demandOption: true,
        describe:
          'source: a URL (contains ":"), env:NAME (a URL in that environment variable) or a knexfile environment name',
      })
      .option('target', {
        type: 'string',
        demandOption: true,
        describe: 'target: a URL, env:NAME or a knexfile environment name',
      })
      .option('table', {
        type: 'string',
        array: true,
        describe: 'NAME or NAME=TARGET_NAME (repeatable; default: every table of the source schema)',
      })
      .option('source-schema', { type: 'string', describe: 'schema (MySQL: database) of the source tables' })
      .option('target-schema', { type: 'string', describe: 'schema (MySQL: database) of the target tables' })
      .option('where', { type: 'string', describe: 'SQL condition selecting the source rows to copy' })
      .option('create', {
        type: 'boolean',
        default: false,
        describe: 'create missing target tables from the mapped types',
      })
      .option('truncate', {
        type: 'boolean',
        default: false,
        describe: 'empty existing target tables first (not when resuming)',
      })
      .option('append', { type: 'boolean', default: false, describe: 'add rows to existing tables (the default)' })
      .option('chunk-rows', {
        type: 'number',
        default: 100_000,
        describe: 'rows per chunk (one target transaction each)',
      })
      .option('parallel', { type: 'number', default: 2, describe: 'chunks copied at the same time' })
      .option('rejects', { type: 'string', describe: 'write rows the target refused to this CSV file' })
      .option('retry-rejects', {
        type: 'boolean',
        default: false,
        describe: 'reprocess only the rows rejected by the last copy',
      })
      .option('plan', {
        type: 'boolean',
        default: false,
        describe: 'print the mapped DDL and the chunk plan; change nothing',
      })
      .option('verify', { type: 'boolean', default: false, describe: 'run dmr verify on the copied tables afterwards' })
      .option('cast', {
        type: 'string',
        array: true,
        describe: '[TABLE.]COLUMN=TYPE: the target type of a column (repeatable)',
      })
      .check((a) => {
        if (!Number.isInteger(a.parallel) || a.parallel < 1)
          throw new UsageError('--parallel must be a positive integer');
        if (!Number.isInteger(a['chunk-rows']) || a['chunk-rows'] < 1)
          throw new UsageError('--chunk-rows must be a positive integer');
        return true;
      }) as never,
  run: (args) => runCopyCommand(args),
});
