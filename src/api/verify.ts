import { openDatabase, type Database } from '../core/database.js';
import { verificationDocument, type VerificationDocument } from '../core/verify/verification-document.js';
import { recordVerification } from '../core/verify/verification-record.js';
import { verifyData } from '../core/verify/verify-data.js';
import type { VerifyOptions as CoreVerifyOptions, VerifyResult } from '../core/verify/verify-types.js';
import { defaultSchema, resolveStatusConnection, type DatabaseOptions } from './database-options.js';
import { resolveSide, type SideSpec } from './sides.js';

export { VerifyQueryError } from '../core/verify/query-failure.js';

/** Options of verify: the CLI's flags, with the databases as URLs or knexfile environments. */
export interface VerifyOptions extends Omit<CoreVerifyOptions, 'source' | 'target' | 'targetWhere'> {
  readonly source: SideSpec;
  readonly target: SideSpec;
  /** Schema (MySQL: database) of the source tables; the connection's current one by default. */
  readonly sourceSchema?: string;
  readonly targetSchema?: string;
  /** Hide values in the document (keys and column names stay). */
  readonly redact?: boolean;
  /** Store the verdict in DataMigrationVerifications of this status database. */
  readonly record?: DatabaseOptions;
  /** Knexfile for environment names, and the folder paths are relative to. */
  readonly knexfile?: string;
  readonly cwd?: string;
}

/** Where a verdict was stored by recordVerdict. */
export interface RecordedVerdict {
  /** Its id in DataMigrationVerifications. */
  readonly id: number;
  /** The status database, password redacted. */
  readonly database: string;
}

/**
 * The comparison itself, as the result the CLI renders as text, JSON or JUnit: opens both sides read-only
 * (a SQLite path that does not exist is an error, never a new empty file) and closes them before it returns.
 */
export async function compareDatabases(options: Omit<VerifyOptions, 'redact' | 'record'>): Promise<VerifyResult> {
  const { source, target, sourceSchema, targetSchema, knexfile, cwd, ...compare } = options;
  const [sourceConnection, targetConnection] = await Promise.all([
    resolveSide(source, { knexfile, cwd }),
    resolveSide(target, { knexfile, cwd }),
  ]);
  const poolMax = (options.parallel ?? 2) * 2 + 1;
  const opened: Database[] = [];
  try {
    const from = await openDatabase(sourceConnection, { poolMax, readOnly: true, dataSide: true });
    opened.push(from);
    const to = await openDatabase(targetConnection, { poolMax, readOnly: true, dataSide: true });
    opened.push(to);
    options.signal?.throwIfAborted();
    const side = (d: Database, schema?: string) => ({
      knex: d.knex,
      dialect: d.dialect,
      display: d.display,
      ...(schema ? { schema } : {}),
    });
    return await verifyData({ ...compare, source: side(from, sourceSchema), target: side(to, targetSchema) });
  } finally {
    await Promise.all(opened.map((d) => d.close()));
  }
}

/** Stores a verdict in DataMigrationVerifications of the status database (`dmr verify --record`). */
export async function recordVerdict(record: DatabaseOptions, result: VerifyResult): Promise<RecordedVerdict> {
  const status = await openDatabase(await resolveStatusConnection(record));
  try {
    const id = await recordVerification(status, record.schema ?? status.defaultSchema ?? defaultSchema, result);
    return { id, database: status.display };
  } finally {
    await status.close();
  }
}

/**
 * Compares table data between two databases, in the databases (counts, checksums, then the
 * differing rows) and returns the report (`dmr verify --json`). Reads only, unless `record`.
 */
export async function verify(options: VerifyOptions): Promise<VerificationDocument> {
  const { redact, record, ...compare } = options;
  const result = await compareDatabases(compare);
  if (record) await recordVerdict(record, result);
  return verificationDocument(result, redact ?? false);
}
