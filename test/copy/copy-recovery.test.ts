import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

const available = await dialectsUnderTest(['postgres', 'mysql']);
const both = available.includes('postgres') && available.includes('mysql');
const rows = 40_000;

async function successChunks(pg: TestDatabase): Promise<number> {
  try {
    const r = await pg.knex.raw(
      `select count(*)::int as n from "App"."DataMigrationCopyChunks" where "Status" = 'success'`,
    );
    return r.rows[0].n as number;
  } catch {
    return 0;
  }
}

async function until(check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error('condition not reached in time');
}

describe.runIf(both)(
  'dmr copy recovery: SIGKILL, a server-terminated connection, SIGTERM, a second copy, a lost commit',
  () => {
    let my: TestDatabase;
    let pg: TestDatabase;
    let ledgerDb: TestDatabase;
    beforeAll(async () => {
      my = await createTestDatabase('mysql', 'cr_src');
      pg = await createTestDatabase('postgres', 'cr_tgt');
      ledgerDb = await createTestDatabase('postgres', 'cr_ledger');
      await my.knex.raw(
        'create table big (id int primary key, name varchar(60) not null, amount decimal(12,2), at datetime(3))',
      );
      await my.knex.raw(
        `insert into big select seq, concat('name ', seq, ' ', md5(seq)), seq / 100, ` +
          `timestamp'2024-01-01 00:00:00' + interval seq second from seq_1_to_${rows}`,
      );
    });
    afterAll(async () => {
      for (const db of [my, pg, ledgerDb]) await db?.drop();
    });
    const args = (table = 'big') => [
      'copy',
      '--source',
      my.url,
      '--target',
      pg.url,
      '--table',
      table,
      '--create',
      '--chunk-rows',
      '500',
      '--parallel',
      '1',
      '--json',
    ];

    // Each test copies 40,000 rows in 500-row chunks two or three times: minutes on a loaded 2-core machine.
    const sigkillTitle =
      'SIGKILL mid-copy: a second copy meanwhile exits 3; the rerun copies only unfinished chunks; verify equal';
    it(`${sigkillTitle}`, async () => {
      const first = startCli(args());
      await until(async () => (await successChunks(pg)) >= 4);
      const second = await runCli(args());
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(/another dmr copy into .*big is running/);
      first.child.kill('SIGKILL');
      await first.done;
      const done = await successChunks(pg);
      expect(done).toBeGreaterThanOrEqual(4);
      expect(done).toBeLessThan(80);

      const rerun = await runCli(args());
      expect(rerun.stderr).not.toMatch(/internal error/);
      expect(rerun.code).toBe(0);
      const doc = JSON.parse(rerun.stdout);
      expect(doc.tables[0]).toMatchObject({
        outcome: 'copied',
        chunks: 80,
        source_count: rows,
        target_count: rows,
        rows_rejected: 0,
      });
      expect(doc.tables[0].chunks_skipped).toBeGreaterThanOrEqual(done);
      expect(doc.tables[0].rows_read).toBe(rows - doc.tables[0].chunks_skipped * 500);
      const check = await runCli(['verify', '--source', my.url, '--target', pg.url, '--table', 'big']);
      expect(check.code).toBe(0);
      const pk = await pg.knex.raw(
        `select count(*)::int as n from pg_index where indrelid = 'big'::regclass and indisprimary`,
      );
      expect(pk.rows[0].n).toBe(1);
    }, 180_000);

    const terminatedTitle =
      'the target connection terminated by the server mid-chunk: exit 1 naming it, the rerun finishes, verify equal';
    it(`${terminatedTitle}`, async () => {
      await pg.knex.raw('drop table big');
      await pg.knex.raw(`delete from "App"."DataMigrationCopyChunks"`);
      await pg.knex.raw(`delete from "App"."DataMigrationCopies"`);
      const run = startCli(args());
      let terminated = 0;
      await until(async () => {
        const r = await pg.knex.raw(
          `select pg_terminate_backend(pid) as t from pg_stat_activity where datname = ` +
            `current_database() and query like 'copy "big"%' and state = 'active'`,
        );
        terminated = r.rows.length;
        return terminated > 0;
      });
      const result = await run.done;
      expect(result.code).toBe(1);
      const doc = JSON.parse(result.stdout);
      expect(doc.tables[0].outcome).toBe('failed');
      expect(doc.tables[0].error).toMatch(/terminat/i);
      expect(result.stderr).not.toMatch(/internal error/);
      const failed = await pg.knex.raw(
        `select count(*)::int as n from "App"."DataMigrationCopyChunks" where "Status" = 'error'`,
      );
      expect(failed.rows[0].n).toBe(1);

      const rerun = await runCli(args());
      expect(rerun.code).toBe(0);
      expect(JSON.parse(rerun.stdout).tables[0]).toMatchObject({
        outcome: 'copied',
        source_count: rows,
        target_count: rows,
      });
      expect((await runCli(['verify', '--source', my.url, '--target', pg.url, '--table', 'big'])).code).toBe(0);
    }, 180_000);

    // Was a hang in about 1 run of 3: the signal stopped the source read while the target's COPY FROM STDIN was
    // open, and the ROLLBACK queued behind that COPY forever. The load is now abandoned first (BulkLoad.abort).
    it('SIGTERM cancels the running statements, records the chunk, exits 143; the rerun finishes', async () => {
      await pg.knex.raw('drop table big');
      const run = startCli(args('big=big2'));
      // A chunk of big2 running or done: the copy is under way (polling for the brief COPY alone can miss every one
      // on a loaded machine).
      await until(async () => {
        const active = await pg.knex.raw(
          `select count(*)::int as n from pg_stat_activity where query like 'copy "big2"%' and state = 'active'`,
        );
        if (active.rows[0].n > 0) return true;
        const done = await pg.knex.raw(
          `select count(*)::int as n from "App"."DataMigrationCopyChunks" c join ` +
            `"App"."DataMigrationCopies" j on j."CopyId" = c."CopyId" where j."TargetTable" = 'big2' and ` +
            `c."Status" = 'success'`,
        );
        return done.rows[0].n > 0;
      });
      run.child.kill('SIGTERM');
      const result = await run.done;
      expect(result.code).toBe(143);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'stopped', signal: 'SIGTERM' });
      // No chunk is left processing: the one running (if the signal did not fall between two chunks) says why it
      // stopped.
      const left = await pg.knex.raw(
        `select c."Status" as s, c."ErrorText" as e from "App"."DataMigrationCopyChunks" c join ` +
          `"App"."DataMigrationCopies" j on j."CopyId" = c."CopyId" where j."TargetTable" = 'big2'`,
      );
      expect(left.rows.filter((r: { s: string }) => r.s === 'processing')).toEqual([]);
      expect(left.rows.filter((r: { s: string }) => r.s === 'error').map((r: { e: string }) => r.e)).toEqual(
        expect.arrayContaining([]),
      );
      for (const r of left.rows.filter((x: { s: string }) => x.s === 'error')) expect(r.e).toBe('cancelled by SIGTERM');
      const job = await pg.knex.raw(
        `select "Status" as s from "App"."DataMigrationCopies" where "TargetTable" = 'big2'`,
      );
      expect(job.rows).toEqual([{ s: 'stopped' }]);
      const rerun = await runCli(args('big=big2'));
      expect(rerun.code).toBe(0);
    }, 180_000);

    const lostCommitTitle =
      'a lost commit (ledger in another database): the rerun settles the chunk by checking the ' +
      'target rows, never by guessing';
    it(`${lostCommitTitle}`, async () => {
      const withLedger = [
        'copy',
        '--source',
        my.url,
        '--target',
        pg.url,
        '--table',
        'big=big3',
        '--create',
        '--chunk-rows',
        '5000',
        '--url',
        ledgerDb.url,
        '--json',
      ];
      const first = await runCli(withLedger);
      expect(first.code).toBe(0);
      const chunks = () =>
        ledgerDb.knex.raw(
          `select "ChunkNo" as n, "LowKey" as lo, "HighKey" as hi from "App"."DataMigrationCopyChunks" order by 1`,
        );
      const all = (await chunks()).rows as { n: number; lo: string | null; hi: string | null }[];
      expect(all.length).toBe(8);
      // Chunk 2 landed but its ledger update was lost; chunk 3 did not land at all.
      await ledgerDb.knex.raw(
        `update "App"."DataMigrationCopyChunks" set "Status" = 'processing', "Attempts" = 1 where "ChunkNo" in (2, 3)`,
      );
      const three = all[2] as { lo: string; hi: string };
      await pg.knex.raw(`delete from big3 where id >= ? and id < ?`, [
        JSON.parse(three.lo)[0],
        JSON.parse(three.hi)[0],
      ]);
      const rerun = await runCli(withLedger);
      expect(rerun.stderr).not.toMatch(/internal error/);
      expect(rerun.code).toBe(0);
      const doc = JSON.parse(rerun.stdout);
      expect(doc.tables[0]).toMatchObject({
        outcome: 'copied',
        chunks_settled: 1,
        chunks_skipped: 7,
        source_count: rows,
        target_count: rows,
      });
      expect(doc.tables[0].rows_read).toBe(5000);
      expect(rerun.stderr).toMatch(
        /chunk 2 was left unfinished: its rows were found in the target, equal to the source/,
      );
      expect((await runCli(['verify', '--source', my.url, '--target', pg.url, '--table', 'big=big3'])).code).toBe(0);
    }, 180_000);
  },
);
