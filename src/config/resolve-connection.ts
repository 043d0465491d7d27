import path from 'node:path';
import type { Knex } from 'knex';
import { UsageError } from '../core/errors.js';
import { dialectFromClient, knexClientFor, type DialectName } from './dialect-name.js';
import { findKnexfile, loadKnexfile } from './load-knexfile.js';
import { parseConnectionUrl } from './parse-url.js';
import { rememberSecret } from './redact.js';

export interface ConnectionOptions {
  /** --url: wins over everything. */
  readonly url?: string;
  /** --env: a knexfile environment name. */
  readonly env?: string;
  /** --knexfile: explicit path. */
  readonly knexfile?: string;
  /** Directory where a knexfile and relative sqlite paths are looked up. */
  readonly cwd?: string;
}

export interface ResolvedConnection {
  readonly dialect: DialectName;
  readonly knexConfig: Knex.Config;
  /** Printable description with the password redacted. */
  readonly display: string;
  /** Where it came from: --url, DMR_DATABASE_URL, knexfile.ts (development)... */
  readonly source: string;
}

export const defaultEnvironment = 'development';

/**
 * Resolves where to connect: --url, then --env from the knexfile, then DMR_DATABASE_URL,
 * then the knexfile's default environment. This module and tests are the only readers of process.env.
 */
export async function resolveConnection(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedConnection> {
  const cwd = options.cwd ?? process.cwd();
  if (options.url) return { ...parseConnectionUrl(options.url, cwd), source: '--url' };
  const envUrl = env.DMR_DATABASE_URL;
  if (!options.env && envUrl) return { ...parseConnectionUrl(envUrl, cwd), source: 'DMR_DATABASE_URL' };

  const file = findKnexfile(cwd, options.knexfile);
  if (!file) {
    throw new UsageError('no database configured', 'pass --url, or run from a folder with a knexfile.ts, or set DMR_DATABASE_URL');
  }
  const environments = await loadKnexfile(file);
  const name = options.env ?? env.DMR_ENV ?? defaultEnvironment;
  const entry = environments[name];
  if (entry === undefined) {
    throw new UsageError(
      `environment ${JSON.stringify(name)} not found in ${path.basename(file)}`,
      `known environments: ${Object.keys(environments).join(', ') || '(none)'}`,
    );
  }
  const source = `${path.basename(file)} (${name})`;
  if (typeof entry === 'string') return { ...parseConnectionUrl(entry, path.dirname(file)), source };
  return fromKnexConfig(entry, path.dirname(file), source);
}

function fromKnexConfig(entry: unknown, baseDir: string, source: string): ResolvedConnection {
  if (!entry || typeof entry !== 'object') throw new UsageError(`${source} is not a knex config object`, 'expected { client, connection }');
  const config = entry as Knex.Config & { url?: string };
  if (typeof config.url === 'string') return { ...parseConnectionUrl(config.url, baseDir), source };
  if (typeof config.connection === 'string') return { ...parseConnectionUrl(config.connection, baseDir), source };
  const dialect = dialectFromClient(config.client);
  const connection = { ...((config.connection ?? {}) as Record<string, unknown>) };
  rememberSecret(connection.password, (connection.authentication as { options?: { password?: unknown } } | undefined)?.options?.password);
  if (dialect === 'sqlite') {
    const filename = connection.filename;
    if (typeof filename !== 'string' || !filename) throw new UsageError(`${source}: sqlite connection needs a filename`, 'set connection.filename');
    if (filename !== ':memory:') connection.filename = path.resolve(baseDir, filename);
  }
  if (dialect === 'mysql' && connection.timezone === undefined) connection.timezone = 'Z';
  return {
    dialect,
    source,
    knexConfig: { ...config, client: knexClientFor[dialect], connection, ...(dialect === 'sqlite' ? { useNullAsDefault: true } : {}) },
    display: describeConnection(dialect, connection),
  };
}

function describeConnection(dialect: DialectName, c: Record<string, unknown>): string {
  if (dialect === 'sqlite') return `sqlite:${String(c.filename)}`;
  const host = c.host ?? c.server ?? 'localhost';
  const user = c.user ? `${String(c.user)}@` : '';
  const port = c.port ? `:${String(c.port)}` : '';
  const scheme = dialect === 'postgres' ? 'postgres' : dialect;
  return `${scheme}://${user}${String(host)}${port}/${String(c.database ?? '')}`;
}
