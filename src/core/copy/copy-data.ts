import type { CopyTable } from '../../adapters/copy-dialect.js';
import { dialectNamed } from '../../adapters/dialects.js';
import { DmrError, ExitCode, LockHeldError, UsageError } from '../errors.js';
import { verifyData } from '../verify/verify-data.js';
import { assertName } from '../verify/verify-names.js';
import type { ActiveSession } from './copy-chunk.js';
import type { CopyContext } from './copy-context.js';
import { CopyLedger } from './copy-ledger.js';
import { MappingProblems, planTable, type TablePlan } from './copy-plan.js';
import { TableRun } from './copy-table.js';
import type { CopyOptions, CopyPlanResult, CopyResult, TableMapping, TableSummary } from './copy-types.js';
import { integerRanges } from './chunk-plan.js';

type Sides = Pick<CopyContext, 'source' | 'target'>;

export function sides(options: CopyOptions): Sides {
  const source = {
    dialect: dialectNamed(options.source.database.dialect).copy,
    database: options.source.database,
    ...(options.source.schema ? { schema: options.source.schema } : {}),
  };
  const target = {
    dialect: dialectNamed(options.target.database.dialect).copy,
    database: options.target.database,
    ...(options.target.schema ? { schema: options.target.schema } : {}),
  };
  return { source, target };
}

function validate(options: CopyOptions): void {
  for (const t of options.tables ?? []) {
    assertName(t.source, '--table');
    assertName(t.target, '--table');
  }
  if (options.source.schema) assertName(options.source.schema, '--source-schema');
  if (options.target.schema) assertName(options.target.schema, '--target-schema');
  for (const c of options.casts ?? []) {
    assertName(c.column, '--cast');
    if (c.table) assertName(c.table, '--cast');
  }
  if (!Number.isInteger(options.chunkRows) || options.chunkRows < 1)
    throw new UsageError('--chunk-rows must be a positive integer');
  if (!Number.isInteger(options.parallel) || options.parallel < 1)
    throw new UsageError('--parallel must be a positive integer');
}

/**
 * Reads both catalogs and decides everything before any row moves: which tables, the target
 * type of every column (refusing those without a safe mapping, all named at once), the DDL and
 * how each table is chunked.
 */
export async function prepare(options: CopyOptions, s: Sides): Promise<TablePlan[]> {
  validate(options);
  const sourceKnex = s.source.database.knex;
  const targetKnex = s.target.database.knex;
  const mappings: readonly TableMapping[] = options.tables?.length
    ? options.tables
    : (await s.source.dialect.listTables(sourceKnex, s.source.schema)).map((name) => ({ source: name, target: name }));
  if (!mappings.length)
    throw new UsageError(
      `the source${s.source.schema ? ` schema ${s.source.schema}` : ''} has no tables`,
      'check --source and --source-schema',
    );
  const sameDatabase = s.source.database.display === s.target.database.display;
  const problems = new MappingProblems();
  const plans: TablePlan[] = [];
  for (const mapping of mappings) {
    const source = await s.source.dialect.describeTable(sourceKnex, s.source.schema, mapping.source);
    if (!source)
      throw new UsageError(
        `table ${JSON.stringify(mapping.source)} not found in the source` +
          `${s.source.schema ? ` schema ${s.source.schema}` : ''}`,
        'check --table and --source-schema; nothing was copied',
      );
    const existing: CopyTable | null = await s.target.dialect.describeTable(
      targetKnex,
      s.target.schema,
      mapping.target,
    );
    const targetSchema = s.target.schema ?? existing?.schema ?? (sameDatabase ? source.schema : undefined);
    if (sameDatabase && (targetSchema ?? '') === (source.schema ?? '') && mapping.target === source.name) {
      throw new UsageError(
        `the source and the target are the same table (` +
          `${[source.schema, source.name].filter(Boolean).join('.')} in ${s.source.database.display})`,
        'copy into another database, schema (--target-schema) or table (--table NAME=TARGET); nothing was copied',
      );
    }
    if (!existing && options.mode !== 'create') {
      throw new UsageError(
        `target table ${JSON.stringify(mapping.target)} does not exist${targetSchema ? ` in ${targetSchema}` : ''}`,
        'pass --create to create it from the mapped types; nothing was copied',
      );
    }
    plans.push(
      planTable(
        { source: s.source.dialect, target: s.target.dialect, casts: options.casts ?? [], mode: options.mode },
        source,
        mapping,
        s.target.schema,
        existing,
        problems,
      ),
    );
  }
  problems.throwIfAny();
  return plans;
}

