import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/adapters/dialect-name.js';
import type { CatalogColumn, EncodedField } from '../../src/adapters/row-hash-dialect.js';
import { planTable } from '../../src/core/verify/column-plan.js';
import { dialectNamed } from '../../src/adapters/dialects.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { options } from './verify-fixtures.js';

type Engine = Exclude<DialectName, 'mssql'>;

/** Each shortcut of the portable encoding and of MySQL's canonical forms, in one table per engine. */
const types: Readonly<Record<Engine, string>> = {
  postgres:
    'id integer not null primary key, s_nn varchar(20) not null, s varchar(20), i_nn integer not null, i integer, ' +
    'd_nn numeric(10,2) not null, d0 numeric(10,0), t timestamp(3), day date, w varchar(10)',
  mysql:
    'id int not null primary key, s_nn varchar(20) not null, s varchar(20), i_nn int not null, i int, ' +
    'd_nn decimal(10,2) not null, d0 decimal(10,0), t datetime(3), day date, w varchar(10) character set latin1',
  sqlite:
    'id integer not null primary key, s_nn varchar(20) not null, s varchar(20), i_nn integer not null, i integer, ' +
    'd_nn decimal(10,2) not null, d0 decimal(10,0), t datetime(3), day date, w varchar(10)',
};

const rows = [
  [1, "'a,b'", 'null', 7, 'null', '1.80', '12', "'2024-01-02 03:04:05.123'", "'2024-01-02'", "'café'"],
  [2, "''", "''", -3, 0, '-0.50', 'null', "'1969-12-31 23:59:59.999'", 'null', 'null'],
  [3, "'12:ab~'", "'~'", 0, -1, '100.00', '-7', 'null', "'1970-01-01'", "'x,y'"],
  [4, "'😀 ✓'", "','", 2147483647, 5, '0.00', '0', "'1969-12-31 23:59:59.500'", "'1969-12-31'", "''"],
];

/** The encoding each engine must produce, written out: `<chars>:<text>`, `<text>,`, `~`, no marker for NOT NULL. */
const expected = [
  '1,3:a,b~7,~1.8,12,1704164645123,2024-01-02,4:café',
  '2,0:0:-3,0,-0.5,~-1,~~',
  '3,6:12:ab~1:~0,-1,100,-7,~1970-01-01,3:x,y',
  '4,3:😀 ✓1:,2147483647,5,0,0,-500,1969-12-31,0:',
];

const engines = (await dialectsUnderTest(['sqlite', 'postgres', 'mysql'])) as Engine[];

