import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/config/resolve-connection.js';
import { openDatabase, type Database } from '../../src/core/database.js';
import { runCli, startCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { fixture, stageStatuses, target } from '../support/status-rows.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql', 'mssql']);

describe.each(dialects)('one runner at a time (%s)', (dialect) => {
  let db: TestDatabase;
  let dmr: Database;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'lock');
    dmr = await openDatabase(await resolveConnection({ url: db.url }));
  });
  afterAll(async () => {
    await dmr?.close();
    await db?.drop();
  });

  it('two migrate processes started together: one runs, the other exits 3 naming the holder', async () => {
    const args = ['migrate', ...target(db), '--sql-dir', fixture('slow')];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    expect([a.code, b.code].sort()).toEqual([0, 3]);
    const loser = a.code === 3 ? a : b;
    expect(loser.stderr).toMatch(
      /another run holds the run lock: run \d+ \(migrate\) by \S+ on \S+ \(pid \d+\) since \d{4}-/,
    );
    expect(loser.stderr.split('\n').filter(Boolean)).toHaveLength(2);
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 5, 3: 5 });
    expect(await dmr.adapter.lockHolder(dmr.knex, db.schema)).toBeNull();
  });

  it('--wait waits for the holder to finish instead of exiting 3', async () => {
    const first = startCli(['migrate', ...target(db), '--sql-dir', fixture('slow')]);
    await first.waitForOutput('rds: 010_sleep started');
    expect(await dmr.adapter.lockHolder(dmr.knex, db.schema)).not.toBeNull();
    const second = await runCli(['migrate', ...target(db), '--sql-dir', fixture('slow'), '--wait', '30']);
    expect((await first.done).code).toBe(0);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('waiting for the run lock held by run');
  });
});

describe.each(dialects)('a killed runner leaves no lock behind (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'killed');
  });
  afterAll(async () => db?.drop());

  it('after SIGKILL the next migrate takes the lock at once, no unlock command needed', async () => {
    const victim = startCli(['migrate', ...target(db), '--sql-dir', fixture('hang')]);
    await victim.waitForOutput('rds: 010_sleep started');
    victim.child.kill('SIGKILL');
    expect((await victim.done).signal).toBe('SIGKILL');
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 3, 3: 2 });

    const next = await runCli(['migrate', ...target(db), '--sql-dir', fixture('slow'), '--only', 'ods', '--wait', '5']);
    expect(next.stderr).not.toContain('waiting for the run lock');
    expect(next.code).toBe(0);
  });
});
