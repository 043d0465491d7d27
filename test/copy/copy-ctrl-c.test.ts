import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { ptyAvailable, runOnTerminal } from '../verify/verify-terminal.js';

const dialects = ptyAvailable('the copy Ctrl-C tests') ? await dialectsUnderTest(['postgres']) : [];

/** Statements on table big still running in one test database (the test's own session left out). */
async function bigStatements(db: TestDatabase, waitingOnLock = false): Promise<number> {
  const result = await db.knex.raw(
    'select count(*)::int as n from pg_stat_activity where datname = current_database() and ' +
      `query like '%"big"%' and state = 'active' and pid <> pg_backend_pid()` +
      (waitingOnLock ? " and wait_event_type = 'Lock'" : ''),
  );
  return result.rows[0].n as number;
}

/**
 * Ctrl-C typed in a real pseudo-terminal during `dmr copy` (issue 12 point 1: "verify (and copy) cancel their
 * server queries and exit 130"). The count of the target's rows, before the first chunk, waits on a lock the test
 * holds (as a large table's count takes minutes): it was out of the signal's reach, and Ctrl-C, twice, did nothing.
 */
describe.each(dialects)('Ctrl-C in a terminal stops copy (%s)', () => {
  let source: TestDatabase;
  let target: TestDatabase;
  beforeAll(async () => {
    source = await createTestDatabase('postgres', 'ctrlc_src');
    target = await createTestDatabase('postgres', 'ctrlc_tgt');
    await source.knex.raw(
      'create table big as select g as id, md5(g::text) as v from generate_series(1, 20000) g; ' +
        'alter table big add primary key (id)',
    );
    await target.knex.raw('create table big (id int primary key, v text)');
  });
  afterAll(async () => {
    await source?.drop();
    await target?.drop();
  });

  /**
   * dmr copy of `big` on a terminal while another session holds `lock table big in <mode>` on the target: Ctrl-C
   * once the copy's statement waits on the lock, then the lock is released. The terminal's result.
   */
  const ctrlCWhileLocked = async (mode: string, readyText: string) => {
    const holder = await target.knex.transaction();
    let released = false;
    try {
      await holder.raw(`lock table big in ${mode} mode`);
      const argv = [process.execPath, cliPath, 'copy', '--source', source.url, '--target', target.url];
      const terminal = runOnTerminal([...argv, '--table', 'big', '--parallel', '1'], readyText, ['\x03']);
      await terminal.ready;
      const until = Date.now() + 15_000;
      while ((await bigStatements(target, true)) === 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 100));
      expect(await bigStatements(target, true)).toBe(1);
      terminal.type();
      const result = await terminal.done;
      await holder.rollback();
      released = true;
      return result;
    } finally {
      if (!released) await holder.rollback();
    }
  };

  it('before the first chunk: exit 130 within 10 s, the statements gone from both servers', async () => {
    const result = await ctrlCWhileLocked('access exclusive', '');
    expect(result.exit, result.screen).toBe(130);
    expect(result.afterKeysMs).toBeLessThan(10_000);
    expect(result.screen).toContain('copy stopped by SIGINT');
    expect(result.screen).toContain('Ctrl-C again exits at once');
    expect(await bigStatements(target)).toBe(0);
    expect(await bigStatements(source)).toBe(0);
  }, 60_000);

  it('during a chunk: exit 130, the COPY gone from both servers, the chunk recorded as stopped', async () => {
    // SHARE lets the count of the target's rows through and holds the chunk's COPY FROM (it needs ROW EXCLUSIVE).
    const result = await ctrlCWhileLocked('share', 'big -> big');
    expect(result.exit, result.screen).toBe(130);
    expect(result.afterKeysMs).toBeLessThan(10_000);
    expect(result.screen).toContain('stopped');
    expect(await bigStatements(target)).toBe(0);
    expect(await bigStatements(source)).toBe(0);
    const chunks = await target.knex.raw(`select "Status" as s, "ErrorText" as e from "App"."DataMigrationCopyChunks"`);
    expect(chunks.rows).toEqual([{ s: 'error', e: 'cancelled by SIGINT' }]);
    expect(Number((await target.knex('big').count({ n: '*' }))[0]?.n)).toBe(0);
  }, 60_000);

  it('a second Ctrl-C ends the process at once, by SIGINT, while the first one waits to record the stop', async () => {
    const holder = await target.knex.transaction();
    try {
      await holder.raw("set local lock_timeout = '20s'");
      await holder.raw('lock table big in share mode');
      const argv = [process.execPath, cliPath, 'copy', '--source', source.url, '--target', target.url];
      const terminal = runOnTerminal(
        [...argv, '--table', 'big', '--parallel', '1'],
        'big -> big',
        ['\x03', '\x03'],
        300,
      );
      await terminal.ready;
      const until = Date.now() + 15_000;
      while ((await bigStatements(target, true)) === 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 100));
      expect(await bigStatements(target, true)).toBe(1);
      // The chunk is marked processing before its COPY starts; holding the ledger keeps the first Ctrl-C from
      // recording the cancelled chunk (and exiting 130 on its own) before the second key arrives.
      await holder.raw('lock table "App"."DataMigrationCopyChunks" in exclusive mode');
      // Released after 8 s whatever happens, so a second Ctrl-C that did nothing shows as exit 130, not a hang.
      const release = setTimeout(() => void holder.rollback().catch(() => undefined), 8_000);
      terminal.type();
      const result = await terminal.done;
      clearTimeout(release);
      expect(result.exit, result.screen).toBeNull();
      expect(result.signal).toBe(2);
      expect(result.afterKeysMs).toBeLessThan(5_000);
      expect(result.screen).toContain('Ctrl-C again exits at once');
    } finally {
      if (!holder.isCompleted()) await holder.rollback();
    }
  }, 60_000);
});
