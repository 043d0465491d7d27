import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A PostgreSQL server of a test's own (initdb into a temp dir, a free port), for tests that stop
 * and restart the server: the shared server on 5432 is never touched. Runs the local
 * installation's binaries (/usr/lib/postgresql/<version>/bin) as the postgres user when the
 * tests run as root (initdb refuses root).
 */
export interface PgInstance {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  /** pg_ctl stop -m immediate: backends killed at once, as in a crash or failover. */
  stopImmediate(): void;
  start(): void;
  /** Stops the server and removes its directory. */
  destroy(): void;
}

/** The newest local installation's bin directory, or null when none is installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')));
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest ? path.join(root, newest, 'bin') : null;
}

/** A TCP port nothing listens on now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** initdb, then start on a free port; trust authentication on 127.0.0.1 only. */
export async function startPgInstance(): Promise<PgInstance> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('no PostgreSQL installation under /usr/lib/postgresql');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot)
    chownSync(
      dir,
      Number(execFileSync('id', ['-u', 'postgres']).toString()),
      Number(execFileSync('id', ['-g', 'postgres']).toString()),
    );
  const run = (tool: string, args: readonly string[]) => {
    const command = path.join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', command, ...args] : args;
    execFileSync(asRoot ? 'runuser' : command, argv, { stdio: 'pipe', timeout: 120_000 });
  };
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB`;
  const start = () =>
    run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  start();
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stopImmediate: () => run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']),
    start,
    destroy: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
