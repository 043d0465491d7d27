import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './pg-instance.js';

/**
 * A MariaDB server of a test's own (mariadb-install-db into a temp dir, a free port, its own socket), for tests
 * that shut the server down: the shared server on 3306 is never touched. Grant tables are skipped (root without
 * a password on 127.0.0.1 only); the server runs as root when the tests do.
 */
export interface MariadbInstance {
  readonly port: number;
  /** mysql://root@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  /** `mariadb-admin shutdown`: a normal shutdown, the server ending every session as it stops. */
  shutdown(): void;
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): void;
}

const binaries = ['/usr/sbin/mariadbd', '/usr/bin/mariadb-install-db', '/usr/bin/mariadb-admin'] as const;

/** The local MariaDB binaries, or the first one missing. */
export function missingMariadbBinary(): string | null {
  return binaries.find((b) => !existsSync(b)) ?? null;
}

export async function startMariadbInstance(): Promise<MariadbInstance> {
  const missing = missingMariadbBinary();
  if (missing) throw new Error(`no MariaDB installation: ${missing} is missing`);
  const [mariadbd, installDb, admin] = binaries;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-mariadb-'));
  const data = path.join(dir, 'data');
  const socket = path.join(dir, 'sock');
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  execFileSync(
    installDb,
    ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot],
    { stdio: 'pipe', timeout: 120_000 },
  );
  const port = await freePort();
  const adminArgs = ['--no-defaults', `--socket=${socket}`, '-uroot'];
  const alive = () => {
    try {
      execFileSync(admin, [...adminArgs, 'ping'], { stdio: 'pipe', timeout: 5000 });
      return true;
    } catch {
      return false;
    }
  };
  const start = async () => {
    const server = spawn(
      mariadbd,
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${socket}`,
        `--pid-file=${path.join(dir, 'pid')}`,
        `--log-error=${path.join(dir, 'server.log')}`,
        '--skip-grant-tables',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=16M',
        ...asRoot,
      ],
      { stdio: 'ignore', detached: true },
    );
    server.unref();
    for (let i = 0; i < 200 && !alive(); i++) await new Promise((resolve) => setTimeout(resolve, 300));
    if (!alive()) throw new Error(`the test's MariaDB did not start: see ${path.join(dir, 'server.log')}`);
  };
  await start();
  const shutdown = () => execFileSync(admin, [...adminArgs, 'shutdown'], { stdio: 'pipe', timeout: 60_000 });
  return {
    port,
    url: (database = 'mysql') => `mysql://root@127.0.0.1:${port}/${database}`,
    shutdown,
    start,
    destroy: () => {
      try {
        shutdown();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
