import { UsageError } from '../core/errors.js';
import { resolveConnection, type ResolvedConnection } from './resolve-connection.js';

/** Where a connection spec is looked up. */
export interface SpecOptions {
  /** --knexfile: where environment names are looked up (default: found from the working directory). */
  readonly knexfile?: string;
  /** Folder that relative SQLite paths of a URL are resolved against (default: the working directory). */
  readonly baseDir?: string;
}

const envPrefix = 'env:';
const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Why a spec cannot be resolved, judged without connecting: a malformed `env:NAME` or an unset
 * variable. null when it looks usable (a knexfile environment is only checked when resolved).
 */
export function connectionSpecProblem(spec: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (!spec.startsWith(envPrefix)) return null;
  const name = spec.slice(envPrefix.length);
  if (!variableName.test(name)) return `${JSON.stringify(spec)} is not env:NAME with a variable name`;
  if (!env[name]) return `environment variable ${name} (from ${JSON.stringify(spec)}) is not set`;
  return null;
}

/**
 * Resolves `env:NAME` (a URL read from that environment variable, so no password sits in a
 * file), a URL (anything else containing ':') or a knexfile environment name.
 */
export async function resolveConnectionSpec(
  spec: string,
  options: SpecOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedConnection> {
  const problem = connectionSpecProblem(spec, env);
  if (problem) throw new UsageError(problem, 'set the variable to a connection URL, e.g. postgres://user:pass@host/db');
  const url = spec.startsWith(envPrefix)
    ? (env[spec.slice(envPrefix.length)] as string)
    : spec.includes(':')
      ? spec
      : null;
  if (url) {
    const resolved = await resolveConnection({ url, ...(options.baseDir ? { cwd: options.baseDir } : {}) }, env);
    return spec.startsWith(envPrefix) ? { ...resolved, source: spec } : resolved;
  }
  return resolveConnection({ env: spec, ...(options.knexfile ? { knexfile: options.knexfile } : {}) }, env);
}
