import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestVerification } from '../../src/core/verify/verification-record.js';
import { resolveConnection } from '../../src/config/resolve-connection.js';
import { openDatabase } from '../../src/core/database.js';
import { StatusStore } from '../../src/core/status/status-store.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

/** The built CLI (`npm run build`); DMR_CLI points elsewhere when needed. */
const cli = process.env.DMR_CLI ?? path.resolve('dist/bin/dmr.js');
const dmr = (...args: string[]) =>
  spawnSync(process.execPath, [cli, 'verify', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DMR_DATABASE_URL: '' },
    timeout: 120_000,
  });
const available = await dialectsUnderTest(['postgres', 'mysql']);

describe.runIf(available.length === 2)(
  'dmr verify (built CLI) MariaDB -> PostgreSQL, 200k rows with 5 scattered differences',
  () => {
    let pg: TestDatabase;
    let my: TestDatabase;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-verify-cli-'));
      my = await createTestDatabase('mysql', 'vcli_src');
      pg = await createTestDatabase('postgres', 'vcli_tgt');
      await my.knex.raw(
        'create table big (id bigint primary key, name text, amount decimal(14,4), ratio double, ' +
          'happened datetime(3), flag tinyint(1))',
      );
      await my.knex.raw(
        `insert into big select seq, concat('name ', seq), seq * 1.25, seq / 7e0, ` +
          `timestamp('2024-01-01') + interval seq second + interval (seq % 1000) * 1000 microsecond, ` +
          `seq % 2 = 0 from seq_1_to_200000`,
      );
      await pg.knex.raw(
        'create table big (id bigint primary key, name varchar(50), amount numeric(12,2), ratio ' +
          'double precision, happened timestamp(3), flag boolean)',
      );
      await pg.knex.raw(
        `insert into big select g, 'name ' || g, g * 1.25, g::float8 / 7, timestamp '2024-01-01' + ` +
          `g * interval '1 second' + (g % 1000) * interval '1 millisecond', g % 2 = 0 from ` +
          `generate_series(1, 200000) g`,
      );
      for (const db of [my, pg]) {
        await db.knex.raw('create table small (id int primary key, v text)');
        await db.knex('small').insert([
          { id: 1, v: 'a' },
          { id: 2, v: null },
          { id: 3, v: '' },
        ]);
      }
      await pg.knex.raw(`update big set name = 'changed' where id = 17`);
      await pg.knex.raw('delete from big where id = 50001');
      await pg.knex.raw(`insert into big values (300000, 'new', 1, 1, '2024-01-01', true)`);
      await pg.knex.raw('update big set amount = amount + 0.01 where id = 123456');
      await pg.knex.raw(`update big set happened = happened + interval '1 millisecond' where id = 199999`);
    });
    afterAll(async () => {
      await my?.drop();
      await pg?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('JSON: exit 1 and exactly the 5 differences with their keys and columns', () => {
      const run = dmr('--source', my.url, '--target', pg.url, '--format', 'json');
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.status).toBe(1);
      const doc = JSON.parse(run.stdout);
      expect(doc.status).toBe('different');
      const big = doc.tables.find((t: { table: string }) => t.table === 'big');
      expect(big).toMatchObject({
        status: 'different',
        source_rows: 200000,
        target_rows: 200000,
        difference_count: 5,
        missing_in_target: [{ id: '50001' }],
        extra_in_target: [{ id: '300000' }],
      });
      const byId = (x: { key: { id: string } }, y: { key: { id: string } }) => Number(x.key.id) - Number(y.key.id);
      expect([...big.changed].sort(byId)).toEqual([
        { key: { id: '17' }, columns: { name: ['name 17', 'changed'] } },
        { key: { id: '123456' }, columns: { amount: ['154320', '154320.01'] } },
        { key: { id: '199999' }, columns: { happened: ['2024-01-03T07:33:19.999Z', '2024-01-03T07:33:20.000Z'] } },
      ]);
      expect(doc.tables.find((t: { table: string }) => t.table === 'small').status).toBe('equal');
    });

    it('JUnit: the file parses, one testsuite, one testcase per table, one failure listing the keys', () => {
      const file = path.join(dir, 'verify.xml');
      const run = dmr('--source', my.url, '--target', pg.url, '--format', 'junit', '--out', file);
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/big\s+200000\s+200000\s+DIFFERENT/);
      const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(file, 'utf8'));
      const suite = xml.testsuite;
      expect(suite).toMatchObject({ tests: '2', failures: '1' });
      const cases = [suite.testcase].flat();
      expect(cases.map((c: { name: string }) => c.name).sort()).toEqual(['big', 'small']);
      const failing = cases.filter((c: { failure?: unknown }) => c.failure);
      expect(failing).toHaveLength(1);
      const body = String(failing[0].failure['#text']);
      for (const key of [
        'missing in target: id=50001',
        'extra in target: id=300000',
        'changed: id=17',
        'changed: id=123456',
        'changed: id=199999',
      ])
        expect(body).toContain(key);
    });

    it('equal tables exit 0; --redact hides values; --record stores the verdict for `dmr status`', async () => {
      const statusUrl = `sqlite:${path.join(dir, 'status.sqlite3')}`;
      const run = dmr(
        '--source',
        my.url,
        '--target',
        pg.url,
        '--table',
        'small',
        '--format',
        'json',
        '--record',
        '--url',
        statusUrl,
      );
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout).status).toBe('equal');
      const redacted = dmr(
        '--source',
        my.url,
        '--target',
        pg.url,
        '--table',
        'big',
        '--format',
        'json',
        '--redact',
        '--max-diffs',
        '1',
      );
      expect(redacted.status).toBe(1);
      const big = JSON.parse(redacted.stdout).tables[0];
      expect(big.changed).toHaveLength(1);
      expect(Object.values(big.changed[0].columns)).toEqual([['***', '***']]);
      expect(big.truncated).toBe(true);
      const statusDb = await openDatabase(await resolveConnection({ url: statusUrl }));
      try {
        const last = await latestVerification(new StatusStore(statusDb, 'App'));
        expect(last).toMatchObject({ status: 'equal', mode: 'checksum', tablesCompared: 1, tablesDiffering: 0 });
        expect(JSON.parse(last!.summary!).tables[0].table).toBe('small');
        const status = await runCli(['status', '--url', statusUrl, '--json']);
        expect(JSON.parse(status.stdout).verification).toMatchObject({
          status: 'equal',
          tablesCompared: 1,
          tablesDiffering: 0,
        });
      } finally {
        await statusDb.close();
      }
    });

    it('--source and --target take env:NAME (a URL read from the environment, no password on the command line)', () => {
      const run = spawnSync(
        process.execPath,
        [cli, 'verify', '--source', 'env:DMR_T_SRC', '--target', 'env:DMR_T_TGT', '--table', 'small'],
        {
          encoding: 'utf8',
          env: { ...process.env, DMR_DATABASE_URL: '', DMR_T_SRC: my.url, DMR_T_TGT: pg.url },
          timeout: 120_000,
        },
      );
      expect(run.status, run.stderr).toBe(0);
      const unset = dmr('--source', 'env:DMR_T_UNSET', '--target', pg.url, '--table', 'small');
      expect(unset.status).toBe(2);
      expect(unset.stderr).toMatch(/environment variable DMR_T_UNSET .* is not set/);
    });

    it('bad input exits 2 and names the problem', () => {
      const injected = dmr('--source', my.url, '--target', pg.url, '--table', 'big; drop table big');
      expect(injected.status).toBe(2);
      expect(injected.stderr).toMatch(/not a plain table or column name/);
      const missing = dmr('--source', my.url, '--target', pg.url, '--table', 'nope');
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(/table "nope" not found/);
    });
  },
);