/** `dmr copy --plan`: the mapped DDL and the chunk plan; connects to both sides and changes nothing. */
export async function planCopy(options: CopyOptions): Promise<CopyPlanResult> {
  const s = sides(options);
  const plans = await prepare(options, s);
  const tables = [];
  for (const plan of plans) {
    const reader = await s.source.dialect.openReader(s.source.database.knex);
    let rows: number;
    let chunks: number;
    try {
      if (plan.chunkKind === 'range') {
        const b = await reader.bounds({
          table: plan.source,
          key: plan.key,
          ...(options.where ? { where: options.where } : {}),
        });
        rows = b.rows;
        chunks = integerRanges(b.low, b.high, b.rows, options.chunkRows).length;
      } else {
        rows = await reader.count(plan.source, [], { kind: 'all', low: null, high: null }, options.where);
        chunks = plan.chunkKind === 'keyset' ? Math.max(1, Math.ceil(rows / options.chunkRows)) : 1;
      }
    } finally {
      await reader.close();
    }
    tables.push({
      table: plan.source.name,
      targetTable: plan.targetName,
      targetExists: plan.targetExists,
      columns: plan.columns,
      key: plan.key,
      chunkKind: plan.chunkKind,
      ddl: [plan.createSql, plan.primaryKeySql].filter((x): x is string => Boolean(x)),
      sourceRows: rows,
      chunks,
    });
  }
  return { source: s.source.database.display, target: s.target.database.display, tables };
}

/**
 * `dmr copy`: copies tables in keyset chunks recorded in a durable ledger. A rerun of the same
 * command rolls forward: it copies only the chunks that are not success, after settling those
 * an earlier run left unfinished. Rejected rows and differing counts are results, not errors.
 */
export async function copyData(options: CopyOptions): Promise<CopyResult> {
  const started = Date.now();
  const s = sides(options);
  const plans = await prepare(options, s);
  const locks = s.target.dialect.locks(s.target.database.knex, s.target.database.display);
  const active = new Set<ActiveSession>();
  // Each open reader and writer cancels the statement on its own connection, the way its driver can.
  const cancel = () => {
    for (const session of active) void session.cancel().catch(() => undefined);
  };
  options.signal?.addEventListener('abort', cancel);
  try {
    for (const plan of plans) {
      const name = [plan.targetSchema, plan.targetName].filter(Boolean).join('.');
      if (!(await locks.tryAcquire(name))) {
        throw new LockHeldError(
          `another dmr copy into ${name} is running`,
          'wait for it to finish (its chunks are in the ledger), then run this command again',
        );
      }
    }
    const ledgerDatabase = options.ledger ?? options.target.database;
    const ledger = new CopyLedger(
      ledgerDatabase,
      options.ledgerSchema,
      ledgerDatabase.display === options.target.database.display && s.target.dialect.ledgerInTransaction,
    );
    await ledger.ensure();
    const ctx: CopyContext = { options, ...s, ledger, active };
    const runs = plans.map((plan) => new TableRun(ctx, plan));
    try {
      for (const run of runs) await run.start();
    } catch (error) {
      // A signal before the first chunk cancelled a count (or arrived between statements): a stop, not a failure.
      if (!options.signal?.aborted) throw error;
      const name = String(options.signal.reason ?? 'signal');
      throw new DmrError(
        `copy stopped by ${name} before its first chunk: its queries were cancelled on the servers`,
        name === 'SIGTERM' ? ExitCode.sigterm : ExitCode.sigint,
        'run the same command again to copy the tables (the ledger records what is done)',
        { cause: error },
      );
    }
    const queue = runs.flatMap((run) => run.units(active));
    const worker = async () => {
      for (let unit = queue.shift(); unit && !options.signal?.aborted; unit = queue.shift()) await unit();
    };
    const parallel = s.target.dialect.singleWriter ? 1 : options.parallel;
    await Promise.all(Array.from({ length: Math.min(parallel, Math.max(1, queue.length)) }, worker));
    const tables: TableSummary[] = [];
    for (const run of runs) tables.push(await run.finish());
    const stopped = Boolean(options.signal?.aborted);
    const verifiable = tables.filter(
      (t) =>
        (t.outcome === 'copied' || t.outcome === 'rejects') &&
        plans.find((p) => p.targetName === t.targetTable)?.key.length,
    );
    const verify =
      options.verify && !stopped && verifiable.length ? await verifyCopied(options, verifiable) : undefined;
    return {
      source: s.source.database.display,
      target: s.target.database.display,
      status: stopped ? 'stopped' : tables.every((t) => t.outcome === 'copied') ? 'copied' : 'incomplete',
      ...(stopped ? { signal: String(options.signal?.reason ?? 'signal') } : {}),
      tables,
      seconds: (Date.now() - started) / 1000,
      ...(verify ? { verify } : {}),
    };
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    await locks.releaseAll();
  }
}

function verifyCopied(options: CopyOptions, tables: readonly TableSummary[]) {
  return verifyData({
    source: {
      knex: options.source.database.knex,
      dialect: options.source.database.dialect,
      display: options.source.database.display,
      ...(options.source.schema ? { schema: options.source.schema } : {}),
    },
    target: {
      knex: options.target.database.knex,
      dialect: options.target.database.dialect,
      display: options.target.database.display,
      ...(options.target.schema ? { schema: options.target.schema } : {}),
    },
    tables: tables.map((t) => ({ source: t.table, target: t.targetTable })),
    ...(options.where ? { where: options.where, targetWhere: '1 = 1' } : {}),
    mode: 'checksum',
    parallel: Math.min(2, options.parallel),
  });
}
