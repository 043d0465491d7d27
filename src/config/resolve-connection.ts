import path from 'node:path';
import type { Knex } from 'knex';
import { UsageError } from '../core/errors.js';
import { programName } from './program-name.js';
import { findKnexfile, loadKnexfile } from './load-knexfile.js';
import { parseConnectionObject, parseConnectionUrl, type ParsedUrl } from './parse-url.js';

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

export interface ResolvedConnection extends ParsedUrl {
  /** What the connection calls itself on the server unless configured otherwise (`dmr migrate`). */
  readonly programName?: string;
  /** Where it came from: --url, DMR_DATABASE_URL, knexfile.ts (development)... */
  readonly source: string;
}

const defaultEnvironment = 'development';

/**
 * Resolves where to connect: --url, then --env from the knexfile, then DMR_DATABASE_URL,
 * then the knexfile's default environment. This module and tests are the only readers of process.env.
 */
export async function resolveConnection(
  options: ConnectionOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedConnection> {
  return { ...(await resolve(options, env)), programName: programName() };
}

async function resolve(options: ConnectionOptions, env: NodeJS.ProcessEnv): Promise<ResolvedConnection> {
  const cwd = options.cwd ?? process.cwd();
  if (options.url) return { ...parseConnectionUrl(options.url, cwd), source: '--url' };
  const envUrl = env.DMR_DATABASE_URL;
  if (!options.env && envUrl) return { ...parseConnectionUrl(envUrl, cwd), source: 'DMR_DATABASE_URL' };

  const file = findKnexfile(cwd, options.knexfile);
  if (!file) {
    throw new UsageError(
      'no database configured',
      'pass --url, or run from a folder with a knexfile.ts, or set DMR_DATABASE_URL',
    );
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
  if (!entry || typeof entry !== 'object')
    throw new UsageError(`${source} is not a knex config object`, 'expected { client, connection }');
  const config = entry as Knex.Config & { url?: string };
  if (typeof config.url === 'string') return { ...parseConnectionUrl(config.url, baseDir), source };
  if (typeof config.connection === 'string') return { ...parseConnectionUrl(config.connection, baseDir), source };
  const connection = { ...((config.connection ?? {}) as Record<string, unknown>) };
  try {
    return { ...parseConnectionObject(config.client, connection, baseDir, config), source };
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${source}: ${error.message}`, error.hint);
    throw error;
  }
}
