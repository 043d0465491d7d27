import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/adapters/dialect-name.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import type { TableVerdict, VerifyEvent } from '../../src/core/verify/verify-types.js';
import { verificationDocument } from '../../src/core/verify/verification-document.js';
import { verifyJunit } from '../../src/cli/render/verify-junit.js';
import { verifyText } from '../../src/cli/render/verify-text.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { options } from './verify-fixtures.js';

interface LogRow {
  at: number;
  msg: string | null;
}

/** 60 log rows: row 5 twice, row 6 three times, one NULL message; no key of any kind. */
function logRows(): LogRow[] {
  const rows: LogRow[] = [];
  for (let i = 1; i <= 60; i++) {
    const copies = i === 5 ? 2 : i === 6 ? 3 : 1;
    for (let c = 0; c < copies; c++) rows.push({ at: i, msg: i === 11 ? null : `event ${i}` });
  }
  return rows;
}

const row = (at: number, msg: string | null = `event ${at}`) => ({ at: String(at), msg });

const cases: {
  readonly table: string;
  readonly rows: LogRow[];
  readonly missing: { row: object; count: number }[];
  readonly extra: { row: object; count: number }[];
}[] = [
  { table: 'logs_same', rows: logRows(), missing: [], extra: [] },
  {
    table: 'logs_duplicated',
    rows: [...logRows(), { at: 7, msg: 'event 7' }],
    missing: [],
    extra: [{ row: row(7), count: 1 }],
  },
  { table: 'logs_missing', rows: logRows().filter((r) => r.at !== 8), missing: [{ row: row(8), count: 1 }], extra: [] },
  {
    table: 'logs_changed',
    rows: logRows().map((r) => (r.at === 9 ? { ...r, msg: 'event nine' } : r)),
    missing: [{ row: row(9), count: 1 }],
    extra: [{ row: row(9, 'event nine'), count: 1 }],
  },
  {
    table: 'logs_fewer_copies',
    rows: [...logRows().filter((r) => r.at !== 6), { at: 6, msg: 'event 6' }],
    missing: [{ row: row(6), count: 2 }],
    extra: [],
  },
  {
    table: 'logs_null',
    rows: logRows().map((r) => (r.at === 11 ? { ...r, msg: '' } : r)),
    missing: [{ row: row(11, null), count: 1 }],
    extra: [{ row: row(11, ''), count: 1 }],
  },
];

const q = (db: TestDatabase, n: string) => (db.dialect === 'mysql' ? `\`${n}\`` : `"${n}"`);

async function createLogs(db: TestDatabase, table: string, rows: readonly LogRow[]): Promise<void> {
  await db.knex.raw(`create table ${q(db, table)} (${q(db, 'at')} integer not null, ${q(db, 'msg')} varchar(40))`);
  for (let i = 0; i < rows.length; i += 100) await db.knex(table).insert(rows.slice(i, i + 100));
}

/** kind is not unique on either side: 'a' repeats identically on both, 'b' gains a row in the target. */
async function createEvents(db: TestDatabase, extra: boolean, table = 'events'): Promise<void> {
  await db.knex.raw(`create table ${table} (kind varchar(10) not null, n integer)`);
  const rows = [
    { kind: 'a', n: 1 },
    { kind: 'a', n: 2 },
    { kind: 'b', n: 1 },
    { kind: 'b', n: 2 },
    { kind: 'c', n: 1 },
  ];
  await db.knex(table).insert(extra ? [...rows, { kind: 'b', n: 3 }] : rows);
}

const pairs: [DialectName, DialectName][] = [
  ['sqlite', 'sqlite'],
  ['postgres', 'postgres'],
  ['mysql', 'mysql'],
  ['mysql', 'postgres'],
  ['sqlite', 'postgres'],
];
const available = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

