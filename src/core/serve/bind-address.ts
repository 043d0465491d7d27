import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/** True for names and addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

type Lookup = (host: string) => Promise<readonly { address: string }[]>;

/**
 * Whether listening on `host` stays on this machine: an address by itself; `localhost` and `*.localhost` only when
 * every address the name resolves to is loopback (a hosts file can point such a name anywhere). A name that does not
 * resolve counts by its name: listening on it fails anyway.
 */
export async function bindsLoopbackOnly(
  host: string,
  resolve: Lookup = (h) => lookup(h, { all: true }),
): Promise<boolean> {
  const h = host.replace(/^\[|\]$/g, '');
  if (isIP(h) || !isLoopback(h)) return isLoopback(h);
  const addresses = await resolve(h).catch(() => null);
  return addresses === null || (addresses.length > 0 && addresses.every((a) => isLoopback(a.address)));
}

/**
 * Binding beyond loopback exposes migration state to the network: it needs a token. Actions
 * change the database: they always need one, wherever the server listens.
 */
export function assertBindAllowed(host: string, loopbackOnly: boolean, hasToken: boolean, allowActions: boolean): void {
  if (!hasToken && !loopbackOnly) {
    throw new UsageError(
      `--host ${host} is reachable from other machines: a token is required`,
      'pass --token LABEL:SECRET (or --token-file), or keep the default --host 127.0.0.1',
    );
  }
  if (allowActions && !hasToken) {
    throw new UsageError(
      '--allow-actions needs a token: actions are only accepted with a bearer token',
      'pass --token LABEL:SECRET',
    );
  }
}
