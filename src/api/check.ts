import path from 'node:path';
import type { ResolvedConnection } from '../config/resolve-connection.js';
import type { CheckDocument } from '../core/check/check-types.js';
import { runCheck, type CheckSide } from '../core/check/run-check.js';
import { UsageError } from '../core/errors.js';
import { assertIdentifier } from '../core/identifiers.js';
import { resolveStatusConnection, type DatabaseOptions } from './database-options.js';
import { resolveSide, type SideSpec } from './sides.js';

/** Options of check. */
export interface CheckOptions extends DatabaseOptions {
  /** The task folder (default `sql`). */
  readonly sqlDir?: string;
  readonly encoding?: string;
  /** Also check the databases of a verify or copy. */
  readonly source?: SideSpec;
  readonly target?: SideSpec;
  readonly sourceSchema?: string;
  readonly targetSchema?: string;
}

async function statusConnection(o: CheckOptions): Promise<ResolvedConnection | null> {
  try {
    return await resolveStatusConnection(o);
  } catch (error) {
    if (error instanceof UsageError && /no database configured/.test(error.message) && (o.source || o.target))
      return null;
    throw error;
  }
}

/**
 * dmr's pre-flight (`dmr check --json`): reachable, server version, clock, privileges, status
 * tables and the task tree, for the status database and any verify/copy side. Reads only.
 */
export async function check(options: CheckOptions = {}): Promise<CheckDocument> {
  if (options.schema !== undefined) assertIdentifier(options.schema, '--schema');
  const side = async (value: SideSpec | undefined, schema: string | undefined): Promise<CheckSide | undefined> =>
    value ? { connection: await resolveSide(value, options), ...(schema ? { schema } : {}) } : undefined;
  const source = await side(options.source, options.sourceSchema);
  const target = await side(options.target, options.targetSchema);
  const cwd = options.cwd ?? process.cwd();
  return runCheck({
    status: await statusConnection(options),
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
    sqlDir: path.resolve(cwd, options.sqlDir ?? 'sql'),
    encoding: options.encoding,
    ...(source ? { source } : {}),
    ...(target ? { target } : {}),
    cwd: process.cwd(),
  });
}