async function createTable(db: TestDatabase, name: string): Promise<void> {
  await db.knex.raw(`create table ${name} (${types[db.dialect as Engine]})`);
  const values = rows.map((r) =>
    r.map((v) => (db.dialect === 'postgres' && typeof v === 'string' && /^'\d{4}-/.test(v) ? `${v}::timestamp` : v)),
  );
  await db.knex.raw(`insert into ${name} values ${values.map((r) => `(${r.join(', ')})`).join(', ')}`);
}

for (const engine of engines) {
  describe(`the portable encoding on ${engine}: the text every engine hashes`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(engine, 'venc');
      await createTable(db, 'enc');
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('is the written-out text, byte for byte, with the shortcuts for NOT NULL and non-string fields', async () => {
      const dialect = dialectNamed(engine).rowHash;
      const table = (await dialect.describeTable(db.knex, undefined, 'enc'))!;
      const plan = planTable(table, table, options(db, db), 'portable');
      const q = (n: string) => dialect.quoteIdentifier(n);
      const fields: EncodedField[] = plan.columns.map((c) => ({
        sql: dialect.canonicalField(q(c.name), c.source, c.rule),
        category: c.rule.category,
        notNull: Boolean(c.source.notNull),
      }));
      expect(fields.map((f) => f.notNull)).toEqual([true, true, false, true, false, true, false, false, false, false]);
      const session = await dialect.session(db.knex);
      try {
        const got = await session.all(
          `select ${dialect.encodeFields(fields, 'portable')} as e from ${q('enc')} order by ${q('id')}`,
        );
        expect(got.map((r) => String(r.e))).toEqual(expected);
      } finally {
        await session.release();
      }
    });
  });
}

const pairs: [Engine, Engine][] = [
  ['mysql', 'postgres'],
  ['postgres', 'mysql'],
  ['sqlite', 'mysql'],
  ['mysql', 'sqlite'],
];

for (const [from, to] of pairs.filter(([a, b]) => engines.includes(a) && engines.includes(b))) {
  describe(`the encoding shortcuts compare equal ${from} -> ${to}, and differences are still found`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    beforeAll(async () => {
      source = await createTestDatabase(from, 'venc_src');
      target = await createTestDatabase(to, 'venc_tgt');
      await createTable(source, 'enc');
      await createTable(target, 'enc');
      // NOT NULL on one side only: both sides then encode the NULL branch.
      await createTable(target, 'loose');
      await target.knex.raw(
        to === 'mysql'
          ? 'alter table loose modify s_nn varchar(20) null'
          : to === 'postgres'
            ? 'alter table loose alter column s_nn drop not null'
            : 'select 1',
      );
      await createTable(target, 'changed');
      await target.knex.raw(`update changed set s_nn = 'a', s = 'b' where id = 1`);
      await target.knex.raw(`update changed set i_nn = 8 where id = 3`);
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
    });

    it('equal tables are equal, with NOT NULL on both sides or on one', async () => {
      for (const t of ['enc', 'loose']) {
        const result = await verifyData(options(source, target, { tables: [{ source: 'enc', target: t }] }));
        expect(result.tables.map((v) => [v.status, v.reason, v.differenceCount])).toEqual([['equal', null, 0]]);
      }
    });

    it('a value moved across the comma of the field before it is a change', async () => {
      const result = await verifyData(options(source, target, { tables: [{ source: 'enc', target: 'changed' }] }));
      expect(result.tables[0]!.changed.map((c) => [c.key, Object.keys(c.columns).sort()])).toEqual([
        [{ id: '1' }, ['s', 's_nn']],
        [{ id: '3' }, ['i_nn']],
      ]);
    });
  });
}

describe('MySQL canonical shortcuts (text only)', () => {
  const dialect = dialectNamed('mysql').rowHash;
  const rule = {
    floatDigits: 15,
    timestampPrecision: 6,
    trimTrailingSpaces: false,
    ignoreCase: false,
    passthrough: false,
  };
  const column = (dataType: string, extra: Partial<CatalogColumn> = {}): CatalogColumn => ({
    name: 'c',
    dataType,
    category: 'string',
    ...extra,
  });

  it('reads a column as is where its text is canonical, casts only where it is not', () => {
    expect(dialect.canonicalField('c', column('int(11)'), { ...rule, category: 'integer' })).toBe('c');
    expect(dialect.canonicalField('c', column('decimal(10,0)'), { ...rule, category: 'decimal' })).toBe('c');
    expect(dialect.canonicalField('c', column('decimal(10,2)'), { ...rule, category: 'decimal' })).toBe(
      "trim(trailing '.' from trim(trailing '0' from c))",
    );
    expect(dialect.canonicalField('c', column('date'), { ...rule, category: 'date' })).toBe('c');
    expect(
      dialect.canonicalField('c', column('varchar(9)', { nativeType: 'varchar(9) character set utf8mb4' }), {
        ...rule,
        category: 'string',
      }),
    ).toBe('c');
    expect(
      dialect.canonicalField('c', column('varchar(9)', { nativeType: 'varchar(9) character set latin1' }), {
        ...rule,
        category: 'string',
      }),
    ).toBe('convert(c using utf8mb4)');
    const t3 = column('datetime(3)', { timestampPrecision: 3 });
    expect(dialect.canonicalField('c', t3, { ...rule, category: 'timestamp', timestampPrecision: 3 })).toBe(
      "(timestampdiff(microsecond, '1970-01-01 00:00:00', c) div 1000)",
    );
    expect(dialect.canonicalField('c', t3, { ...rule, category: 'timestamp', timestampPrecision: 0 })).toContain(
      'mod(mod(',
    );
  });
});
