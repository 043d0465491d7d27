import { writeFile } from 'node:fs/promises';
import { compareDatabases, recordVerdict, VerifyQueryError } from '../../api/verify.js';
import { DmrError, ExitCode, UsageError } from '../../core/errors.js';
import { verificationDocument } from '../../core/verify/verification-document.js';
import { assertName, parseColumnList, parseTableMapping } from '../../core/verify/verify-names.js';
import {
  verifyModes,
  type ColumnOverride,
  type TableKey,
  type VerifyMode,
  type VerifyResult,
} from '../../core/verify/verify-types.js';
import { defineCommand, type GlobalArgs } from '../command.js';
import { databaseOptions } from '../database-args.js';
import { out } from '../output.js';
import { verifyJunit, verifyJunitError } from '../render/verify-junit.js';
import { verifyProgress } from '../render/verify-progress.js';
import { verifyText } from '../render/verify-text.js';

type Format = 'text' | 'json' | 'junit';

/** The format of stdout, and of the --out file when one is given. */
interface ReportFormats {
  readonly stdout: Format;
  readonly file: Format | null;
}

export interface VerifyArgs {
  readonly source: string;
  readonly target: string;
  readonly table?: string[];
  readonly 'source-schema'?: string;
  readonly 'target-schema'?: string;
  readonly key?: string | string[];
  readonly 'exclude-table'?: string[];
  readonly columns?: string;
  readonly 'exclude-columns'?: string;
  readonly where?: string;
  readonly mode: VerifyMode;
  readonly 'max-diffs': number;
  readonly format?: Format;
  readonly out?: string;
  readonly parallel: number;
  readonly 'float-digits'?: number;
  readonly 'timestamp-precision'?: number;
  readonly 'trim-trailing-spaces': boolean;
  readonly 'ignore-case': boolean;
  readonly override?: string[];
  readonly redact: boolean;
  readonly record: boolean;
}

/** `[table.]column=float-digits:N,timestamp-precision:N,trim-trailing-spaces,ignore-case,exact`. */
export function parseOverride(spec: string): ColumnOverride {
  const [target = '', rules = ''] = spec.split('=', 2);
  const [first = '', second] = target.split('.');
  const column = assertName(second ?? first, '--override');
  const result: { -readonly [K in keyof ColumnOverride]: ColumnOverride[K] } = {
    column,
    ...(second !== undefined ? { table: assertName(first, '--override') } : {}),
  };
  for (const rule of rules
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)) {
    const [name, value] = rule.split(':');
    const n = Number(value);
    if (name === 'float-digits' && Number.isInteger(n) && n >= 1 && n <= 15) result.floatDigits = n;
    else if (name === 'timestamp-precision' && Number.isInteger(n) && n >= 0 && n <= 6) result.timestampPrecision = n;
    else if (name === 'trim-trailing-spaces') result.trimTrailingSpaces = true;
    else if (name === 'ignore-case') result.ignoreCase = true;
    else if (name === 'exact') Object.assign(result, { trimTrailingSpaces: false, ignoreCase: false });
    else
      throw new UsageError(
        `--override ${JSON.stringify(spec)}: unknown rule ${JSON.stringify(rule)}`,
        'rules: float-digits:1..15, timestamp-precision:0..6, trim-trailing-spaces, ignore-case, exact',
      );
  }
  return result;
}

/** `--key COLS` (one table) and `--key TABLE=COLS` (repeatable). */
function parseKeys(specs: readonly string[]): { key?: string[]; tableKeys: TableKey[] } {
  const tableKeys: TableKey[] = [];
  let key: string[] | undefined;
  for (const spec of specs) {
    const [table, columns, extra] = spec.split('=');
    if (extra !== undefined) {
      const hint = 'use --key COL[,COL...] or --key TABLE=COL[,COL...]';
      throw new UsageError(`--key ${JSON.stringify(spec)} has more than one '='`, hint);
    }
    if (columns === undefined) {
      const hint = 'give each table its key with --key TABLE=COL[,COL...]';
      if (key) throw new UsageError('--key COLS is given twice', hint);
      key = parseColumnList(spec, '--key');
    } else {
      tableKeys.push({ table: assertName((table ?? '').trim(), '--key'), columns: parseColumnList(columns, '--key') });
    }
  }
  return { ...(key ? { key } : {}), tableKeys };
}

/**
 * What goes to stdout and what to --out: --format names the file's format when --out is given, stdout's
 * otherwise; --json is stdout's.
 */
