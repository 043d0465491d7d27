import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/adapters/dialect-name.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import type { TableVerdict, VerifyOptions } from '../../src/core/verify/verify-types.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { baseRows, createItems, options, type ItemRow, type TypeSet } from './verify-fixtures.js';

interface Mutation {
  readonly name: string;
  mutate(rows: ItemRow[]): ItemRow[];
  check(v: TableVerdict): void;
  readonly options?: Partial<VerifyOptions>;
}

const edit = (id: number, patch: Partial<ItemRow>) => (rows: ItemRow[]) =>
  rows.map((r) => (r.id === id ? { ...r, ...patch } : r));
const onlyChanged = (id: string, columns: string[]) => (v: TableVerdict) => {
  expect(v.status).toBe('different');
  expect(v.missingInTarget).toEqual([]);
  expect(v.extraInTarget).toEqual([]);
  expect(v.changed.map((c) => ({ key: c.key, columns: Object.keys(c.columns).sort() }))).toEqual([
    { key: { id }, columns: [...columns].sort() },
  ]);
};
const equal = (v: TableVerdict) => {
  expect(v.status).toBe('equal');
  expect(v.differenceCount).toBe(0);
};

const mutations: Mutation[] = [
  { name: 'none', mutate: (r) => r, check: equal },
  { name: 'boolean', mutate: edit(5, { flag: true }), check: onlyChanged('5', ['flag']) },
  {
    name: 'timestamp_1ms',
    mutate: edit(5, { happened: '2024-12-31 23:59:59.501' }),
    check: onlyChanged('5', ['happened']),
  },
  { name: 'decimal', mutate: edit(5, { price: '-0.51' }), check: onlyChanged('5', ['price']) },
  { name: 'string', mutate: edit(5, { name: 'abd' }), check: onlyChanged('5', ['name']) },
  { name: 'float_10th_digit', mutate: edit(5, { ratio: 1.234567892234 }), check: onlyChanged('5', ['ratio']) },
  { name: 'date', mutate: edit(5, { day: '2024-12-30' }), check: onlyChanged('5', ['day']) },
  { name: 'binary', mutate: edit(5, { data: Buffer.from([17]) }), check: onlyChanged('5', ['data']) },
  { name: 'integer_to_null', mutate: edit(5, { flag: null }), check: onlyChanged('5', ['flag']) },
  { name: 'empty_vs_null', mutate: edit(3, { note: null }), check: onlyChanged('3', ['note']) },
  { name: 'literal_null_text', mutate: edit(4, { note: null }), check: onlyChanged('4', ['note']) },
  { name: 'trailing_space', mutate: edit(1, { name: 'Alpha ' }), check: onlyChanged('1', ['name']) },
  {
    name: 'trailing_space_trimmed',
    mutate: edit(1, { name: 'Alpha ' }),
    check: equal,
    options: { trimTrailingSpaces: true },
  },
  { name: 'case_change', mutate: edit(7, { name: 'BETA' }), check: onlyChanged('7', ['name']) },
  { name: 'case_ignored', mutate: edit(7, { name: 'BETA' }), check: equal, options: { ignoreCase: true } },
  { name: 'shifted_fields', mutate: edit(1, { name: 'Alph', note: 'aab' }), check: onlyChanged('1', ['name', 'note']) },
  {
    name: 'float_override',
    mutate: edit(5, { ratio: 1.234567892234 }),
    check: equal,
    options: { overrides: [{ column: 'ratio', floatDigits: 9 }] },
  },
  {
    name: 'missing_row',
    mutate: (rows) => rows.filter((r) => r.id !== 6),
    check: (v) => {
      expect(v.missingInTarget).toEqual([{ id: '6' }]);
      expect([v.extraInTarget, v.changed, v.duplicatesInTarget]).toEqual([[], [], []]);
      expect([v.sourceRows, v.targetRows]).toEqual([40, 39]);
    },
  },
  {
    name: 'extra_row',
    mutate: (rows) => [...rows, { ...rows[0]!, id: 99 }],
    check: (v) => {
      expect(v.extraInTarget).toEqual([{ id: '99' }]);
      expect([v.missingInTarget, v.changed, v.duplicatesInTarget]).toEqual([[], [], []]);
    },
  },
  {
    name: 'duplicate_key',
    mutate: (rows) => [...rows, { ...rows[6]! }],
    check: (v) => {
      expect(v.duplicatesInTarget).toEqual([{ id: '7' }]);
      expect([v.missingInTarget, v.extraInTarget, v.changed]).toEqual([[], [], []]);
    },
  },
];

const pairs: [DialectName, DialectName][] = [
  ['postgres', 'postgres'],
  ['mysql', 'postgres'],
  ['sqlite', 'postgres'],
  ['sqlite', 'mysql'],
  ['postgres', 'mysql'],
  ['mysql', 'mysql'],
];
const available = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const typeSet = (d: DialectName, target: boolean): TypeSet =>
  d === 'postgres' ? (target ? 'postgres2' : 'postgres') : (d as TypeSet);

for (const [from, to] of pairs.filter(([a, b]) => available.includes(a) && available.includes(b))) {
  describe(`verify ${from} -> ${to}: each mutation alone is found with its key and column`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    beforeAll(async () => {
      source = await createTestDatabase(from, 'vmut_src');
      target = await createTestDatabase(to, 'vmut_tgt');
      await createItems(source, 'items', typeSet(from, false), baseRows());
      for (const m of mutations)
        await createItems(target, `m_${m.name}`, typeSet(to, true), m.mutate(baseRows()), false);
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
    });

    it.each(mutations)('$name', async (m) => {
      const result = await verifyData(
        options(source, target, { tables: [{ source: 'items', target: `m_${m.name}` }], ...m.options }),
      );
      expect(result.tables).toHaveLength(1);
      m.check(result.tables[0]!);
      expect(result.status).toBe(result.tables[0]!.status);
    });

    it('rows mode finds the same differences as checksum mode', async () => {
      const tables = mutations
        .filter((m) => m.name !== 'none')
        .map((m) => ({ source: 'items', target: `m_${m.name}` }));
      const [bySum, byRow] = await Promise.all([
        verifyData(options(source, target, { tables })),
        verifyData(options(source, target, { tables, mode: 'rows' })),
      ]);
      const strip = (v: TableVerdict) => ({ ...v, durationMs: 0, segmentsDownloaded: 0 });
      expect(byRow.tables.map(strip)).toEqual(bySum.tables.map(strip));
    });
  });
}
