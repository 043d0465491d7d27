import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/config/resolve-connection.js';
import { openDatabase } from '../../src/core/database.js';
import { cliPath } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { historyMessages, latestRun, stageStatuses } from '../support/status-rows.js';
import { ptyAvailable, runOnTerminal } from '../verify/verify-terminal.js';

const dialects = ptyAvailable('the migrate Ctrl-C tests') ? await dialectsUnderTest(['postgres']) : [];

async function sleepingStatements(db: TestDatabase): Promise<number> {
  const result = await db.knex.raw(
    'select count(*)::int as n from pg_stat_activity where datname = current_database() and ' +
      "query like '%pg_sleep(30)%' and pid <> pg_backend_pid()",
  );
  return result.rows[0].n as number;
}

/**
 * Ctrl-C typed in a real pseudo-terminal (the terminal turns it into SIGINT, as for a user; the
 * spinner must not swallow it): the running statement is cancelled on the server, the stage is
 * error, history says stopped by SIGINT, the lock is free, exit 130.
 */
describe.each(dialects)('Ctrl-C in a terminal stops migrate (%s)', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase('postgres', 'ctrlc');
    dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-ctrlc-'));
    for (const [stage, file, sql] of [
      ['ods', '010_first.sql', 'select 1;'],
      ['rds', '010_sleep.sql', 'select pg_sleep(30);'],
      ['report', '010_last.sql', 'select 1;'],
    ] as const) {
      mkdirSync(path.join(dir, stage), { recursive: true });
      writeFileSync(path.join(dir, stage, file), `${sql}\n`);
    }
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Types Ctrl-C while rds's pg_sleep runs under `command`; checks the stop as a user would look for it. */
  async function ctrlCStops(command: 'migrate' | 'resume' | 'restart'): Promise<void> {
    const argv = [process.execPath, cliPath, command, '--url', db.url, '--schema', db.schema, '--sql-dir', dir];
    const terminal = runOnTerminal(argv, 'rds 010_sleep', ['\x03']);
    await terminal.ready;
    const until = Date.now() + 10_000;
    while ((await sleepingStatements(db)) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(await sleepingStatements(db)).toBe(1);
    terminal.type();
    const result = await terminal.done;

    expect(result.exit, result.screen).toBe(130);
    expect(result.afterKeysMs).toBeLessThan(10_000);
    expect(result.screen).toContain('stopping: cancelled by signal SIGINT');
    expect(result.screen).toContain('rds 010_sleep [task 1 of 1]');
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 4, 3: 1 });
    const history = await historyMessages(db);
    expect(history.some((h) => h.startsWith('rds: error:') && h.includes('cancelled by signal SIGINT'))).toBe(true);
    expect(history.at(-1)).toMatch(/^run \d+ stopped by SIGINT: /);
    expect(await latestRun(db)).toMatchObject({ JobStatus: 'Stopped', Command: command });
    expect(await sleepingStatements(db)).toBe(0);
    const dmr = await openDatabase(await resolveConnection({ url: db.url }));
    try {
      expect(await dmr.adapter.lockHolder(dmr.knex, db.schema)).toBeNull();
    } finally {
      await dmr.close();
    }
  }

  it('exit 130, stage error, statement gone from pg_stat_activity, lock free', () => ctrlCStops('migrate'));

  // resume and restart run the same runner but reach it through their own commands: a handler installed by
  // migrate's path alone would leave them to the spinner's raw mode (the key never becomes SIGINT).
  it('resume and restart: the same stop, exit 130, history and lock', async () => {
    await ctrlCStops('resume');
    await ctrlCStops('restart');
  });

  it('a second Ctrl-C ends the process at once, by SIGINT', async () => {
    const argv = [process.execPath, cliPath, 'migrate', '--url', db.url, '--schema', db.schema, '--sql-dir', dir];
    const terminal = runOnTerminal(argv, 'rds 010_sleep', ['\x03', '\x03'], 300);
    await terminal.ready;
    // Hold the status table so the first Ctrl-C's orderly stop cannot finish before the second
    // key arrives (on a quiet machine it took under 50 ms and the run exited 130 on its own).
    const holder = await db.knex.transaction();
    try {
      await holder.raw(`lock table "${db.schema}"."DataMigrations" in exclusive mode`);
      terminal.type();
      const result = await terminal.done;
      expect(result.exit, result.screen).toBeNull();
      expect(result.signal).toBe(2);
      expect(result.screen).toContain('Ctrl-C again exits at once');
    } finally {
      await holder.rollback();
    }
  });
});
