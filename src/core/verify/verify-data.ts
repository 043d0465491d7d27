import type { HashSession } from '../../adapters/row-hash-dialect.js';
import { redactSecrets } from '../../config/redact.js';
import { ConnectionError, DmrError, UsageError } from '../errors.js';
import { VerifyQueryError } from './query-failure.js';
import { dialectNamed } from '../../adapters/dialects.js';
import { selectTables, tableGlob } from './table-selection.js';
import { assertName, parseColumnList } from './verify-names.js';
import { verifyTable, type SideContext, type TablePair } from './verify-table.js';
import type {
  TableStatus,
  TableVerdict,
  VerifyOptions,
  VerifyResult,
  VerifySide,
  VerifyStatus,
} from './verify-types.js';

/**
 * `dmr verify`: compares tables of two databases. Differences are the result, not errors.
 * Bad names, a missing schema or table, nothing to compare, and (for tables named with --table)
 * a column that cannot be compared or a query the database refuses throw UsageError before or
 * instead of a verdict; comparing whole schemas, such a table is reported `skipped` and the
 * others are still compared. Aborting `options.signal` cancels the queries on the servers.
 */
export async function verifyData(options: VerifyOptions): Promise<VerifyResult> {
  const startedAt = new Date();
  validateNames(options);
  const src = await sideContext(options.source, 'source');
  const tgt = await sideContext(options.target, 'target');
  const selection = await selectTables(options, src, tgt);
  options.signal?.throwIfAborted();
  const keyOf = keyResolver(options, selection.pairs);
  const wholeSchema = !options.tables?.length;

  const verdicts: TableVerdict[] = [
    ...selection.onlyInSource.map((t) => oneSided(t, t, 'only_in_source', null)),
    ...selection.onlyInTarget.map((t) => oneSided(t, t, 'only_in_target', null)),
    ...selection.skipped.map((s) => oneSided(s.table, s.targetTable, 'skipped', s.reason)),
  ];
  const estimates = selection.pairs.map((p) => p.source.estimatedRows);
  options.onEvent?.({
    type: 'plan',
    tables: selection.pairs.length,
    ...(estimates.every((e) => e !== undefined)
      ? { estimatedRows: estimates.reduce((a: number, e) => a + (e ?? 0), 0) }
      : {}),
  });

  // One abort for the user's signal and for a fatal error in any table: the others' queries are cancelled too.
  const stop = new AbortController();
  const forward = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', forward, { once: true });
  const sessions = new Set<HashSession>();
  const cancels: Promise<void>[] = [];
  stop.signal.addEventListener(
    'abort',
    () => cancels.push(...[...sessions].map((s) => s.cancel().catch(() => undefined))),
    { once: true },
  );
  const tableOptions: VerifyOptions = { ...options, signal: stop.signal };
  let fatal: { error: unknown } | null = null;

  const queue = [...selection.pairs];
  const worker = async () => {
    for (let pair = queue.shift(); pair && !stop.signal.aborted; pair = queue.shift()) {
      const key = keyOf(pair);
      options.onEvent?.({
        type: 'table-start',
        table: pair.source.name,
        ...(pair.source.estimatedRows !== undefined ? { estimatedRows: pair.source.estimatedRows } : {}),
      });
      try {
        const verdict = await verifyTable(pair, src, tgt, { ...tableOptions, key }, sessions);
        options.onEvent?.({ type: 'table-done', verdict });
        verdicts.push(verdict);
      } catch (error) {
        if (stop.signal.aborted) return;
        if (wholeSchema && error instanceof UsageError) {
          const verdict = oneSided(
            pair.source.name,
            pair.target.name,
            'skipped',
            error.message,
            error instanceof VerifyQueryError ? error.sql : undefined,
          );
          options.onEvent?.({ type: 'table-done', verdict });
          verdicts.push(verdict);
          continue;
        }
        fatal = { error: asDmrError(error, pair) };
        stop.abort(fatal.error);
        return;
      }
    }
  };
  try {
    await Promise.allSettled(
      Array.from({ length: Math.max(1, Math.min(options.parallel ?? 2, selection.pairs.length || 1)) }, worker),
    );
    await Promise.allSettled(cancels);
  } finally {
    options.signal?.removeEventListener('abort', forward);
  }
  if (options.signal?.aborted) throw options.signal.reason;
  if (fatal) throw (fatal as { error: unknown }).error;

  const order = (v: TableVerdict) => `${v.table}\u0000${v.targetTable}`;
  verdicts.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return {
    source: options.source.display,
    target: options.target.display,
    mode: options.mode ?? 'checksum',
    status: overallStatus(verdicts),
    tables: verdicts,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
  };
}