for (const [from, to] of pairs.filter(([a, b]) => available.includes(a) && available.includes(b))) {
  describe(`verify ${from} -> ${to}: tables without a unique key are compared as multisets of whole rows`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    beforeAll(async () => {
      source = await createTestDatabase(from, 'vkl_src');
      target = await createTestDatabase(to, 'vkl_tgt');
      await createLogs(source, 'logs', logRows());
      for (const c of cases) await createLogs(target, c.table, c.rows);
      await createEvents(source, false);
      await createEvents(target, true);
      await createEvents(target, false, 'events_same');
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
    });

    it.each(cases)('$table: missing and extra rows with their multiplicity', async (c) => {
      for (const segmentRows of [1000, 4]) {
        const result = await verifyData(
          options(source, target, { tables: [{ source: 'logs', target: c.table }], segmentRows }),
        );
        const v = result.tables[0]!;
        expect(v.comparison).toBe('multiset');
        expect(v.keyColumns).toEqual([]);
        expect(v.missingRows).toEqual(c.missing);
        expect(v.extraRows).toEqual(c.extra);
        expect([v.missingInTarget, v.extraInTarget, v.changed, v.duplicatesInSource, v.duplicatesInTarget]).toEqual([
          [],
          [],
          [],
          [],
          [],
        ]);
        expect(v.differenceCount).toBe([...c.missing, ...c.extra].reduce((a, r) => a + r.count, 0));
        expect(v.status).toBe(c.missing.length || c.extra.length ? 'different' : 'equal');
        expect(v.sourceRows).toBe(63);
        expect(v.targetRows).toBe(c.rows.length);
      }
    });

    it('rows mode finds the same multiset differences as checksum mode', async () => {
      const tables = cases.map((c) => ({ source: 'logs', target: c.table }));
      const [bySum, byRow] = await Promise.all([
        verifyData(options(source, target, { tables, segmentRows: 4 })),
        verifyData(options(source, target, { tables, mode: 'rows' })),
      ]);
      const strip = (v: TableVerdict) => ({ ...v, durationMs: 0, segmentsDownloaded: 0 });
      expect(byRow.tables.map(strip)).toEqual(bySum.tables.map(strip));
    });

    it('a --key that is not unique: its repeated keys are reported as duplicates, never as changes', async () => {
      const result = await verifyData(
        options(source, target, { tables: [{ source: 'events', target: 'events' }], key: ['kind'] }),
      );
      const v = result.tables[0]!;
      expect(v.comparison).toBe('key');
      expect(v.changed).toEqual([]);
      expect([v.missingInTarget, v.extraInTarget]).toEqual([[], []]);
      expect(v.duplicatesInSource).toEqual([{ kind: 'b' }]);
      expect(v.duplicatesInTarget).toEqual([{ kind: 'b' }]);
      expect(v.status).toBe('different');
      const both = { keys: 2, examples: [{ kind: 'a' }, { kind: 'b' }] };
      expect(v.repeatedKeys).toEqual({ source: both, target: both });
    });

    it.each([
      { mode: 'checksum' as const, key: 'kind', examples: [{ kind: 'a' }, { kind: 'b' }] },
      { mode: 'rows' as const, key: 'kind', examples: [{ kind: 'a' }, { kind: 'b' }] },
      { mode: 'checksum' as const, key: 'n', examples: [{ n: '1' }, { n: '2' }] },
      { mode: 'rows' as const, key: 'n', examples: [{ n: '1' }, { n: '2' }] },
    ])('$mode, --key $key repeating identically on both sides: equal, and the repeats reported', async (c) => {
      const result = await verifyData(
        options(source, target, { tables: [{ source: 'events', target: 'events_same' }], key: [c.key], mode: c.mode }),
      );
      const v = result.tables[0]!;
      expect([v.status, v.differenceCount, v.duplicatesInSource, v.duplicatesInTarget]).toEqual(['equal', 0, [], []]);
      const side = { keys: 2, examples: c.examples };
      expect(v.repeatedKeys).toEqual({ source: side, target: side });
      expect(verificationDocument(result, false).tables[0]!.repeated_keys).toEqual({ source: side, target: side });
      const example = `${c.key}=${c.key === 'n' ? '1' : 'a'}`;
      const line = `events: key ${c.key} is not unique: 2 repeated in source, 2 in target (e.g. ${example})`;
      expect(verifyText(result)).toContain(line);
      expect(verifyJunit(result, false)).toContain(`<system-out>${line}</system-out>`);
      expect(verifyJunit(result, false)).not.toContain('<failure');
    });

    it('repeat examples are capped by --max-diffs; all repeated keys are counted', async () => {
      const result = await verifyData(
        options(source, target, { tables: [{ source: 'events', target: 'events_same' }], key: ['kind'], maxDiffs: 1 }),
      );
      const side = { keys: 2, examples: [{ kind: 'a' }] };
      expect(result.tables[0]!.repeatedKeys).toEqual({ source: side, target: side });
    });

    it('a --key that is unique reports no repeats', async () => {
      const result = await verifyData(
        options(source, target, { tables: [{ source: 'events', target: 'events_same' }], key: ['kind', 'n'] }),
      );
      expect(result.tables[0]!.status).toBe('equal');
      expect(result.tables[0]!.repeatedKeys).toBeUndefined();
      expect(verificationDocument(result, false).tables[0]!.repeated_keys).toBeNull();
    });

    it('progress events: the plan, the table start and rows downloaded of the rows to download', async () => {
      const events: VerifyEvent[] = [];
      await verifyData(
        options(source, target, {
          tables: [{ source: 'logs', target: 'logs_changed' }],
          segmentRows: 4,
          onEvent: (e) => events.push(e),
        }),
      );
      expect(events[0]).toMatchObject({ type: 'plan', tables: 1 });
      expect(events.find((e) => e.type === 'table-start')).toMatchObject({ table: 'logs' });
      const rows = events.filter((e) => e.type === 'table-rows');
      expect(rows[0]).toMatchObject({ table: 'logs', done: 0 });
      expect((rows[0] as { total: number }).total).toBeGreaterThan(0);
      expect(events.at(-1)).toMatchObject({ type: 'table-done' });
    });
  });
}

for (const dialect of available) {
  describe(`verify a whole ${dialect} schema holding a keyless and a keyed table`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    beforeAll(async () => {
      source = await createTestDatabase(dialect, 'vks_src');
      target = await createTestDatabase(dialect, 'vks_tgt');
      await createLogs(source, 'logs', logRows());
      await createLogs(
        target,
        'logs',
        logRows().filter((r) => r.at !== 8),
      );
      for (const db of [source, target]) await db.knex.raw('create table keyed (id integer primary key, v integer)');
      await source.knex('keyed').insert([
        { id: 1, v: 1 },
        { id: 2, v: 2 },
      ]);
      await target.knex('keyed').insert([
        { id: 1, v: 1 },
        { id: 2, v: 3 },
      ]);
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
    });

    it('compares both fully: the keyless one as a multiset, the keyed one by key', async () => {
      const result = await verifyData(options(source, target));
      expect(result.status).toBe('different');
      const [keyed, logs] = result.tables;
      expect(keyed).toMatchObject({
        table: 'keyed',
        status: 'different',
        comparison: 'key',
        keyColumns: ['id'],
        changed: [{ key: { id: '2' }, columns: { v: ['2', '3'] } }],
      });
      expect(logs).toMatchObject({
        table: 'logs',
        status: 'different',
        comparison: 'multiset',
        missingRows: [{ row: row(8), count: 1 }],
        extraRows: [],
        sourceRows: 63,
        targetRows: 62,
      });
    });
  });
}
