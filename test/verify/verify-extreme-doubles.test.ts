import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/adapters/dialect-name.js';
import type { FieldRule } from '../../src/adapters/row-hash-dialect.js';
import { canonicalFloat } from '../../src/adapters/row-hash-float.js';
import { dialectNamed } from '../../src/adapters/dialects.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { options } from './verify-fixtures.js';

/**
 * Doubles at the ends of the range (subnormals, the smallest normal, the largest), near powers of ten where
 * V8's and glibc's log10 disagree on the decade (99999999999999.8, 9.999999999999672e-254), and where
 * pow(10, j) differs between them (values around 1e-12 need 10^26).
 */
const extremes: readonly number[] = [
  5e-324,
  -5e-324,
  1e-323,
  2.225073858507201e-308,
  2.2250738585072014e-308,
  -2.2250738585072014e-308,
  1e-310,
  1e-300,
  1e-295,
  1e-294,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  1e308,
  1e300,
  1e23,
  9.999999999999999e22,
  99999999999999.8,
  9.999999999999672e-254,
  9.999999999999672e-232,
  9.99999999999967e-243,
  1.2345678912345e-12,
  0.1,
  1e-5,
  1e10,
  1 / 3,
  -2.5e-10,
  123456.789,
  0,
];

/** What the canonical form is, written out, so that a change of definition is a visible decision. */
const expected: Readonly<Record<string, string>> = {
  '5e-324': '494065645841247e-338',
  '-5e-324': '-494065645841247e-338',
  '2.2250738585072014e-308': '222507385850720e-322',
  '1.7976931348623157e+308': '179769313486232e294',
  '99999999999999.8': '999999999999998e-1',
  '1e+23': '100000000000000e9',
  '0.1': '100000000000000e-15',
  '1e-300': '100000000000000e-314',
  '0': '0',
};

const declared: Readonly<Record<Exclude<DialectName, 'mssql'>, string>> = {
  postgres: 'double precision',
  mysql: 'double',
  sqlite: 'double',
};

/** Non-finite values the engine can store: PostgreSQL NaN and infinities, SQLite infinities (NaN becomes NULL). */
const specials: Readonly<Record<Exclude<DialectName, 'mssql'>, string[]>> = {
  postgres: ["'NaN'::float8", "'Infinity'::float8", "'-Infinity'::float8"],
  mysql: [],
  sqlite: ['9e999', '-9e999'],
};

const rule = (floatDigits: number): FieldRule => ({
  category: 'float',
  floatDigits,
  timestampPrecision: 6,
  trimTrailingSpaces: false,
  ignoreCase: false,
  passthrough: false,
});

/** A double as SQL text every engine reads as that double (MariaDB reads digits without exponent as a decimal). */
const literal = (x: number) =>
  Object.is(x, -0) ? '-0e0' : String(x).includes('e') ? String(x).replace('e+', 'e') : `${x}e0`;

async function createDoubles(
  db: TestDatabase,
  table: string,
  values: readonly number[],
  extra: readonly string[] = [],
): Promise<void> {
  const q = db.dialect === 'mysql' ? (n: string) => `\`${n}\`` : (n: string) => `"${n}"`;
  const type = declared[db.dialect as keyof typeof declared];
  await db.knex.raw(`create table ${q(table)} (${q('id')} integer not null primary key, ${q('v')} ${type})`);
  const rows = [...values.map(literal), ...extra, 'null'].map((v, i) => `(${i + 1}, ${v})`);
  await db.knex.raw(`insert into ${q(table)} (${q('id')}, ${q('v')}) values ${rows.join(', ')}`);
}

/** The engine's own text of each stored value (read as text: mysql2 parses some doubles inexactly). */
async function stored(db: TestDatabase, table: string): Promise<(number | null)[]> {
  const sql = {
    mysql: `select cast(\`v\` as char) as v from \`${table}\` order by \`id\``,
    postgres: `select "v"::text as v from "${table}" order by "id"`,
    sqlite: `select "v" as v from "${table}" order by "id"`,
  }[db.dialect as 'mysql' | 'postgres' | 'sqlite'];
  const result = (await db.knex.raw(sql)) as unknown;
  const rows =
    db.dialect === 'postgres'
      ? (result as { rows: { v: unknown }[] }).rows
      : db.dialect === 'mysql'
        ? (result as [{ v: unknown }[]])[0]
        : (result as { v: unknown }[]);
  return rows.map((r) => (r.v === null ? null : Number(r.v)));
}

const engines = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

