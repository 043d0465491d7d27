import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, startCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { relayTo } from './verify-relay.js';
import { ptyAvailable, runOnTerminal } from './verify-terminal.js';

const dialects = (await dialectsUnderTest(['postgres', 'mysql'])).filter(
  (d): d is 'postgres' | 'mysql' => d === 'postgres' || d === 'mysql',
);
const rows = 100_000;
const pty = ptyAvailable('the verify Ctrl-C tests');

/**
 * A per-row sleep in --where makes the hash scan of 100k rows take about a minute: long enough to interrupt
 * whatever the machine's load.
 */
const slowWhere = { postgres: 'pg_sleep(0.0006) is not null', mysql: 'sleep(0.0006) = 0' } as const;
const marker = { postgres: 'pg_sleep(0.0006)', mysql: 'sleep(0.0006)' } as const;

/**
 * Statements running the slow hash query in this file's database, as the server itself sees them; `clients`: only
 * the sessions verify opened, not the parallel workers a query of theirs started.
 */
async function runningHashQueries(db: TestDatabase, clients = false): Promise<number> {
  const onlyClients = clients ? " and backend_type = 'client backend'" : '';
  const sql =
    db.dialect === 'postgres'
      ? `select count(*) as n from pg_stat_activity
          where datname = current_database() and state = 'active'${onlyClients}
            and query like '%${marker.postgres}%' and query not like '%pg_stat_activity%'`
      : `select count(*) as n from information_schema.processlist
          where db = database() and info like '%${marker.mysql}%' and info not like '%processlist%'`;
  const result = await db.knex.raw(sql);
  const found = db.dialect === 'postgres' ? result.rows : result[0];
  return Number(found[0].n);
}

/** Ends what the frozen relay left running in this file's database (the process that sent it is gone). */
async function cancelLeftovers(db: TestDatabase): Promise<void> {
  if (db.dialect === 'postgres') {
    await db.knex.raw(
      `select pg_cancel_backend(pid) from pg_stat_activity
        where datname = current_database() and query like '%${marker.postgres}%' and pid <> pg_backend_pid()`,
    );
    return;
  }
  const [found] = await db.knex.raw(
    `select id from information_schema.processlist
      where db = database() and info like '%${marker.mysql}%' and id <> connection_id()`,
  );
  for (const { id } of found as { id: number }[]) await db.knex.raw(`kill query ${Number(id)}`).catch(() => undefined);
}

/**
 * Waits until no hash query runs any more (the server may take a moment to clear a cancelled one); returns how
 * many were left.
 */
async function settledHashQueries(db: TestDatabase, withinMs = 3000): Promise<number> {
  const until = Date.now() + withinMs;
  for (;;) {
    const n = await runningHashQueries(db);
    if (n === 0 || Date.now() > until) return n;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function createPair(db: TestDatabase): Promise<void> {
  for (const table of ['big', 'big2'])
    await db.knex.raw(`create table ${table} (id integer primary key, v varchar(20))`);
  await db.knex.raw(
    db.dialect === 'postgres'
      ? `insert into big select g, 'v' || g from generate_series(1, ${rows}) g`
      : `insert into big select seq, concat('v', seq) from seq_1_to_${rows}`,
  );
  await db.knex.raw('insert into big2 select * from big');
  await db.knex.raw(db.dialect === 'postgres' ? 'analyze big' : 'analyze table big');
}

for (const dialect of dialects) {
  describe(`Ctrl-C and SIGTERM during verify cancel the server queries (${dialect})`, () => {
    let db: TestDatabase;
    const args = () => [
      'verify',
      '--source',
      db.url,
      '--target',
      db.url,
      '--table',
      'big=big2',
      '--where',
      slowWhere[dialect],
    ];
    beforeAll(async () => {
      db = await createTestDatabase(dialect, 'vsig');
      await createPair(db);
    });
    afterAll(async () => db?.drop());

    it.runIf(pty)(
      'Ctrl-C typed on a terminal: the spinner shows table, phase, rows and time; exit 130; the hash queries are gone',
      async () => {
        const terminal = runOnTerminal([process.execPath, cliPath, ...args()], 'big: hashing', ['\x03']);
        await terminal.ready;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(await runningHashQueries(db, true)).toBe(2);
        terminal.type();
        const result = await terminal.done;
        expect(result.exit).toBe(130);
        expect(result.afterKeysMs).toBeLessThan(10_000);
        expect(result.screen).toMatch(/0\/1 tables, 0 of ~[\d,]+ rows {2}big: hashing, ~[\d,]+ rows, \d+\.\ds/);
        expect(result.screen).toMatch(/verify stopped by SIGINT/);
        expect(await settledHashQueries(db)).toBe(0);
      },
    );

    it('kill -TERM: exit 143, the hash queries are gone', async () => {
      const cli = startCli([...args(), '--json']);
      await cli.waitForOutput('dmr', 1000).catch(() => undefined);
      const until = Date.now() + 30_000;
      while ((await runningHashQueries(db, true)) < 2 && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await runningHashQueries(db, true)).toBe(2);
      const killedAt = Date.now();
      cli.child.kill('SIGTERM');
      const result = await cli.done;
      expect(result.code).toBe(143);
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      expect(result.stderr).toMatch(/verify stopped by SIGTERM: its queries were cancelled on the servers/);
      expect(await settledHashQueries(db)).toBe(0);
    });

    it.runIf(pty)(
      'a second Ctrl-C exits at once, even while the first one waits for a server that stopped answering',
      async () => {
        const relay = await relayTo(Number(new URL(db.url).port || (dialect === 'postgres' ? 5432 : 3306)));
        try {
          const frozenUrl = new URL(db.url);
          frozenUrl.port = String(relay.port);
          const argv = [
            process.execPath,
            cliPath,
            'verify',
            '--source',
            db.url,
            '--target',
            frozenUrl.toString(),
            '--table',
            'big=big2',
            '--where',
            slowWhere[dialect],
          ];
          const terminal = runOnTerminal(argv, 'big: hashing', ['\x03', '\x03'], 1500);
          await terminal.ready;
          await new Promise((resolve) => setTimeout(resolve, 1000));
          relay.freeze();
          terminal.type();
          const result = await terminal.done;
          expect(result.screen).toMatch(
            /SIGINT: cancelling the verify queries on the servers \(Ctrl-C again exits at once\)/,
          );
          expect(result.signal).toBe(2);
          // The second key came 1.5 s after the first: the process ended within a moment of it.
          expect(result.afterKeysMs).toBeLessThan(1500 + 3000);
        } finally {
          relay.close();
          await cancelLeftovers(db);
        }
      },
    );
  });
}