function overallStatus(verdicts: readonly TableVerdict[]): VerifyStatus {
  if (verdicts.some((v) => v.status !== 'equal' && v.status !== 'skipped')) return 'different';
  return verdicts.some((v) => v.status === 'skipped') ? 'incomplete' : 'equal';
}

function asDmrError(error: unknown, pair: TablePair): unknown {
  if (error instanceof DmrError) return error;
  return new ConnectionError(
    `verifying ${pair.source.name} failed: ${redactSecrets((error as Error)?.message ?? String(error))}`,
    'a database failed or refused a query part-way; nothing was changed: re-run dmr verify',
    { cause: error },
  );
}

/**
 * The key for a pair: its `--key TABLE=COLS`, else a plain `--key COLS` when exactly one table is compared, else
 * the catalog's.
 */
function keyResolver(
  options: VerifyOptions,
  pairs: readonly TablePair[],
): (pair: TablePair) => readonly string[] | undefined {
  const named = (name: string, pair: TablePair) =>
    [pair.source.name, pair.target.name].some((n) => n.toLowerCase() === name.toLowerCase());
  for (const k of options.tableKeys ?? []) {
    if (!pairs.some((p) => named(k.table, p)))
      throw new UsageError(
        `--key ${k.table}=${k.columns.join(',')}: no table ${JSON.stringify(k.table)} is compared`,
        'name a compared table: --key TABLE=COL[,COL...]',
      );
  }
  if (options.key?.length && pairs.length > 1) {
    throw new UsageError(
      `--key ${options.key.join(',')} names one table's key, but ${pairs.length} tables are compared`,
      'give each table its key with --key TABLE=COL[,COL...], or compare one table with --table',
    );
  }
  return (pair) =>
    options.tableKeys?.find((k) => named(k.table, pair))?.columns ?? (options.key?.length ? options.key : undefined);
}

function validateNames(options: VerifyOptions): void {
  for (const t of options.tables ?? []) {
    assertName(t.source, '--table');
    assertName(t.target, '--table');
  }
  parseColumnList(options.key ?? [], '--key');
  for (const k of options.tableKeys ?? []) {
    assertName(k.table, '--key');
    parseColumnList(k.columns, '--key');
  }
  (options.excludeTables ?? []).forEach(tableGlob);
  parseColumnList(options.columns ?? [], '--columns');
  parseColumnList(options.excludeColumns ?? [], '--exclude-columns', true);
  for (const o of options.overrides ?? [])
    parseColumnList(o.table ? `${o.table}.${o.column}` : o.column, '--override', true);
  if (options.source.schema) assertName(options.source.schema, '--source-schema');
  if (options.target.schema) assertName(options.target.schema, '--target-schema');
}

/** The side's dialect and schema; a schema named with --source-schema/--target-schema must exist. */
async function sideContext(side: VerifySide, label: 'source' | 'target'): Promise<SideContext> {
  const dialect = dialectNamed(side.dialect).rowHash;
  if (side.schema && !(await dialect.schemaExists(side.knex, side.schema))) {
    const known = await dialect.listSchemas(side.knex).catch(() => []);
    throw new UsageError(
      `the ${label} schema ${JSON.stringify(side.schema)} does not exist in ${side.display} ` +
        '(or this role cannot see it)',
      `check --${label}-schema${known.length ? `; schemas there: ${known.slice(0, 20).join(', ')}` : ''}`,
    );
  }
  return { side, dialect, schema: side.schema ?? (await dialect.currentSchema(side.knex)) };
}

function oneSided(
  table: string,
  targetTable: string,
  status: Exclude<TableStatus, 'equal' | 'different'>,
  reason: string | null,
  failedSql?: string,
): TableVerdict {
  return {
    table,
    targetTable,
    status,
    sourceRows: null,
    targetRows: null,
    comparison: 'key',
    keyColumns: [],
    comparedColumns: [],
    numericColumns: [],
    missingInTarget: [],
    extraInTarget: [],
    changed: [],
    duplicatesInSource: [],
    duplicatesInTarget: [],
    missingRows: [],
    extraRows: [],
    differenceCount: 0,
    truncated: false,
    segmentsDownloaded: 0,
    durationMs: 0,
    reason,
    ...(failedSql ? { failedSql } : {}),
  };
}
