import { UsageError } from '../errors.js';
import { RunStore, type RunRecord } from '../status/run-store.js';
import { findServerWideApp, serverWideHint } from '../status/server-wide-app.js';
import type { StatusStore } from '../status/status-store.js';
import { tableOrder, type TableKey } from '../status/status-tables.js';
import { readCopyChunks } from './copy-ledger-facts.js';
import type { Evidence, ProcessProbe, RunProbe, StatusRow } from './evidence.js';

export interface GatherOptions {
  readonly probeProcess: ProcessProbe;
  /** History lines to read (error messages and usual durations come from them). */
  readonly historyLines?: number;
  /**
   * When the lock is held by a session no unfinished run names, read again after this long:
   * a runner between taking the lock and writing its run record is not an orphan.
   */
  readonly settleMs?: number;
}

/** Reads the status tables, the run records and the server's view of the sessions, once. */
export async function gatherEvidence(store: StatusStore, options: GatherOptions): Promise<Evidence> {
  const tables = {} as Record<TableKey, boolean>;
  for (const key of tableOrder) tables[key] = await store.hasTable(key);
  const serverWideApp = await findServerWideApp(store);
  if (!tables.migrations || !tables.types) {
    const hint = serverWideApp
      ? serverWideHint(serverWideApp, store.schema)
      : 'run `dmr init` or `dmr migrate` first, or check --url/--schema';
    throw new UsageError(`status tables not found in ${store.database.display} (schema ${store.schema})`, hint);
  }
  let snapshot = { ...(await readOnce(store, tables, options)), serverWideApp };
  const orphanCandidate = (e: Evidence) =>
    e.lockHolder !== null && !e.unfinishedRuns.some((r) => r.dbSessionId === e.lockHolder?.id);
  if (orphanCandidate(snapshot) && (options.settleMs ?? 1500) > 0) {
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 1500));
    snapshot = { ...(await readOnce(store, tables, options)), serverWideApp };
  }
  return snapshot;
}

async function readOnce(
  store: StatusStore,
  tables: Record<TableKey, boolean>,
  options: GatherOptions,
): Promise<Evidence> {
  const { adapter, knex } = store.database;
  // Sessions first and alone: doctor's own pooled connections must not look busy.
  const activeSessions = await adapter.activeSessions(knex);
  const readAt = new Date();
  const statuses: StatusRow[] = tables.statuses
    ? (await store.table('statuses').select('DataMigrationStatusId', 'DataMigrationStatusCode')).map(
        (r: Record<string, unknown>) => ({
          id: Number(r.DataMigrationStatusId),
          code: String(r.DataMigrationStatusCode),
        }),
      )
    : [];
  const types = await store.stageTypes();
  const stages = await store.stages();
  const runs = new RunStore(store);
  const latestRun = tables.runs ? await runs.latest() : null;
  const unfinishedRuns = tables.runs ? await runs.unfinished() : [];
  const lockHolder = await adapter.lockHolder(knex, store.schema);
  const probes: RunProbe[] = [];
  for (const run of unfinishedRuns)
    probes.push(await probeRun(store, run, lockHolder?.id ?? null, options.probeProcess));
  const history = tables.histories ? await store.history(options.historyLines ?? 500) : [];
  const copyChunks = await readCopyChunks(store, options.probeProcess);
  return {
    dialect: store.database.dialect,
    database: store.database.display,
    schema: store.schema,
    readAt,
    tables,
    statuses,
    types,
    stages,
    latestRun,
    unfinishedRuns,
    probes,
    lockHolder,
    activeSessions,
    history,
    copyChunks,
  };
}

async function probeRun(
  store: StatusStore,
  run: RunRecord,
  holderId: string | null,
  probeProcess: ProcessProbe,
): Promise<RunProbe> {
  const { adapter, knex } = store.database;
  const session = run.dbSessionId ? await adapter.session(knex, run.dbSessionId) : null;
  return {
    runId: run.runId,
    session,
    holdsLock: run.dbSessionId !== null && run.dbSessionId === holderId,
    processAlive: probeProcess(run.host, run.pid),
  };
}
