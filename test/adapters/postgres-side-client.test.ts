import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/config/resolve-connection.js';
import { openDatabase, type Database } from '../../src/core/database.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

const [postgres] = await dialectsUnderTest(['postgres']);

describe.skipIf(!postgres)('PostgreSQL cancel and terminate by backend pid, on a pg client outside the pool', () => {
  let db: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    db = await createTestDatabase('postgres', 'cancel');
    // One connection: a cancel through the pool would wait behind the very statement it must stop.
    database = await openDatabase(await resolveConnection({ url: db.url }), { poolMax: 1 });
  });
  afterAll(async () => {
    await database?.close();
    await db?.drop();
  });

  async function sleeping(marker: string): Promise<{ running: Promise<unknown>; pid: number }> {
    const running = database.knex.raw(`select pg_sleep(30) as ${marker}`).then(
      () => null,
      (error: unknown) => error,
    );
    for (let i = 0; i < 200; i++) {
      const rows = (
        await db.knex.raw('select pid from pg_stat_activity where query like ? and pid <> pg_backend_pid()', [
          `%as ${marker}`,
        ])
      ).rows as { pid: number }[];
      if (rows[0]) return { running, pid: rows[0].pid };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the statement never started');
  }

  it('cancels the statement while the pool is exhausted; the session stays', async () => {
    const { running, pid } = await sleeping('to_cancel');
    await database.adapter.cancelStatement(database.knex, String(pid));
    const error = await running;
    expect(database.adapter.describeError(error)).toMatchObject({ code: '57014', cause: 'canceled' });
    const alive = (await db.knex.raw('select count(*)::int as n from pg_stat_activity where pid = ?', [pid])).rows as {
      n: number;
    }[];
    expect(alive[0]?.n).toBe(1);
    // The side client is gone, and it showed itself as dmr's.
    const side = (
      await db.knex.raw(
        'select count(*)::int as n from pg_stat_activity where datname = current_database() and ' +
          "application_name like '%(cancel)'",
      )
    ).rows as { n: number }[];
    expect(side[0]?.n).toBe(0);
  });

  it('terminates the session while the pool is exhausted', async () => {
    const { running, pid } = await sleeping('to_terminate');
    await database.adapter.terminateSession(database.knex, String(pid));
    expect(database.adapter.describeError(await running)).toMatchObject({ code: '57P01', cause: 'session-terminated' });
  });
});
