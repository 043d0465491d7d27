import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRowHash } from '../../src/adapters/postgres/postgres-row-hash.js';
import { planTable } from '../../src/core/verify/column-plan.js';
import { wholeRowForm } from '../../src/core/verify/hash-queries.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { options } from './verify-fixtures.js';

/**
 * The PostgreSQL pair's row digest (every column hashed by its type's own hash function) against the changes a sum of
 * per-column hashes cannot see: a value moved to another row or column, and values the types' hash functions fold
 * together (a numeric's sign, NaN and Infinity; 64-bit integers and timestamps folded to 32 bits). Every target is
 * written in key order, like its source, so each change sits in the same storage chunk and key range segment as the
 * source row: only the digest can tell.
 */
const columns =
  'id integer primary key, amount numeric(12,2), x numeric, big bigint, ts timestamp(6), tz timestamptz, ' +
  'name text, other text, flag boolean, day date, ratio double precision, u uuid, data bytea, qty integer';
const names = 'id, amount, x, big, ts, tz, name, other, flag, day, ratio, u, data, qty';

/** 200 rows; rows 20-40 hold the values the cases change. */
const baseRows = `
  select g, g * 1.25, case g when 22 then 'NaN'::numeric when 23 then '-Infinity' else g end, g,
    case g when 25 then '2024-01-01 00:00:00'::timestamp else '2024-01-01'::timestamp + g * interval '1 minute' end,
    case g when 25 then '2024-01-01 00:00:00+00'::timestamptz
      else '2024-01-01+00'::timestamptz + g * interval '1 s' end,
    case g when 32 then null else 'n' || g end, case g when 29 then '' when 32 then 'z' else 'o' || g end,
    case g when 33 then false else g % 2 = 0 end, case g when 31 then 'infinity'::date else '2024-01-01'::date + g end,
    case g when 34 then 'Infinity'::float8 when 35 then 0 else g / 7.0 end, md5(g::text)::uuid,
    decode(md5(g::text), 'hex'), case g when 30 then 0 else g end
  from generate_series(1, 200) g`;

/** Each case: the target's expressions for the columns it changes (over the source rows), and the ids it changes. */
const cases: { readonly name: string; readonly set: Record<string, string>; readonly ids: readonly string[] }[] = [
  { name: 'a numeric negated', set: { amount: 'case id when 21 then -amount else amount end' }, ids: ['21'] },
  { name: 'numeric NaN -> Infinity', set: { x: `case id when 22 then 'Infinity' else x end` }, ids: ['22'] },
  { name: 'numeric -Infinity -> Infinity', set: { x: `case id when 23 then 'Infinity' else x end` }, ids: ['23'] },
  // hashint8extended folds 64 bits to 32 (low half XOR high half): 24 and 24 << 32 hash alike.
  {
    name: 'bigint with the same 32-bit fold',
    set: { big: 'case id when 24 then 103079215104 else big end' },
    ids: ['24'],
  },
  // 2024-01-01 00:00 and this one differ in bit 0 and bit 32 of their microseconds: the same fold.
  {
    name: 'timestamp with the same 32-bit fold',
    set: { ts: `case id when 25 then '2023-12-31 22:48:25.032705' else ts end` },
    ids: ['25'],
  },
  {
    name: 'timestamptz with the same 32-bit fold',
    set: { tz: `case id when 25 then '2023-12-31 22:48:25.032705+00' else tz end` },
    ids: ['25'],
  },
  {
    name: 'names swapped between two rows',
    set: { name: `case id when 26 then 'n27' when 27 then 'n26' else name end` },
    ids: ['26', '27'],
  },
  {
    name: 'two columns swapped within a row',
    set: { name: 'case id when 28 then other else name end', other: 'case id when 28 then name else other end' },
    ids: ['28'],
  },
  { name: `'' -> NULL`, set: { other: 'case id when 29 then null else other end' }, ids: ['29'] },
  { name: '0 -> NULL', set: { qty: 'case id when 30 then null else qty end' }, ids: ['30'] },
  { name: 'false -> NULL', set: { flag: 'case id when 33 then null else flag end' }, ids: ['33'] },
  {
    name: 'a NULL moved to the next column',
    set: { name: `case id when 32 then 'z' else name end`, other: 'case id when 32 then null else other end' },
    ids: ['32'],
  },
  { name: 'infinity date -> -infinity', set: { day: `case id when 31 then '-infinity' else day end` }, ids: ['31'] },
  { name: 'infinity date -> NULL', set: { day: `case id when 31 then null else day end` }, ids: ['31'] },
  {
    name: 'Infinity double -> -Infinity',
    set: { ratio: `case id when 34 then '-Infinity' else ratio end` },
    ids: ['34'],
  },
  { name: 'bytea changed', set: { data: `case id when 36 then '\\x00'::bytea else data end` }, ids: ['36'] },
  { name: 'uuid changed', set: { u: `case id when 37 then md5('x')::uuid else u end` }, ids: ['37'] },
  { name: 'nothing changed but 0 -> -0', set: { ratio: `case id when 35 then '-0'::float8 else ratio end` }, ids: [] },
];

/** The target's select list: the case's expression for each column it changes, every other column as it is. */
const targetSelect = (set: Record<string, string>) =>
  names
    .split(', ')
    .map((n) => set[n] ?? n)
    .join(', ');

const available = await dialectsUnderTest(['postgres']);

