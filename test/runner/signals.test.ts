import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/config/resolve-connection.js';
import { openDatabase } from '../../src/core/database.js';
import { startCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { fixture, historyMessages, latestRun, stageStatuses, target } from '../support/status-rows.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql', 'mssql']);

/** Sessions still running the fixture's 60 s sleep, seen by the server itself. */
async function sleepingStatements(db: TestDatabase): Promise<number> {
  const sql: Record<string, string> = {
    postgres:
      'select count(*) as n from pg_stat_activity where datname = current_database() and query ' +
      "like '%pg_sleep(60)%' and pid <> pg_backend_pid()",
    mysql:
      'select count(*) as n from information_schema.processlist where db = database() and info ' +
      "like '%sleep(60)%' and id <> connection_id()",
    mssql:
      'select count(*) as n from sys.dm_exec_requests r cross apply ' +
      "sys.dm_exec_sql_text(r.sql_handle) t where t.text like '%waitfor delay%' and r.session_id " +
      '<> @@spid',
  };
  const query = sql[db.dialect];
  if (!query) return 0;
  const result = await db.knex.raw(query);
  const rows = Array.isArray(result) ? (Array.isArray(result[0]) ? result[0] : result) : result.rows;
  return Number(rows[0].n);
}

describe.each(dialects)('stopping a run with a signal (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'signal');
  });
  afterAll(async () => db?.drop());

  const signal: NodeJS.Signals = dialect === 'sqlite' ? 'SIGINT' : 'SIGTERM';
  const exitCode = signal === 'SIGINT' ? 130 : 143;

  it(`${signal} cancels the statement, records the stop, frees the lock and exits ${exitCode}`, async () => {
    const cli = startCli(['migrate', ...target(db), '--sql-dir', fixture('hang'), '--json']);
    await cli.waitForOutput('rds: 010_sleep started');
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (dialect !== 'sqlite') expect(await sleepingStatements(db)).toBe(1);
    const killedAt = Date.now();
    cli.child.kill(signal);
    const result = await cli.done;

    expect(result.code).toBe(exitCode);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'stopped', signal });
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 4, 3: 1 });
    expect(
      (await historyMessages(db)).some(
        (m) => m.startsWith('rds: error:') && m.includes(`cancelled by signal ${signal}`),
      ),
    ).toBe(true);
    expect(await latestRun(db)).toMatchObject({ JobStatus: 'Stopped' });
    expect(await sleepingStatements(db)).toBe(0);

    const dmr = await openDatabase(await resolveConnection({ url: db.url }));
    try {
      expect(await dmr.adapter.lockHolder(dmr.knex, db.schema)).toBeNull();
    } finally {
      await dmr.close();
    }
  });
});
