import { LedgerTable } from '../copy/copy-ledger-tables.js';
import { statusTablesExist } from '../status/ensure-status-tables.js';
import type { StatusStore } from '../status/status-store.js';
import { TableName, type TableKey } from '../status/status-tables.js';

/** Which optional tables exist; looked up again every few seconds, not on every poll. */
export interface PresentTables {
  /** Generate's tables and dmr's run records: without them there is nothing to show. */
  readonly status: boolean;
  readonly runs: boolean;
  readonly verifications: boolean;
  readonly copies: boolean;
}

export async function presentTables(store: StatusStore): Promise<PresentTables> {
  const { adapter, knex } = store.database;
  const schema = () => (adapter.capabilities.schemas ? knex.schema.withSchema(store.schema) : knex.schema);
  const has = (key: TableKey) => store.hasTable(key);
  const [status, runs, verifications, copies] = await Promise.all([
    statusTablesExist(store),
    has('runs'),
    has('verifications'),
    schema().hasTable(LedgerTable.copies),
  ]);
  return { status, runs, verifications, copies };
}

/**
 * A cheap fingerprint of everything the page shows, read in three small queries: the stage
 * rows, the latest run record (heartbeat, current task, stop request) and the newest ids of
 * history, verifications and copies with the chunks finished by running copies. When it is
 * unchanged, nothing on the page can have changed but ages.
 */
export async function readChangeMarks(store: StatusStore, tables: PresentTables): Promise<string> {
  const { knex } = store.database;
  const t = (name: string) =>
    store.database.adapter.capabilities.schemas ? knex(name).withSchema(store.schema) : knex(name);
  const marks: Record<string, unknown> = { h: t(TableName.histories).max('DataMigrationHistoryId') };
  if (tables.verifications) marks.v = t(TableName.verifications).max('VerificationId');
  if (tables.copies) {
    const running = t(LedgerTable.copies).select('CopyId').where('Status', 'running');
    marks.c = t(LedgerTable.copies).max('CopyId');
    marks.r = t(LedgerTable.copies).count('*').where('Status', 'running');
    marks.k = t(LedgerTable.chunks).count('*').where('Status', 'success').whereIn('CopyId', running);
  }
  const [stages, run, ids] = await Promise.all([
    store.table('migrations').select('*').orderBy('DataMigrationId'),
    tables.runs ? store.table('runs').select('*').orderBy('RunId', 'desc').first() : Promise.resolve(null),
    knex.select(marks as never).first(),
  ]);
  return JSON.stringify([stages, run, ids]);
}
