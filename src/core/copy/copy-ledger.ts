import type { Knex } from 'knex';
import type { Database } from '../database.js';
import { assertIdentifier } from '../identifiers.js';
import { LedgerTable, ledgerDefinitions, ledgerOrder, type LedgerKey } from './copy-ledger-tables.js';

export type ChunkStatus = 'pending' | 'processing' | 'success' | 'error';
export type JobStatus = 'running' | 'success' | 'error' | 'stopped';

/** A copy job as the ledger holds it. */
export interface CopyJob {
  readonly copyId: number;
  readonly status: JobStatus;
  readonly mode: string;
  readonly chunkKind: string;
  readonly targetRowsBefore: number;
  readonly primaryKeyPending: boolean;
}

export interface LedgerChunk {
  readonly chunkNo: number;
  readonly low: string[] | null;
  readonly high: string[] | null;
  readonly status: ChunkStatus;
  readonly rows: number;
  readonly rejected: number;
  readonly attempts: number;
}

export interface NewJob {
  readonly jobKey: string;
  readonly sourceDisplay: string;
  readonly sourceTable: string;
  readonly targetTable: string;
  readonly keyColumns: readonly string[];
  readonly chunkKind: string;
  readonly mode: string;
  readonly targetRowsBefore: number;
  readonly primaryKeyPending: boolean;
  readonly user: string;
  readonly host: string;
}

export interface RejectRecord {
  readonly copyId: number;
  readonly chunkNo: number;
  readonly component: string;
  readonly referenceId: string;
  readonly field: string | null;
  readonly message: string;
  readonly rowData: readonly (string | null)[];
}

/** The stored reject as --retry-rejects reads it back. */
export interface StoredReject extends RejectRecord {
  readonly rejectId: number;
}

const json = (value: readonly string[] | null) => (value ? JSON.stringify(value) : null);
const parse = (value: unknown) =>
  value === null || value === undefined ? null : (JSON.parse(String(value)) as string[]);

/**
 * The durable chunk ledger: per copy job, per chunk, its key range, status, rows, attempts and
 * error. A chunk's `success` is written in the target transaction that loads its rows when the
 * ledger lives in the target database, so the two commit together.
 */
export class CopyLedger {
  readonly schema: string;

  constructor(
    readonly database: Database,
    schema: string,
    /** The ledger is in the copy's target database: chunk rows and their ledger row commit together. */
    readonly inTarget: boolean,
  ) {
    this.schema = assertIdentifier(schema, '--schema');
  }

  table(key: LedgerKey, connection?: unknown): Knex.QueryBuilder {
    const qb = this.database.knex(LedgerTable[key]);
    const scoped = this.database.adapter.capabilities.schemas ? qb.withSchema(this.schema) : qb;
    return connection ? scoped.connection(connection) : scoped;
  }

  /** Creates the schema and the ledger tables when missing. */
  async ensure(): Promise<void> {
    const { adapter, knex } = this.database;
    const createSchema = adapter.createSchemaSql(this.schema);
    if (createSchema) await knex.raw(createSchema);
    const builder = () => (adapter.capabilities.schemas ? knex.schema.withSchema(this.schema) : knex.schema);
    for (const key of ledgerOrder) {
      if (!(await builder().hasTable(LedgerTable[key])))
        await builder().createTable(LedgerTable[key], ledgerDefinitions[key]);
    }
  }

  async exists(): Promise<boolean> {
    const { adapter, knex } = this.database;
    return (adapter.capabilities.schemas ? knex.schema.withSchema(this.schema) : knex.schema).hasTable(
      LedgerTable.copies,
    );
  }

  /** The latest job of this source/target pair; unfinished ones are resumed. */
  async latestJob(jobKey: string): Promise<CopyJob | null> {
    const row = (await this.table('copies').where({ JobKey: jobKey }).orderBy('CopyId', 'desc').first()) as
      Record<string, unknown> | undefined;
    if (!row) return null;
    return {
      copyId: Number(row.CopyId),
      status: String(row.Status) as JobStatus,
      mode: String(row.Mode),
      chunkKind: String(row.ChunkKind),
      targetRowsBefore: Number(row.TargetRowsBefore),
      primaryKeyPending: Number(row.PrimaryKeyPending) === 1,
    };
  }

