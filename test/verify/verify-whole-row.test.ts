import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRowHash } from '../../src/adapters/postgres/postgres-row-hash.js';
import { planTable } from '../../src/core/verify/column-plan.js';
import { wholeRowForm } from '../../src/core/verify/hash-queries.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { baseRows, createItems, options, type ItemRow } from './verify-fixtures.js';

const edit = (id: number, patch: Partial<ItemRow>) => baseRows().map((r) => (r.id === id ? { ...r, ...patch } : r));

/**
 * Tables of identical declared types on both sides: PostgreSQL hashes whole rows (by value, or by text), segmented by
 * key range or key hash.
 */
const cases: {
  readonly table: string;
  readonly rows: ItemRow[];
  readonly changed: readonly [string, string][];
  readonly missing?: string;
  readonly extra?: string;
}[] = [
  { table: 'm_same', rows: baseRows(), changed: [] },
  { table: 'm_flag', rows: edit(5, { flag: true }), changed: [['5', 'flag']] },
  { table: 'm_happened', rows: edit(5, { happened: '2024-12-31 23:59:59.501' }), changed: [['5', 'happened']] },
  { table: 'm_price', rows: edit(5, { price: '-0.51' }), changed: [['5', 'price']] },
  { table: 'm_name', rows: edit(7, { name: 'BETA' }), changed: [['7', 'name']] },
  { table: 'm_ratio', rows: edit(5, { ratio: 1.234567891235 }), changed: [['5', 'ratio']] },
  { table: 'm_day', rows: edit(5, { day: '2024-12-30' }), changed: [['5', 'day']] },
  { table: 'm_data', rows: edit(5, { data: Buffer.from([17]) }), changed: [['5', 'data']] },
  { table: 'm_note', rows: edit(3, { note: null }), changed: [['3', 'note']] },
  { table: 'm_missing', rows: baseRows().filter((r) => r.id !== 6), changed: [], missing: '6' },
  { table: 'm_extra', rows: [...baseRows(), { ...baseRows()[0]!, id: 1000 }], changed: [], extra: '1000' },
];

const available = await dialectsUnderTest(['postgres']);

describe.runIf(available.includes('postgres'))(
  'verify postgres -> postgres, same declared types (whole rows hashed in the database)',
  () => {
    let source: TestDatabase;
    let target: TestDatabase;
    beforeAll(async () => {
      source = await createTestDatabase('postgres', 'vrow_src');
      target = await createTestDatabase('postgres', 'vrow_tgt');
      for (const c of cases) {
        await createItems(source, c.table, 'postgres', baseRows());
        await createItems(target, c.table, 'postgres', c.rows);
      }
      for (const db of [source, target]) await createItems(db, 'note', 'postgres', baseRows());
      for (const db of [source, target]) {
        await db.knex.raw('create table padded (id integer primary key, code character(5), v integer)');
        await db.knex.raw('create table words (k text primary key, v integer)');
        await db.knex.raw(`insert into padded select g, 'c' || g, g from generate_series(1, 50) g`);
        await db.knex.raw(`insert into words select 'w' || g, g from generate_series(1, 50) g`);
      }
      await target.knex.raw(`update padded set code = 'x' where id = 17`);
      await target.knex.raw(`update words set v = -1 where k = 'w17'`);
      for (const db of [source, target])
        await db.knex.raw(`create table keyed (id integer primary key, v integer, note text)`);
      await source.knex.raw(`insert into keyed select g, g, 'n' || g from generate_series(1, 50) g`);
      await target.knex.raw(
        `insert into keyed select g, case when g = 17 then null else g end, 'n' || g from generate_series(1, 50) g`,
      );
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
    });

    const wholeRowHashTitle =
      'hashes rows by value where every type has an exact hash, by text otherwise (character(n)), ' +
      'not when a column shadows the row';
    it(wholeRowHashTitle, async () => {
      const dialect = new PostgresRowHash();
      const form = async (table: string) => {
        const [s, t] = await Promise.all([
          dialect.describeTable(source.knex, 'public', table),
          dialect.describeTable(target.knex, 'public', table),
        ]);
        return wholeRowForm(planTable(s!, t!, options(source, target), 'native'), s!, t!, [dialect, dialect]);
      };
      expect(await form('m_same')).toBe('hash');
      expect(await form('note')).toBeNull();
      expect(await form('words')).toBe('hash');
      expect(await form('padded')).toBe('text');
    });

    it.each(cases)('$table', async (c) => {
      const result = await verifyData(
        options(source, target, { tables: [{ source: c.table, target: c.table }], segmentRows: 4 }),
      );
      const v = result.tables[0]!;
      expect(v.changed.map((x) => [x.key.id, Object.keys(x.columns).join(',')])).toEqual(c.changed);
      expect(v.missingInTarget).toEqual(c.missing ? [{ id: c.missing }] : []);
      expect(v.extraInTarget).toEqual(c.extra ? [{ id: c.extra }] : []);
      expect(v.status).toBe(c.changed.length || c.missing || c.extra ? 'different' : 'equal');
      expect([v.sourceRows, v.targetRows]).toEqual([40, 40 - (c.missing ? 1 : 0) + (c.extra ? 1 : 0)]);
    });

    it('finds the changed row by text hash (character(n)) and by key hash (text key)', async () => {
      const result = await verifyData(
        options(source, target, {
          tables: [
            { source: 'padded', target: 'padded' },
            { source: 'words', target: 'words' },
          ],
          segmentRows: 4,
        }),
      );
      const [padded, words] = result.tables;
      expect(padded!.changed).toEqual([{ key: { id: '17' }, columns: { code: ['c17', 'x'] } }]);
      expect(words!.changed).toEqual([{ key: { k: 'w17' }, columns: { v: ['17', '-1'] } }]);
      expect(words!.sourceRows).toBe(50);
    });

    it('a NULL in an integer --key column: segments by key hash instead of key ranges', async () => {
      const result = await verifyData(
        options(source, target, { tables: [{ source: 'keyed', target: 'keyed' }], key: ['v'], segmentRows: 4 }),
      );
      const v = result.tables[0]!;
      expect(v.missingInTarget).toEqual([{ v: '17' }]);
      expect(v.extraInTarget).toEqual([{ v: null }]);
      expect(v.changed).toEqual([]);
      expect([v.sourceRows, v.targetRows, v.differenceCount]).toEqual([50, 50, 2]);
    });
  },
);
