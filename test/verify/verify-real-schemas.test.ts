import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const longNote = `${'a long note '.repeat(10)}end`;

/** The schema (MySQL: database) the data tables live in, so dmr's status tables can share it. */
const dataSchema = (db: TestDatabase) =>
  db.dialect === 'postgres' ? 'public' : db.dialect === 'mysql' ? new URL(db.url).pathname.slice(1) : 'main';

async function createData(db: TestDatabase, target: boolean): Promise<void> {
  await db.knex.raw('create table orders (id integer primary key, customer varchar(60), note text)');
  const orders = Array.from({ length: 120 }, (_, i) => ({
    id: i + 1,
    customer: `name${i + 1}`,
    note: i + 1 === 7 ? longNote : 'n',
  }));
  const changed = (o: (typeof orders)[number]) =>
    [100, 2, 10].includes(o.id)
      ? { ...o, customer: o.id === 2 ? 'alicia-target' : `${o.customer}!` }
      : o.id === 7
        ? { ...o, note: `${longNote}!` }
        : o;
  await db.knex('orders').insert(target ? orders.map(changed) : orders);
  // LINES is a reserved word in MySQL: verify quotes every name it sends.
  await db.knex.raw(
    `create table ${db.dialect === 'mysql' ? '`lines`' : 'lines'} ` +
      '(order_id integer not null, line_no integer not null, qty integer)',
  );
  const lines = [
    { order_id: 1, line_no: 1, qty: 1 },
    { order_id: 1, line_no: 2, qty: 2 },
    { order_id: 2, line_no: 1, qty: 3 },
    { order_id: 3, line_no: 1, qty: 5 },
  ];
  await db.knex('lines').insert(target ? lines.map((l) => (l.order_id === 2 ? { ...l, qty: 4 } : l)) : lines);
  await db.knex.raw('create table customers (id integer primary key, name varchar(40))');
  await db.knex('customers').insert([
    { id: 1, name: 'ann' },
    { id: 2, name: 'bo' },
  ]);
  await db.knex.raw('create table audit_log (id integer primary key, msg varchar(40))');
  await db.knex('audit_log').insert(
    target
      ? [
          { id: 1, msg: 'a' },
          { id: 2, msg: 'b' },
        ]
      : [{ id: 1, msg: 'a' }],
  );
}