  async createJob(job: NewJob): Promise<number> {
    const values = {
      JobKey: job.jobKey,
      SourceDisplay: job.sourceDisplay.slice(0, 500),
      SourceTable: job.sourceTable,
      TargetTable: job.targetTable,
      KeyColumns: JSON.stringify(job.keyColumns),
      ChunkKind: job.chunkKind,
      Mode: job.mode,
      Status: 'running',
      TargetRowsBefore: job.targetRowsBefore,
      PrimaryKeyPending: job.primaryKeyPending ? 1 : 0,
      StartedAt: new Date(),
      UserName: job.user.slice(0, 100),
      Host: job.host.slice(0, 255),
      Pid: process.pid,
    };
    if (this.database.adapter.capabilities.insertReturning) {
      const [row] = (await this.table('copies').insert(values, ['CopyId'])) as { CopyId: number }[];
      return Number(row?.CopyId);
    }
    const [id] = (await this.table('copies').insert(values)) as number[];
    return Number(id);
  }

  async setJob(
    copyId: number,
    values: {
      status?: JobStatus;
      rowsCopied?: number;
      rowsRejected?: number;
      error?: string | null;
      primaryKeyPending?: boolean;
      finished?: boolean;
    },
  ): Promise<void> {
    await this.table('copies')
      .where({ CopyId: copyId })
      .update({
        ...(values.status ? { Status: values.status } : {}),
        ...(values.rowsCopied !== undefined ? { RowsCopied: values.rowsCopied } : {}),
        ...(values.rowsRejected !== undefined ? { RowsRejected: values.rowsRejected } : {}),
        ...(values.error !== undefined ? { ErrorText: values.error?.slice(0, 4000) ?? null } : {}),
        ...(values.primaryKeyPending !== undefined ? { PrimaryKeyPending: values.primaryKeyPending ? 1 : 0 } : {}),
        ...(values.finished ? { FinishedAt: new Date() } : {}),
        ...(values.status === 'running' ? { FinishedAt: null, Pid: process.pid } : {}),
      });
  }

  async chunks(copyId: number): Promise<LedgerChunk[]> {
    const rows = (await this.table('chunks').where({ CopyId: copyId }).orderBy('ChunkNo')) as Record<string, unknown>[];
    return rows.map((r) => ({
      chunkNo: Number(r.ChunkNo),
      low: parse(r.LowKey),
      high: parse(r.HighKey),
      status: String(r.Status) as ChunkStatus,
      rows: Number(r.Rows),
      rejected: Number(r.Rejected),
      attempts: Number(r.Attempts),
    }));
  }

  async addChunks(
    copyId: number,
    chunks: readonly { chunkNo: number; low: readonly string[] | null; high: readonly string[] | null }[],
  ): Promise<void> {
    const rows = chunks.map((c) => ({
      CopyId: copyId,
      ChunkNo: c.chunkNo,
      LowKey: json(c.low),
      HighKey: json(c.high),
      Status: 'pending',
      Rows: 0,
      Rejected: 0,
      Attempts: 0,
    }));
    for (let i = 0; i < rows.length; i += 200) await this.table('chunks').insert(rows.slice(i, i + 200));
  }

  /** pending/error/processing -> processing, attempts + 1 (committed before the chunk's own transaction starts). */
  async startChunk(copyId: number, chunkNo: number, sessionId: string, host: string): Promise<void> {
    await this.table('chunks')
      .where({ CopyId: copyId, ChunkNo: chunkNo })
      .whereNot({ Status: 'success' })
      .update({
        Status: 'processing',
        Attempts: this.database.knex.raw('?? + 1', ['Attempts']),
        SessionId: sessionId,
        Host: host.slice(0, 255),
        Pid: process.pid,
        StartedAt: new Date(),
        ErrorText: null,
      });
  }

