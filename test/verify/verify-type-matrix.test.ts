import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyData } from '../../src/core/verify/verify-data.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { options } from './verify-fixtures.js';

/**
 * Values of the kind data-diff's type matrix uses, stored by MariaDB and PostgreSQL in their own types:
 * doubles from the smallest subnormal to the largest, -0, microsecond timestamps (wall clock and instants),
 * the ends of bigint, decimals, text with backslash, tab, newline, quotes and emoji, '' and NULL, a uuid as
 * MariaDB CHAR(36) and PostgreSQL uuid.
 */
interface MatrixRow {
  readonly id: number;
  readonly f: string | null;
  readonly ts: string | null;
  readonly epoch: string | null;
  readonly b: string | null;
  readonly d: string | null;
  readonly s: string | null;
  readonly u: string | null;
}

const rows: readonly MatrixRow[] = [
  {
    id: 1,
    f: '0.1',
    ts: '2024-03-04 05:06:07.123456',
    epoch: '1700000000.123456',
    b: '9223372036854775807',
    d: '12345678901234567890.1234567890',
    s: 'back\\slash',
    u: '123e4567-e89b-12d3-a456-426614174000',
  },
  {
    id: 2,
    f: '1e-5',
    ts: '1000-01-01 00:00:00.000001',
    epoch: '0.000001',
    b: '-9223372036854775808',
    d: '-0.0000000001',
    s: 'tab\there',
    u: '00000000-0000-0000-0000-000000000000',
  },
  {
    id: 3,
    f: '1e10',
    ts: '9999-12-31 23:59:59.999999',
    epoch: '2147483647.999999',
    b: '0',
    d: '0',
    s: 'new\nline',
    u: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  },
  {
    id: 4,
    f: '1.7976931348623157e308',
    ts: '1969-12-31 23:59:59.999999',
    epoch: '1',
    b: '1',
    d: '1.5',
    s: `quotes ' " \``,
    u: null,
  },
  {
    id: 5,
    f: '5e-324',
    ts: '2000-02-29 12:00:00.5',
    epoch: '946684800.5',
    b: '-1',
    d: '-1.5',
    s: 'emoji 😀🎉 ✓',
    u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  },
  { id: 6, f: '2.2250738585072014e-308', ts: null, epoch: null, b: null, d: null, s: '', u: null },
  { id: 7, f: '-0', ts: '1970-01-01 00:00:00', epoch: '0.5', b: '42', d: '100', s: null, u: null },
  {
    id: 8,
    f: '-1.7976931348623157e308',
    ts: '2038-01-19 03:14:07.999999',
    epoch: '1234567890.000001',
    b: '7',
    d: '7',
    s: ' trailing ',
    u: null,
  },
  { id: 9, f: null, ts: '2024-01-01 00:00:00', epoch: '3', b: '8', d: '8', s: 'x', u: null },
];

const sqlText = (v: string | null, quote: (s: string) => string) => (v === null ? 'null' : quote(v));

async function createMatrix(db: TestDatabase, table: string, edit?: (r: MatrixRow) => MatrixRow): Promise<void> {
  const my = db.dialect === 'mysql';
  const q = my ? (n: string) => `\`${n}\`` : (n: string) => `"${n}"`;
  const str = my
    ? (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`
    : (s: string) => `E'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`;
  const types = my
    ? 'f double, ts datetime(6), at timestamp(6) null, b bigint, d decimal(30,10), s text, u char(36)'
    : 'f double precision, ts timestamp(6), at timestamptz(6), b bigint, d numeric(30,10), s text, u uuid';
  await db.knex.raw(`create table ${q(table)} (id integer not null primary key, ${types})`);
  const values = rows.map(edit ?? ((r) => r)).map((r) => {
    const f = r.f === null ? 'null' : my ? `${r.f.includes('e') ? r.f : `${r.f}e0`}` : `'${r.f}'::float8`;
    const at = r.epoch === null ? 'null' : my ? `from_unixtime(${r.epoch})` : `to_timestamp(${r.epoch})`;
    const u = sqlText(r.u, (v) => (my ? `'${v}'` : `'${v}'::uuid`));
    const ts = sqlText(r.ts, (v) => `'${v}'`);
    return `(${r.id}, ${f}, ${ts}, ${at}, ${r.b ?? 'null'}, ${r.d ?? 'null'}, ${sqlText(r.s, str)}, ${u})`;
  });
  await db.knex.raw(`insert into ${q(table)} values ${values.join(', ')}`);
}

const engines = await dialectsUnderTest(['postgres', 'mysql']);

describe.runIf(engines.length === 2)("data-diff's type matrix between MariaDB and PostgreSQL", () => {
  let my: TestDatabase;
  let pg: TestDatabase;
  beforeAll(async () => {
    my = await createTestDatabase('mysql', 'vtm_my');
    pg = await createTestDatabase('postgres', 'vtm_pg');
    await createMatrix(my, 'matrix');
    await createMatrix(pg, 'matrix');
    await createMatrix(pg, 'matrix_empty_is_null', (r) => (r.id === 6 ? { ...r, s: null } : r));
    await createMatrix(pg, 'matrix_one_microsecond', (r) => (r.id === 2 ? { ...r, epoch: '0.000002' } : r));
  });
  afterAll(async () => {
    await my?.drop();
    await pg?.drop();
  });

  it('every value compares equal, MariaDB to PostgreSQL and back, in checksum and rows mode', async () => {
    for (const [source, target] of [
      [my, pg],
      [pg, my],
    ] as const) {
      for (const mode of ['checksum', 'rows'] as const) {
        const result = await verifyData(
          options(source, target, { tables: [{ source: 'matrix', target: 'matrix' }], mode }),
        );
        expect(result.tables.map((t) => [t.status, t.reason, t.sourceRows, t.targetRows, t.differenceCount])).toEqual([
          ['equal', null, rows.length, rows.length, 0],
        ]);
        expect(result.tables[0]!.comparedColumns).toEqual(['id', 'f', 'ts', 'at', 'b', 'd', 's', 'u']);
      }
    }
  });

  it("'' against NULL and one microsecond of an instant are differences", async () => {
    const result = await verifyData(
      options(my, pg, {
        tables: [
          { source: 'matrix', target: 'matrix_empty_is_null' },
          { source: 'matrix', target: 'matrix_one_microsecond' },
        ],
      }),
    );
    expect(result.tables.map((t) => t.changed.map((c) => [c.key, Object.keys(c.columns)]))).toEqual([
      [[{ id: '6' }, ['s']]],
      [[{ id: '2' }, ['at']]],
    ]);
  });
});
