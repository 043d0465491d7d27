import { resolveConnectionSpec } from '../config/connection-spec.js';
import { resolveConnection, type ResolvedConnection } from '../config/resolve-connection.js';

/**
 * A database of a verify or copy: a URL (it contains ":"), env:NAME (a URL read from that environment
 * variable) or a knexfile environment name.
 */
export type SideSpec = string;

/** Resolves a side the way --source and --target are. */
export function resolveSide(
  value: SideSpec,
  o: { readonly knexfile?: string; readonly cwd?: string },
): Promise<ResolvedConnection> {
  return value.includes(':')
    ? resolveConnectionSpec(value, o.cwd ? { baseDir: o.cwd } : {})
    : resolveConnection({ env: value, knexfile: o.knexfile, cwd: o.cwd });
}