  /**
   * processing -> success; run on the target's transaction when the ledger is there. Returns whether the row changed.
   */
  async finishChunk(
    copyId: number,
    chunkNo: number,
    done: { rows: number; rejected: number; high?: readonly string[] | null },
    connection?: unknown,
  ): Promise<boolean> {
    const changed = await this.table('chunks', connection)
      .where({ CopyId: copyId, ChunkNo: chunkNo, Status: 'processing' })
      .update({
        Status: 'success',
        Rows: done.rows,
        Rejected: done.rejected,
        FinishedAt: new Date(),
        ErrorText: null,
        ...(done.high !== undefined ? { HighKey: json(done.high) } : {}),
      });
    return Number(changed) > 0;
  }

  async chunkStatus(copyId: number, chunkNo: number): Promise<ChunkStatus | null> {
    const row = (await this.table('chunks').where({ CopyId: copyId, ChunkNo: chunkNo }).first('Status')) as
      { Status: string } | undefined;
    return row ? (row.Status as ChunkStatus) : null;
  }

  /** processing -> error (compare-and-set: a chunk whose commit did land stays success). */
  async failChunk(copyId: number, chunkNo: number, message: string): Promise<void> {
    await this.table('chunks')
      .where({ CopyId: copyId, ChunkNo: chunkNo, Status: 'processing' })
      .update({ Status: 'error', ErrorText: message.slice(0, 4000), FinishedAt: new Date() });
  }

  /** Marks a chunk settled by checking the target (landed: success with its rows; else back to pending). */
  async settleChunk(
    copyId: number,
    chunkNo: number,
    landed: { rows: number; high?: readonly string[] | null } | null,
  ): Promise<void> {
    await this.table('chunks')
      .where({ CopyId: copyId, ChunkNo: chunkNo })
      .update(
        landed
          ? {
              Status: 'success',
              Rows: landed.rows,
              FinishedAt: new Date(),
              ErrorText: null,
              ...(landed.high !== undefined ? { HighKey: json(landed.high) } : {}),
            }
          : { Status: 'pending' },
      );
  }

  async addRejects(records: readonly RejectRecord[], connection?: unknown): Promise<void> {
    const rows = records.map((r) => ({
      CopyId: r.copyId,
      ChunkNo: r.chunkNo,
      Component: r.component.slice(0, 300),
      ReferenceId: r.referenceId,
      Field: r.field?.slice(0, 200) ?? null,
      Message: r.message.slice(0, 4000),
      RowData: JSON.stringify(r.rowData),
      Status: 'rejected',
      CreatedAt: new Date(),
    }));
    for (let i = 0; i < rows.length; i += 100) await this.table('rejects', connection).insert(rows.slice(i, i + 100));
  }

  async rejects(copyId: number, status = 'rejected'): Promise<StoredReject[]> {
    const rows = (await this.table('rejects').where({ CopyId: copyId, Status: status }).orderBy('RejectId')) as Record<
      string,
      unknown
    >[];
    return rows.map((r) => ({
      rejectId: Number(r.RejectId),
      copyId: Number(r.CopyId),
      chunkNo: Number(r.ChunkNo),
      component: String(r.Component),
      referenceId: String(r.ReferenceId),
      field: r.Field === null || r.Field === undefined ? null : String(r.Field),
      message: String(r.Message),
      rowData: (parse(r.RowData) ?? []) as (string | null)[],
    }));
  }

  async setReject(rejectId: number, status: string, message?: string, connection?: unknown): Promise<void> {
    await this.table('rejects', connection)
      .where({ RejectId: rejectId })
      .update({ Status: status, ...(message ? { Message: message.slice(0, 4000) } : {}) });
  }

  /** Rejected rows of a job still waiting for --retry-rejects. */
  async rejectCount(copyId: number): Promise<number> {
    const row = (await this.table('rejects')
      .where({ CopyId: copyId, Status: 'rejected' })
      .count({ n: '*' })
      .first()) as { n: unknown } | undefined;
    return Number(row?.n ?? 0);
  }
}