export function reportFormats(args: Pick<VerifyArgs, 'format' | 'out'> & { readonly json: boolean }): ReportFormats {
  if (args.out) return { stdout: args.json ? 'json' : 'text', file: args.format ?? (args.json ? 'json' : 'text') };
  if (args.json && args.format && args.format !== 'json') {
    throw new UsageError(
      `--json and --format ${args.format} ask for two formats on stdout`,
      `drop one, or write the ${args.format} report to a file with --out FILE`,
    );
  }
  return { stdout: args.format ?? (args.json ? 'json' : 'text'), file: null };
}

function render(result: VerifyResult, format: Format, redact: boolean): string {
  if (format === 'json') return `${JSON.stringify(verificationDocument(result, redact), null, 2)}\n`;
  if (format === 'junit') return verifyJunit(result, redact);
  return `${verifyText(result, { redact })}\n`;
}

/**
 * SIGINT/SIGTERM abort the verify (its server queries are cancelled, then exit 130/143); a
 * second signal ends the process at once, by that signal.
 */
function stopOnSignals(controller: AbortController, onFirst: (signal: NodeJS.Signals) => void): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      detach();
      process.kill(process.pid, signal);
      return;
    }
    stopping = true;
    onFirst(signal);
    const message = `verify stopped by ${signal}: its queries were cancelled on the servers; nothing was changed`;
    controller.abort(new DmrError(message, signal === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm));
  };
  const detach = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return detach;
}

/**
 * Flags -> library verify -> report; returns 0 equal, 1 differences or tables not compared (exit 2 comes from
 * thrown UsageError/ConnectionError).
 */
export async function runVerifyCommand(args: GlobalArgs & VerifyArgs): Promise<number> {
  const formats = reportFormats(args);
  try {
    return await verifyAndReport(args, formats);
  } catch (error) {
    if (args.verbose && error instanceof VerifyQueryError) out.info(`generated SQL:\n${error.sql}`);
    if (error instanceof DmrError) {
      const report = verifyJunitError(error.message, error.exitCode, new Date());
      if (formats.file === 'junit' && args.out) await writeFile(args.out, report);
      else if (formats.stdout === 'junit') process.stdout.write(report);
    }
    throw error;
  }
}

async function verifyAndReport(args: GlobalArgs & VerifyArgs, formats: ReportFormats): Promise<number> {
  const tables = (args.table ?? []).map(parseTableMapping);
  const { key, tableKeys } = parseKeys(args.key === undefined ? [] : [args.key].flat());
  const excludeTables = args['exclude-table'] ?? [];
  const columns = args.columns ? parseColumnList(args.columns, '--columns') : undefined;
  const excludeColumns = args['exclude-columns']
    ? parseColumnList(args['exclude-columns'], '--exclude-columns', true)
    : undefined;
  if (columns && excludeColumns)
    throw new UsageError('--columns and --exclude-columns cannot be combined', 'pass one of them');
  const overrides = (args.override ?? []).map(parseOverride);
  const sourceSchema = args['source-schema'] ? assertName(args['source-schema'], '--source-schema') : undefined;
  const targetSchema = args['target-schema'] ? assertName(args['target-schema'], '--target-schema') : undefined;

  const progress = await verifyProgress();
  const controller = new AbortController();
  const detach = stopOnSignals(controller, (signal) => {
    progress.stop();
    const again = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    out.info(`dmr: ${signal}: cancelling the verify queries on the servers (${again} again exits at once)`);
  });
  try {
    const result = await compareDatabases({
      source: args.source,
      target: args.target,
      ...(sourceSchema ? { sourceSchema } : {}),
      ...(targetSchema ? { targetSchema } : {}),
      ...(args.knexfile ? { knexfile: args.knexfile } : {}),
      ...(tables.length ? { tables } : {}),
      ...(key ? { key } : {}),
      ...(tableKeys.length ? { tableKeys } : {}),
      ...(excludeTables.length ? { excludeTables } : {}),
      ...(columns ? { columns } : {}),
      ...(excludeColumns ? { excludeColumns } : {}),
      ...(args.where ? { where: args.where } : {}),
      mode: args.mode,
      maxDiffs: args['max-diffs'],
      parallel: args.parallel,
      ...(args['float-digits'] !== undefined ? { floatDigits: args['float-digits'] } : {}),
      ...(args['timestamp-precision'] !== undefined ? { timestampPrecision: args['timestamp-precision'] } : {}),
      trimTrailingSpaces: args['trim-trailing-spaces'],
      ignoreCase: args['ignore-case'],
      overrides,
      onEvent: progress.onEvent,
      signal: controller.signal,
    });
    progress.stop();
    for (const t of result.tables) {
      if (args.verbose && t.failedSql) out.info(`generated SQL refused for ${t.table}:\n${t.failedSql}`);
    }
    if (args.record) {
      const recorded = await recordVerdict(databaseOptions(args), result);
      out.info(`recorded as verification ${recorded.id} in ${recorded.database}`);
    }
    if (formats.file && args.out) {
      await writeFile(args.out, render(result, formats.file, args.redact));
      out.info(`wrote ${formats.file} report to ${args.out}`);
    }
    const report = render(result, formats.stdout, args.redact);
    if (formats.stdout === 'json') out.document(report);
    else process.stdout.write(report);
    return result.status === 'equal' ? ExitCode.ok : ExitCode.answeredNo;
  } finally {
    progress.stop();
    detach();
  }
}

