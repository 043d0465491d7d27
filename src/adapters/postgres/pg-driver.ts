import type pg from 'pg';
import { lazyDriver } from '../lazy-driver.js';

const required = lazyDriver<typeof pg>('pg');

/**
 * node-postgres, loaded on first use. It tells a Cloudflare Worker apart by `navigator.userAgent`
 * and, where there is no `navigator` (Node 20), by constructing a `Response` while it loads: that
 * pulls in Node's fetch (undici), about 6 MB of memory for nothing. While pg loads, a `navigator`
 * naming Node answers first; Node 21 and later have their own. (`isCloudflareRuntime` in
 * pg/lib/stream.js.) knex requires the same cached module, so loading it here first is enough.
 */
export function pgDriver(): typeof pg {
  const scope = globalThis as { navigator?: unknown };
  if ('navigator' in scope) return required();
  scope.navigator = { userAgent: 'Node.js' };
  try {
    return required();
  } finally {
    delete scope.navigator;
  }
}
