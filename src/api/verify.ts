import { openDatabase, type Database } from '../core/database.js';
import { verificationDocument, type VerificationDocument } from '../core/verify/verification-document.js';
import { recordVerification } from '../core/verify/verification-record.js';
import { verifyData } from '../core/verify/verify-data.js';
import type { VerifyOptions as CoreVerifyOptions } from '../core/verify/verify-types.js';
import { defaultSchema, resolveStatusConnection, type DatabaseOptions } from './database-options.js';
import { resolveSide, type SideSpec } from './sides.js';

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

/**
 * Compares table data between two databases, in the databases (counts, checksums, then the
 * differing rows) and returns the report (`dmr verify --json`). Reads only, unless `record`.
 */
export async function verify(options: VerifyOptions): Promise<VerificationDocument> {
  const { source, target, sourceSchema, targetSchema, redact, record, knexfile, cwd, ...compare } = options;
  const [sourceConnection, targetConnection] = await Promise.all([
    resolveSide(source, { knexfile, cwd }),
    resolveSide(target, { knexfile, cwd }),
  ]);
  const poolMax = (options.parallel ?? 2) * 2 + 1;
  const opened: Database[] = [];
  try {
    const from = await openDatabase(sourceConnection, { poolMax, readOnly: true });
    opened.push(from);
    const to = await openDatabase(targetConnection, { poolMax, readOnly: true });
    opened.push(to);
    const side = (d: Database, schema?: string) => ({
      knex: d.knex,
      dialect: d.dialect,
      display: d.display,
      ...(schema ? { schema } : {}),
    });
    const result = await verifyData({ ...compare, source: side(from, sourceSchema), target: side(to, targetSchema) });
    if (record) {
      const status = await openDatabase(await resolveStatusConnection(record));
      try {
        await recordVerification(status, record.schema ?? status.defaultSchema ?? defaultSchema, result);
      } finally {
        await status.close();
      }
    }
    return verificationDocument(result, redact ?? false);
  } finally {
    await Promise.all(opened.map((d) => d.close()));
  }
}