for (const dialect of engines as Exclude<DialectName, 'mssql'>[]) {
  describe(`every double canonicalises on ${dialect}, subnormals and the ends of the range included`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(dialect, 'vxd_canon');
      await createDoubles(db, 'xd', extremes, specials[dialect]);
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('stores each value exactly (the test compares what it means to)', async () => {
      const values = await stored(db, 'xd');
      expect(values.slice(0, extremes.length)).toEqual(extremes.map((x) => (Object.is(x, -0) ? 0 : x)));
    });

    it.each([15, 9, 1])(
      'the engine computes the JavaScript text at %i digits, and the written-out one',
      async (digits) => {
        const rowHash = dialectNamed(dialect).rowHash;
        const session = await rowHash.session(db.knex);
        try {
          const column = { name: 'v', dataType: declared[dialect], category: 'float' as const };
          const canonical = rowHash.canonicalField(rowHash.quoteIdentifier('v'), column, rule(digits));
          const id = rowHash.quoteIdentifier('id');
          const rows = await session.all(
            `select ${id} as id, ${canonical} as c from ${rowHash.quoteIdentifier('xd')} order by ${id}`,
          );
          const values = await stored(db, 'xd');
          const texts = rows.map((r) => (r.c === null ? null : String(r.c)));
          expect(texts).toEqual(values.map((v) => (v === null ? null : canonicalFloat(v, digits))));
          if (digits === 15) {
            const byValue = Object.fromEntries(extremes.map((x, i) => [String(x), texts[i]]));
            for (const [value, text] of Object.entries(expected)) expect(byValue[value]).toBe(text);
            const nonFinite = texts.slice(extremes.length, extremes.length + specials[dialect].length);
            expect(nonFinite).toEqual(
              dialect === 'postgres' ? ['nan', 'inf', '-inf'] : dialect === 'sqlite' ? ['inf', '-inf'] : [],
            );
          }
        } finally {
          await session.release();
        }
      },
    );
  });
}

const pairs: [Exclude<DialectName, 'mssql'>, Exclude<DialectName, 'mssql'>][] = [
  ['mysql', 'postgres'],
  ['postgres', 'mysql'],
  ['sqlite', 'postgres'],
  ['sqlite', 'mysql'],
  ['postgres', 'sqlite'],
  ['mysql', 'mysql'],
  ['postgres', 'postgres'],
  ['sqlite', 'sqlite'],
];

for (const [from, to] of pairs.filter(([a, b]) => engines.includes(a) && engines.includes(b))) {
  describe(`verify ${from} -> ${to} with extreme doubles`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    beforeAll(async () => {
      source = await createTestDatabase(from, 'vxd_src');
      target = await createTestDatabase(to, 'vxd_tgt');
      await createDoubles(source, 'xd', extremes);
      await createDoubles(target, 'xd', extremes);
      // The subnormal 5e-324 becomes the next one, 1e-323: one bit.
      await createDoubles(
        target,
        'xd_mut',
        extremes.map((x) => (x === 5e-324 ? 1e-323 : x)),
      );
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
    });

    it('equal tables are equal, no query refused', async () => {
      const result = await verifyData(options(source, target, { tables: [{ source: 'xd', target: 'xd' }] }));
      expect(result.tables.map((t) => [t.status, t.reason, t.sourceRows, t.targetRows])).toEqual([
        ['equal', null, extremes.length + 1, extremes.length + 1],
      ]);
    });

    it('one subnormal changed by one bit is found with its key and column', async () => {
      const result = await verifyData(options(source, target, { tables: [{ source: 'xd', target: 'xd_mut' }] }));
      const verdict = result.tables[0]!;
      expect(verdict.status).toBe('different');
      expect(verdict.changed.map((c) => [c.key, Object.keys(c.columns)])).toEqual([[{ id: '1' }, ['v']]]);
    });
  });
}

describe('SQL Server canonical float SQL (text only, no server): no power of ten outside the exact ones', () => {
  const sql = dialectNamed('mssql').rowHash.canonicalField(
    '[v]',
    { name: 'v', dataType: 'float', category: 'float' },
    rule(15),
  );
  const powers = [...sql.matchAll(/power\(convert\(float, 10\), /g)].map((m) =>
    sql.slice(m.index + m[0].length, m.index + m[0].length + 60),
  );

  it('raises 10 only to 14 - the decade inside [1e-8, 1e15), or to the remainder of a chunk of 22', () => {
    expect(powers.length).toBeGreaterThan(3);
    for (const p of powers) expect(p).toMatch(/^(14 - floor\(log10\(abs\(convert\(float, \[v\]\)\)\)\)\)|abs\()/);
    expect(sql).toContain('>= 1e-8 and abs(convert(float, [v])) < 1e15 and not (');
    expect(sql).toContain(' - 22e0 * floor(abs(');
    for (const chunk of ['1e+22', '1e+44', '1e+88', '1e+176']) expect(sql).toContain(` then ${chunk} else 1e0 end`);
  });
});
