import { redactSecrets } from '../../config/redact.js';
import { ConnectionError, DmrError, UsageError } from '../errors.js';
import { rowHashDialect } from './row-hash-dialects.js';
import { assertName, parseColumnList } from './verify-names.js';
import { verifyTable, type TablePair } from './verify-table.js';
import type { TableMapping, TableVerdict, VerifyOptions, VerifyResult, VerifySide } from './verify-types.js';

/**
 * `dmr verify`: compares tables of two databases. Differences are the result, not errors;
 * bad names, missing tables or columns and incomparable types throw UsageError before any
 * table is hashed.
 */
export async function verifyData(options: VerifyOptions): Promise<VerifyResult> {
  const startedAt = new Date();
  validateNames(options);
  const src = await sideContext(options.source);
  const tgt = await sideContext(options.target);
  const { pairs, onlyInSource, onlyInTarget } = await resolvePairs(options.tables, src, tgt);

  const verdicts: TableVerdict[] = [...onlyInSource.map((t) => oneSided(t, 'only_in_source')), ...onlyInTarget.map((t) => oneSided(t, 'only_in_target'))];
  const queue = [...pairs];
  const worker = async () => {
    for (let pair = queue.shift(); pair; pair = queue.shift()) {
      options.onEvent?.({ type: 'table-start', table: pair.source.name });
      const verdict = await verifyTable(pair, src, tgt, options).catch((error: unknown) => {
        if (error instanceof DmrError) throw error;
        throw new ConnectionError(`verifying ${pair.source.name} failed: ${redactSecrets((error as Error).message)}`, 'a database failed or refused a query part-way; nothing was changed: re-run dmr verify', { cause: error });
      });
      options.onEvent?.({ type: 'table-done', verdict });
      verdicts.push(verdict);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel ?? 2, pairs.length || 1)) }, worker));
  const order = (v: TableVerdict) => `${v.table}\u0000${v.targetTable}`;
  verdicts.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return {
    source: options.source.display,
    target: options.target.display,
    mode: options.mode ?? 'checksum',
    status: verdicts.every((v) => v.status === 'equal') ? 'equal' : 'different',
    tables: verdicts,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
  };
}

function validateNames(options: VerifyOptions): void {
  for (const t of options.tables ?? []) {
    assertName(t.source, '--table');
    assertName(t.target, '--table');
  }
  parseColumnList(options.key ?? [], '--key');
  parseColumnList(options.columns ?? [], '--columns');
  parseColumnList(options.excludeColumns ?? [], '--exclude-columns', true);
  for (const o of options.overrides ?? []) parseColumnList(o.table ? `${o.table}.${o.column}` : o.column, '--override', true);
  if (options.source.schema) assertName(options.source.schema, '--source-schema');
  if (options.target.schema) assertName(options.target.schema, '--target-schema');
}

async function sideContext(side: VerifySide) {
  const dialect = rowHashDialect(side.dialect);
  return { side, dialect, schema: side.schema ?? (await dialect.currentSchema(side.knex)) };
}

type Context = Awaited<ReturnType<typeof sideContext>>;

async function resolvePairs(tables: readonly TableMapping[] | undefined, src: Context, tgt: Context) {
  let mappings = tables ?? [];
  let onlyInSource: string[] = [];
  let onlyInTarget: string[] = [];
  if (!tables?.length) {
    const [s, t] = await Promise.all([src.dialect.listTables(src.side.knex, src.schema), tgt.dialect.listTables(tgt.side.knex, tgt.schema)]);
    const tByLower = new Map(t.map((name) => [name.toLowerCase(), name]));
    mappings = s.filter((name) => tByLower.has(name.toLowerCase())).map((name) => ({ source: name, target: tByLower.get(name.toLowerCase()) ?? name }));
    const matched = new Set(mappings.map((m) => m.target));
    onlyInSource = s.filter((name) => !tByLower.has(name.toLowerCase()));
    onlyInTarget = t.filter((name) => !matched.has(name));
  }
  const pairs: TablePair[] = [];
  for (const m of mappings) {
    const [source, target] = await Promise.all([src.dialect.describeTable(src.side.knex, src.schema, m.source), tgt.dialect.describeTable(tgt.side.knex, tgt.schema, m.target)]);
    if (!source) throw new UsageError(`table ${JSON.stringify(m.source)} not found in the source${src.schema ? ` schema ${src.schema}` : ''}`, 'check --table and --source-schema');
    if (!target) throw new UsageError(`table ${JSON.stringify(m.target)} not found in the target${tgt.schema ? ` schema ${tgt.schema}` : ''}`, 'check --table (SOURCE=TARGET) and --target-schema');
    pairs.push({ source, target });
  }
  return { pairs, onlyInSource, onlyInTarget };
}

function oneSided(table: string, status: 'only_in_source' | 'only_in_target'): TableVerdict {
  return {
    table, targetTable: table, status, sourceRows: null, targetRows: null, keyColumns: [], comparedColumns: [],
    missingInTarget: [], extraInTarget: [], changed: [], duplicatesInSource: [], duplicatesInTarget: [],
    differenceCount: 0, truncated: false, segmentsDownloaded: 0, durationMs: 0,
  };
}