for (const dialect of dialects) {
  describe(`verify reports for real schemas (${dialect})`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    let dir: string;
    const verify = (...args: string[]) => runCli(['verify', '--source', source.url, '--target', target.url, ...args]);
    beforeAll(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-verify-real-'));
      source = await createTestDatabase(dialect, 'vreal_src');
      target = await createTestDatabase(dialect, 'vreal_tgt');
      // dmr's status tables in the data's own schema, made to differ: the source's record a reset.
      for (const db of [source, target]) {
        const init = await runCli(['init', '--url', db.url, '--schema', dataSchema(db)]);
        expect(init.code).toBe(0);
      }
      const reset = await runCli([
        'reset',
        '--url',
        source.url,
        '--schema',
        dataSchema(source),
        '--stage',
        'ods',
        '--to',
        'error',
        '--reason',
        'test',
        '--yes',
      ]);
      expect(reset.code).toBe(0);
      await createData(source, false);
      await createData(target, true);
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('status tables that differ are never compared: equal when the data is', async () => {
      const statusRows = async (db: TestDatabase) =>
        (await db.knex('DataMigrationHistories').withSchema(dataSchema(db)).count('* as n'))[0];
      expect(await statusRows(source)).not.toEqual(await statusRows(target));
      const run = await verify(
        '--exclude-table',
        'orders',
        '--exclude-table',
        'lines',
        '--exclude-table',
        'audit_*',
        '--json',
      );
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).tables.map((t: { table: string }) => t.table)).toEqual(['customers']);
      const nothing = await verify(
        '--exclude-table',
        'orders',
        '--exclude-table',
        'lines',
        '--exclude-table',
        'audit_*',
        '--exclude-table',
        'cust*',
      );
      expect(nothing.code).toBe(2);
      expect(nothing.stderr).toMatch(/nothing to compare.*of dmr's status tables left out/);
      const differing = await verify('--json');
      expect(differing.code).toBe(1);
      expect(JSON.parse(differing.stdout).tables.map((t: { table: string }) => t.table)).toEqual([
        'audit_log',
        'customers',
        'lines',
        'orders',
      ]);
    });

    it("--exclude-table 'audit_*' leaves the differing audit table out", async () => {
      const run = await verify(
        '--exclude-table',
        'audit_*',
        '--exclude-table',
        'orders',
        '--exclude-table',
        'lin?s',
        '--json',
      );
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).tables.map((t: { table: string }) => t.table)).toEqual(['customers']);
      const audit = await verify('--exclude-table', 'orders', '--exclude-table', 'lin?s', '--json');
      expect(audit.code).toBe(1);
      expect(JSON.parse(audit.stdout).tables.find((t: { table: string }) => t.table === 'audit_log')).toMatchObject({
        status: 'different',
        extra_in_target: [{ id: '2' }],
      });
    });

    it('--key lines=order_id,line_no on a keyless table: one changed row, not a missing and an extra', async () => {
      const run = await verify('--exclude-table', 'audit_*', '--key', 'lines=order_id,line_no', '--json');
      expect(run.code).toBe(1);
      const lines = JSON.parse(run.stdout).tables.find((t: { table: string }) => t.table === 'lines');
      expect(lines).toMatchObject({
        comparison: 'key',
        key_columns: ['order_id', 'line_no'],
        difference_count: 1,
        missing_in_target: [],
        extra_in_target: [],
      });
      expect(lines.changed).toEqual([{ key: { order_id: '2', line_no: '1' }, columns: { qty: ['3', '4'] } }]);
      const keyless = JSON.parse((await verify('--table', 'lines', '--json')).stdout).tables[0];
      expect(keyless).toMatchObject({
        comparison: 'multiset',
        missing_rows: [{ row: { order_id: '2', line_no: '1', qty: '3' }, count: 1 }],
        extra_rows: [{ row: { order_id: '2', line_no: '1', qty: '4' }, count: 1 }],
      });
    });

    it('a plain --key with several tables is refused; with one table it still works', async () => {
      const several = await verify('--key', 'id');
      expect(several.code).toBe(2);
      expect(several.stderr).toMatch(/--key id names one table's key, but 4 tables are compared/);
      const one = await verify('--table', 'lines', '--key', 'order_id,line_no', '--json');
      expect(JSON.parse(one.stdout).tables[0].changed).toHaveLength(1);
      const unknown = await verify('--key', 'nope=id');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/no table "nope" is compared/);
    });

    it('text report: each difference with key and both values, in key order, long values shortened', async () => {
      const run = await verify('--table', 'orders');
      expect(run.code).toBe(1);
      const lines = run.stdout.split('\n');
      expect(run.stdout).toMatch(/orders\s+120\s+120\s+DIFFERENT\s+4/);
      const listed = lines.filter((l) => l.startsWith('  ~ '));
      expect(listed).toEqual([
        "  ~ id=2  customer: 'name2' → 'alicia-target'",
        `  ~ id=7  note: '${longNote.slice(0, 39)}…' (123 chars) → '${longNote.slice(0, 39)}…' (124 chars)`,
        "  ~ id=10  customer: 'name10' → 'name10!'",
        "  ~ id=100  customer: 'name100' → 'name100!'",
      ]);
      const redacted = await verify('--table', 'orders', '--redact');
      expect(redacted.stdout).toContain('  ~ id=2  customer: *** → ***');
      expect(redacted.stdout).not.toContain('alicia-target');
    });

    it('text report: numbers (integer, decimal, float) bare, strings quoted, --redact hides both', async () => {
      const float = dialect === 'postgres' ? 'double precision' : dialect === 'mysql' ? 'double' : 'real';
      for (const db of [source, target]) {
        await db.knex.raw(
          `create table prices (id integer primary key, amount decimal(10,2), ratio ${float}, code varchar(10))`,
        );
        await db
          .knex('prices')
          .insert(
            db === source
              ? { id: 1, amount: '12.50', ratio: 0.25, code: '007' }
              : { id: 1, amount: '99.00', ratio: 0.5, code: '008' },
          );
      }
      try {
        // SQLite keeps a decimal as the number it is (NUMERIC affinity), without the declared scale.
        const amounts = dialect === 'sqlite' ? '12.5 → 99' : '12.50 → 99.00';
        const text = await verify('--table', 'prices');
        expect(text.code).toBe(1);
        expect(text.stdout.split('\n').filter((l) => l.startsWith('  ~ '))).toEqual([
          `  ~ id=1  amount: ${amounts}  ratio: 0.25 → 0.5  code: '007' → '008'`,
        ]);
        const redacted = await verify('--table', 'prices', '--redact');
        expect(redacted.stdout).toContain('  ~ id=1  amount: *** → ***  ratio: *** → ***  code: *** → ***');
      } finally {
        for (const db of [source, target]) await db.knex.raw('drop table prices');
      }
      const keyed = await verify('--table', 'lines', '--key', 'order_id,line_no');
      expect(keyed.stdout).toContain('  ~ order_id=2,line_no=1  qty: 3 → 4');
      const multiset = await verify('--table', 'lines');
      expect(multiset.stdout).toContain('  - 1× order_id=2 line_no=1 qty=3\n  + 1× order_id=2 line_no=1 qty=4');
    });

    it('an incomparable table: skipped with the reason in text, JSON and JUnit; others compared', async () => {
      const time = dialect === 'postgres' ? 'time' : dialect === 'mysql' ? 'time' : 'time';
      for (const db of [source, target]) {
        await db.knex.raw(`create table shifts (id integer primary key, starts ${time})`);
        await db.knex('shifts').insert({ id: 1, starts: '08:00:00' });
      }
      try {
        const text = await verify('--exclude-table', 'audit_*');
        expect(text.code).toBe(1);
        expect(text.stdout).toMatch(/shifts\s+-\s+-\s+SKIPPED/);
        expect(text.stdout).toMatch(/shifts: not compared: column shifts\.starts cannot be compared/);
        expect(text.stdout).toMatch(/orders\s+120\s+120\s+DIFFERENT/);
        const report = path.join(dir, `skipped-${dialect}.xml`);
        const json = await verify('--exclude-table', 'audit_*', '--format', 'junit', '--out', report, '--json');
        expect(json.code).toBe(1);
        const doc = JSON.parse(json.stdout);
        expect(doc).toMatchObject({ status: 'different', tables_compared: 3, tables_skipped: 1 });
        expect(doc.tables.find((t: { table: string }) => t.table === 'shifts')).toMatchObject({
          status: 'skipped',
          reason: expect.stringMatching(/cannot be compared/),
        });
        const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
          readFileSync(report, 'utf8'),
        ).testsuite;
        expect(suite).toMatchObject({ tests: '4', failures: '2', errors: '1' });
        const shifts = [suite.testcase].flat().find((c: { name: string }) => c.name === 'shifts');
        expect(shifts.error).toMatchObject({
          type: 'skipped',
          message: expect.stringMatching(/^not compared: column shifts\.starts cannot be compared/),
        });
      } finally {
        for (const db of [source, target]) await db.knex.raw('drop table shifts');
      }
    });

    it('--out FILE --format F writes F, stdout is --json or text; --json --format text is a usage error', async () => {
      const file = path.join(dir, `report-${dialect}.json`);
      const textOut = await verify('--table', 'lines', '--format', 'json', '--out', file);
      expect(textOut.code).toBe(1);
      expect(textOut.stdout).toMatch(/lines\s+4\s+4\s+DIFFERENT/);
      expect(JSON.parse(readFileSync(file, 'utf8')).tables[0].table).toBe('lines');
      const xml = path.join(dir, `report-${dialect}.xml`);
      const jsonOut = await verify('--table', 'lines', '--format', 'junit', '--out', xml, '--json');
      expect(JSON.parse(jsonOut.stdout).tables[0].table).toBe('lines');
      expect(readFileSync(xml, 'utf8')).toMatch(/^<\?xml/);
      for (const format of ['text', 'junit']) {
        const contradictory = await verify('--table', 'lines', '--json', '--format', format);
        expect(contradictory.code).toBe(2);
        expect(contradictory.stderr).toMatch(new RegExp(`--json and --format ${format} ask for two formats on stdout`));
      }
    });
  });
}
