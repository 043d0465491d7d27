import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

const available = await dialectsUnderTest(['postgres', 'mysql']);
const both = available.includes('postgres') && available.includes('mysql');

describe.runIf(both)('dmr copy: rejected rows and bad input', () => {
  let my: TestDatabase;
  let pg: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-copy-'));
    my = await createTestDatabase('mysql', 'ci_src');
    pg = await createTestDatabase('postgres', 'ci_tgt');
    await my.knex.raw('create table people (id int primary key, name varchar(20), amount decimal(8,2))');
    await my.knex.raw(`insert into people select seq, concat('p', seq), seq from seq_1_to_2000`);
    await my.knex.raw(`update people set name = 'much too long a name' where id = 17`);
    await my.knex.raw(`update people set name = null where id = 1500`);
    await my.knex.raw(`update people set amount = -5 where id = 1999`);
    await pg.knex.raw(
      'create table people (id int primary key, name varchar(5) not null, amount numeric(8,2) check (amount >= 0))',
    );
  });
  afterAll(async () => {
    await my?.drop();
    await pg?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const refusedRowsTitle =
    'refused rows: the others land, the rejects file holds exactly them with messages, exit 1; ' +
    '--retry-rejects after a fix exits 0';
  it(refusedRowsTitle, async () => {
    const file = path.join(dir, 'rejects.csv');
    const run = await runCli([
      'copy',
      '--source',
      my.url,
      '--target',
      pg.url,
      '--table',
      'people',
      '--chunk-rows',
      '600',
      '--rejects',
      file,
      '--json',
    ]);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).tables[0]).toMatchObject({
      outcome: 'rejects',
      rows_copied: 1997,
      rows_rejected: 3,
      source_count: 2000,
      target_count: 1997,
    });
    const rows = (parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[]).sort(
      (a, b) => Number(a.id) - Number(b.id),
    );
    expect(rows.map((r) => [r.id, r.component, r.referenceId, r.field])).toEqual([
      ['17', 'people', '["17"]', 'name'],
      ['1500', 'people', '["1500"]', 'name'],
      ['1999', 'people', '["1999"]', ''],
    ]);
    expect(rows[0]?.message).toMatch(/too long/);
    expect(rows[1]?.message).toMatch(/null/);
    expect(rows[2]?.message).toMatch(/check constraint/);
    expect(rows[0]?.name).toBe('much too long a name');
    const stored = await pg.knex.raw(
      `select "ReferenceId" as r, "Status" as s from "App"."DataMigrationCopyRejects" order by 1`,
    );
    expect(stored.rows).toEqual([
      { r: '["1500"]', s: 'rejected' },
      { r: '["17"]', s: 'rejected' },
      { r: '["1999"]', s: 'rejected' },
    ]);

    await pg.knex.raw(
      'alter table people alter column name type varchar(30), alter column name drop not null, ' +
        'drop constraint people_amount_check',
    );
    const retry = await runCli([
      'copy',
      '--source',
      my.url,
      '--target',
      pg.url,
      '--table',
      'people',
      '--retry-rejects',
      '--json',
    ]);
    expect(retry.code).toBe(0);
    expect(JSON.parse(retry.stdout).tables[0]).toMatchObject({
      outcome: 'copied',
      rows_read: 3,
      rows_copied: 3,
      rows_rejected: 0,
    });
    expect((await pg.knex('people').count({ n: '*' }))[0]).toEqual({ n: '2000' });
    const again = await runCli([
      'copy',
      '--source',
      my.url,
      '--target',
      pg.url,
      '--table',
      'people',
      '--retry-rejects',
      '--json',
    ]);
    expect(JSON.parse(again.stdout).tables[0]).toMatchObject({ rows_read: 0 });
    expect((await runCli(['verify', '--source', my.url, '--target', pg.url, '--table', 'people'])).code).toBe(0);
  });

  const badInputTitle =
    'bad input exits 2 and writes nothing: unknown table, injection attempts, same source and ' +
    'target, conflicting modes';
  it(badInputTitle, async () => {
    const before = await pg.knex.raw(
      `select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
    );
    const cases: string[][] = [
      ['--table', 'nosuch', '--create'],
      ['--table', 'people;drop table people', '--create'],
      ['--table', 'people=x"; drop table people; --', '--create'],
      ['--target-schema', 'a"b', '--create'],
      ['--table', 'people=other', '--create', '--cast', 'name=text); drop table people; --'],
      ['--table', 'people', '--create', '--truncate'],
    ];
    for (const extra of cases) {
      const run = await runCli(['copy', '--source', my.url, '--target', pg.url, ...extra]);
      expect(run.code, extra.join(' ')).toBe(2);
      expect(run.stderr).not.toMatch(/internal error/);
    }
    const same = await runCli(['copy', '--source', pg.url, '--target', pg.url, '--table', 'people']);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/the source and the target are the same table/);
    const after = await pg.knex.raw(
      `select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
    );
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect((await pg.knex('people').count({ n: '*' }))[0]).toEqual({ n: '2000' });
  });
});