describe.runIf(available.includes('postgres'))('verify postgres -> postgres: what the row digest must tell', () => {
  let source: TestDatabase;
  let target: TestDatabase;
  const table = (i: number) => `d${i}`;
  beforeAll(async () => {
    source = await createTestDatabase('postgres', 'vdig_src');
    target = await createTestDatabase('postgres', 'vdig_tgt');
    await source.knex.raw(`create table base (${columns})`);
    await source.knex.raw(`insert into base (${names}) ${baseRows}`);
    await target.knex.raw(`create table base (${columns})`);
    await target.knex.raw(`insert into base (${names}) ${baseRows}`);
    for (const [i, c] of cases.entries()) {
      await source.knex.raw(`create table ${table(i)} (${columns})`);
      await source.knex.raw(`insert into ${table(i)} select * from base order by id`);
      await target.knex.raw(`create table ${table(i)} (${columns})`);
      await target.knex.raw(`insert into ${table(i)} (${names}) select ${targetSelect(c.set)} from base s order by id`);
    }
    // Keyless: compared as multisets of rows.
    await source.knex.raw(`create table bag as select * from base order by id`);
    await target.knex.raw(`create table bag as select ${targetSelect(cases[6]!.set)} from base s order by id`);
  });
  afterAll(async () => {
    await source?.drop();
    await target?.drop();
  });

  it('hashes these rows by value', async () => {
    const dialect = new PostgresRowHash();
    const [s, t] = await Promise.all([
      dialect.describeTable(source.knex, 'public', 'base'),
      dialect.describeTable(target.knex, 'public', 'base'),
    ]);
    const plan = planTable(s!, t!, options(source, target), 'native');
    expect(wholeRowForm(plan, s!, t!, [dialect, dialect])).toBe('hash');
  });

  it.each(cases.map((c, i) => ({ ...c, i })))('$name', async (c) => {
    const result = await verifyData(
      options(source, target, { tables: [{ source: table(c.i), target: table(c.i) }], segmentRows: 50 }),
    );
    const v = result.tables[0]!;
    expect(v.changed.map((x) => x.key.id)).toEqual(c.ids);
    expect(v.status).toBe(c.ids.length ? 'different' : 'equal');
  });

  it('keyless rows whose names were swapped between two rows', async () => {
    const result = await verifyData(
      options(source, target, { tables: [{ source: 'bag', target: 'bag' }], segmentRows: 50 }),
    );
    const v = result.tables[0]!;
    expect(v.status).toBe('different');
    expect(v.differenceCount).toBe(4);
  });
});

describe.runIf(available.includes('postgres'))(
  'verify postgres -> postgres, portable text: infinite and BC values',
  () => {
    let source: TestDatabase;
    let target: TestDatabase;
    beforeAll(async () => {
      source = await createTestDatabase('postgres', 'vinf_src');
      target = await createTestDatabase('postgres', 'vinf_tgt');
      // Declared precisions differ, so the timestamps are compared in canonical text, not hashed by value.
      await source.knex.raw('create table ti (id integer primary key, t timestamp(3), d date)');
      await target.knex.raw('create table ti (id integer primary key, t timestamp(6), d date)');
      await source.knex.raw(`insert into ti values (1, '2024-01-01', null), (2, 'infinity', 'infinity'),
      (3, '-infinity', null), (4, 'infinity', '-infinity')`);
      await target.knex.raw(`insert into ti values (1, '2024-01-01', null), (2, 'infinity', '-infinity'),
      (3, null, null), (4, 'infinity', '-infinity')`);
      // A date against a timestamp (compared as timestamps), and BC dates against AD ones.
      await source.knex.raw('create table days (id integer primary key, d date, e date)');
      await target.knex.raw('create table days (id integer primary key, d timestamp(0), e date)');
      await source.knex.raw(`insert into days values (1, '2024-02-29', '0044-03-15 BC'), (2, '0044-03-15 BC', null),
      (3, 'infinity', '2024-01-01')`);
      await target.knex.raw(`insert into days values (1, '2024-02-29', '0044-03-15'), (2, '0044-03-15 BC', null),
      (3, 'infinity', '2024-01-01')`);
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
    });

    it('compares infinity, -infinity and NULL as three values (the epoch arithmetic once failed on them)', async () => {
      const result = await verifyData(options(source, target, { tables: [{ source: 'ti', target: 'ti' }] }));
      const v = result.tables[0]!;
      expect(v.changed).toEqual([
        { key: { id: '2' }, columns: { d: ['infinity', '-infinity'] } },
        { key: { id: '3' }, columns: { t: ['-infinity', null] } },
      ]);
    });

    it('a date against a timestamp compares as its midnight; a BC date is not its AD year', async () => {
      const result = await verifyData(options(source, target, { tables: [{ source: 'days', target: 'days' }] }));
      const v = result.tables[0]!;
      expect(v.changed).toEqual([{ key: { id: '1' }, columns: { e: ['0044-03-15 BC', '0044-03-15'] } }]);
      expect(v.differenceCount).toBe(1);
    });
    it('PostgreSQL dates as canonical text: BC with its era, the infinities as words, NULL as NULL', async () => {
      const rule = { category: 'date', floatDigits: 15, timestampPrecision: 6 } as const;
      const sql = new PostgresRowHash().canonicalField(
        'd',
        { name: 'd', dataType: 'date', category: 'date' },
        { ...rule, trimTrailingSpaces: false, ignoreCase: false, passthrough: false },
      );
      const dates =
        `values (1, '0044-03-15 BC'::date), (2, '0044-03-15'), (3, 'infinity'), ` + `(4, '-infinity'), (5, null)`;
      const result = await source.knex.raw(`select ${sql} as t from (${dates}) v(i, d) order by i`);
      expect(result.rows.map((r: { t: string | null }) => r.t)).toEqual([
        '0044-03-15 BC',
        '0044-03-15',
        'infinity',
        '-infinity',
        null,
      ]);
    });
  },
);