export const verifyCommand = defineCommand<VerifyArgs>({
  command: 'verify',
  describe:
    'compare table data between two databases (counts, in-database checksums, differing rows); exit 1 on differences',
  builder: (y) =>
    y
      .option('source', {
        type: 'string',
        demandOption: true,
        describe: 'source: a URL (contains ":") or a knexfile environment name',
      })
      .option('target', {
        type: 'string',
        demandOption: true,
        describe: 'target: a URL or a knexfile environment name',
      })
      .option('table', {
        type: 'string',
        array: true,
        describe: 'NAME or NAME=TARGET_NAME (repeatable; default: every table on both sides)',
      })
      .option('source-schema', { type: 'string', describe: 'schema (MySQL: database) of the source tables' })
      .option('target-schema', { type: 'string', describe: 'schema (MySQL: database) of the target tables' })
      .option('key', {
        type: 'string',
        array: true,
        describe:
          'TABLE=COLS: key columns of a table (repeatable); COLS alone: of the one table compared ' +
          '(default: the primary or a unique key; none: rows compared as multisets)',
      })
      .option('exclude-table', {
        type: 'string',
        array: true,
        describe: 'leave out tables matching this glob (* ? [abc]; repeatable); dmr status tables are always left out',
      })
      .option('columns', { type: 'string', describe: 'compare only these columns (comma-separated)' })
      .option('exclude-columns', { type: 'string', describe: 'compare all columns but these (column or table.column)' })
      .option('where', { type: 'string', describe: 'SQL condition applied on both sides' })
      .option('mode', {
        choices: verifyModes,
        default: 'checksum' as VerifyMode,
        describe: 'count, checksum (counts, checksums, then differing rows) or rows (every row)',
      })
      .option('max-diffs', { type: 'number', default: 100, describe: 'differences listed per table (all are counted)' })
      .option('format', {
        choices: ['text', 'json', 'junit'] as const,
        describe: 'report format: of --out FILE when given, else of stdout (default text; --json means json)',
      })
      .option('out', {
        type: 'string',
        describe: 'write the report to FILE in --format; stdout gets the text report, or JSON with --json',
      })
      .option('parallel', { type: 'number', default: 2, describe: 'tables compared at the same time' })
      .option('float-digits', {
        type: 'number',
        describe: 'significant digits floats are compared at (1..15, default 15)',
      })
      .option('timestamp-precision', {
        type: 'number',
        describe: 'fractional second digits timestamps are compared at (default: the lower declared precision)',
      })
      .option('trim-trailing-spaces', {
        type: 'boolean',
        default: false,
        describe: 'ignore trailing spaces in strings',
      })
      .option('ignore-case', { type: 'boolean', default: false, describe: 'compare strings case-insensitively' })
      .option('override', {
        type: 'string',
        array: true,
        describe:
          '[table.]column=rule,... with float-digits:N, timestamp-precision:N, trim-trailing-spaces, ' +
          'ignore-case, exact',
      })
      .option('redact', {
        type: 'boolean',
        default: false,
        describe: 'hide values in reports (keys and column names stay)',
      })
      .option('record', {
        type: 'boolean',
        default: false,
        describe: 'store the verdict in DataMigrationVerifications of the status database (--url/--env, --schema)',
      })
      .check((a) => {
        if (!Number.isInteger(a.parallel) || a.parallel < 1)
          throw new UsageError('--parallel must be a positive integer');
        if (!Number.isInteger(a['max-diffs']) || a['max-diffs'] < 0)
          throw new UsageError('--max-diffs must be a non-negative integer');
        const fd = a['float-digits'];
        if (fd !== undefined && (!Number.isInteger(fd) || fd < 1 || fd > 15))
          throw new UsageError('--float-digits must be 1..15');
        const tp = a['timestamp-precision'];
        if (tp !== undefined && (!Number.isInteger(tp) || tp < 0 || tp > 6))
          throw new UsageError('--timestamp-precision must be 0..6');
        return true;
      }) as never,
  run: (args) => runVerifyCommand(args),
});
