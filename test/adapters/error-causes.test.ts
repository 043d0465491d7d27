import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { adminKnex, createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { historyMessages, latestRun, target } from '../support/status-rows.js';
import { taskDir } from '../tasks/task-support.js';
import { relayTo } from '../verify/verify-relay.js';

const servers = await dialectsUnderTest(['postgres', 'mysql']);

/** Per engine: a task that waits, how to find and end its session, and the SQL of each cause. */
const engines = {
  postgres: {
    sleep: (marker: string) => `select pg_sleep(30) as ${marker};`,
    sessionOf: async (knex: Knex, marker: string) => {
      const rows = (
        await knex.raw('select pid from pg_stat_activity where query like ? and pid <> pg_backend_pid()', [
          `%as ${marker}%`,
        ])
      ).rows as { pid: number }[];
      return rows[0]?.pid;
    },
    terminate: (knex: Knex, id: number) => knex.raw('select pg_terminate_backend(?)', [id]),
    timeout: "set local statement_timeout = '300ms';\nselect pg_sleep(5);\n",
    waitingOnLock: async (knex: Knex) => {
      const rows = (
        await knex.raw(
          "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query " +
            "like '%update dl%id = 2%'",
        )
      ).rows as { n: number }[];
      return rows[0]?.n === 1;
    },
    // The outside session checks for deadlocks late, so the task (waiting first) is the one rolled back.
    outsider: 'set deadlock_timeout = 20000',
    terminated:
      /\[57P01\] the server ended the session \(SQLSTATE 57P01\): terminating connection due to administrator command/,
    timedOut: new RegExp(
      /\[57014\] the statement ran past its time limit \(statement timeout\) /.source +
        /\(SQLSTATE 57014\): canceling statement due to statement timeout/.source,
    ),
    deadlocked: /\[40P01\] deadlock: .* \(SQLSTATE 40P01\): deadlock detected/,
  },
  mysql: {
    sleep: (marker: string) => `select sleep(30) as ${marker};`,
    sessionOf: async (knex: Knex, marker: string) => {
      const [rows] = (await knex.raw(
        'select id from information_schema.processlist where info like ? and id <> connection_id()',
        [`%as ${marker}%`],
      )) as [{ id: number }[]];
      return rows[0]?.id;
    },
    terminate: (knex: Knex, id: number) => knex.raw(`kill connection ${Number(id)}`),
    timeout: 'set statement max_statement_time = 0.3 for select sleep(5);\n',
    waitingOnLock: async (knex: Knex) => {
      const [rows] = (await knex.raw(
        "select count(*) as n from information_schema.innodb_trx where trx_state = 'LOCK WAIT' and " +
          "trx_query like '%update dl%id = 2%'",
      )) as [{ n: number }[]];
      return Number(rows[0]?.n) === 1;
    },
    // InnoDB rolls back the transaction that changed fewer rows: the outside session changes many first.
    outsider: 'insert into heavy (id) select seq from seq_1_to_500',
    // MariaDB closes a killed connection without an error packet; a new connection tells it was the server.
    terminated: new RegExp(
      /\[PROTOCOL_CONNECTION_LOST\] the server ended the session /.source +
        /\(PROTOCOL_CONNECTION_LOST\); the server still accepts connections, so the /.source +
        /session was ended on its side/.source,
    ),
    timedOut: /\[1969\] the statement ran past its time limit \(statement timeout\) \(errno 1969, SQLSTATE 70100\)/,
    deadlocked: /\[ER_LOCK_DEADLOCK\] deadlock: .* \(errno 1213, SQLSTATE 40001\): Deadlock found/,
  },
} as const;

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe.skipIf(servers.length === 0).each(servers)('each cause of a failed task reads as such on %s', (dialect) => {
  const e = engines[dialect as keyof typeof engines];
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'causes');
    await db.knex.schema.createTable('dl', (t) => {
      t.integer('id').primary();
      t.integer('v');
    });
    await db.knex('dl').insert([
      { id: 1, v: 0 },
      { id: 2, v: 0 },
    ]);
    await db.knex.schema.createTable('heavy', (t) => t.integer('id'));
    expect((await runCli(['init', ...target(db)])).code).toBe(0);
  });
  afterAll(() => db?.drop());

  /** Runs one ods task through `dmr restart`; returns the failure text stored in history and the run record. */
  async function failure(sql: string, during?: (run: ReturnType<typeof startCli>) => Promise<void>): Promise<string> {
    const dir = taskDir({ 'ods/010_task.sql': sql, 'rds/': null, 'report/': null });
    const run = startCli(['restart', ...target(db), '--sql-dir', dir]);
    await during?.(run);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(1);
    const text = (await historyMessages(db)).filter((m) => m.includes('010_task failed')).at(-1) ?? '';
    expect(text).toContain('task 010_task failed at');
    expect(String((await latestRun(db))?.ErrorText ?? '')).toContain(
      text.slice(text.indexOf('task 010_task failed at')),
    );
    expect(text).not.toMatch(/ROLLBACK|COMMIT/i);
    return text;
  }

  it("a session ended by the server (the task's backend terminated)", async () => {
    const marker = `m${Date.now()}`;
    const text = await failure(e.sleep(marker), async (run) => {
      await run.waitForOutput('010_task started');
      let id: number | undefined;
      await until(async () => (id = await e.sessionOf(db.knex, marker)) !== undefined, 'the task session');
      await e.terminate(db.knex, id as number);
    });
    expect(text).toMatch(e.terminated);
  });

  it('a statement timeout', async () => {
    expect(await failure(e.timeout)).toMatch(e.timedOut);
  });

  it('a real deadlock between the task and another session', async () => {
    const outside = adminKnex(dialect as 'postgres' | 'mysql', db.url);
    try {
      await outside.transaction(async (trx) => {
        await trx.raw(e.outsider);
        await trx('dl').where({ id: 2 }).update({ v: 2 });
        const text = await failure(
          'update dl set v = 1 where id = 1;\nupdate dl set v = 1 where id = 2;\n',
          async () => {
            await until(() => e.waitingOnLock(db.knex), 'the task to wait on row 2');
            await trx('dl').where({ id: 1 }).update({ v: 2 });
          },
        );
        expect(text).toMatch(e.deadlocked);
      });
    } finally {
      await outside.destroy();
    }
    expect((await db.knex('dl').orderBy('id')).map((r: { v: number }) => r.v)).toEqual([2, 2]);
  });

  it('a network loss (all connections cut at a relay): not blamed on the server; the orphan cancelled', async () => {
    const relay = await relayTo(Number(new URL(db.url).port));
    try {
      const url = new URL(db.url);
      url.port = String(relay.port);
      const marker = `n${Date.now()}`;
      const dir = taskDir({ 'ods/010_task.sql': e.sleep(marker), 'rds/': null, 'report/': null });
      const run = startCli(['restart', '--url', url.toString(), '--schema', db.schema, '--sql-dir', dir]);
      await run.waitForOutput('010_task started');
      await until(async () => (await e.sessionOf(db.knex, marker)) !== undefined, 'the task session');
      relay.cut();
      const result = await run.done;
      // The database is there but the runner lost its connections: it records what it can and exits 2.
      expect(result.code, result.stdout + result.stderr).toBe(2);
      const text = (await historyMessages(db)).filter((m) => m.includes('010_task failed')).at(-1) ?? '';
      expect(text).toMatch(/the connection to the server was lost.*: the network broke it, not the server, /);
      expect(text).toMatch(/which still has session \d+ /);
      expect(text).toContain('(its statement was cancelled)');
      expect(text).not.toMatch(/ended the session|ROLLBACK/);
      expect(await e.sessionOf(db.knex, marker)).toBeUndefined();
    } finally {
      relay.close();
    }
  });

  it('the run can go on afterwards', async () => {
    const dir = taskDir({ 'ods/010_task.sql': 'select 1;\n', 'rds/': null, 'report/': null });
    expect((await runCli(['restart', ...target(db), '--sql-dir', dir])).code).toBe(0);
  });
});
