import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeDigest, nativeHashSupport, nativeRowText } from '../../src/adapters/mysql/mysql-row-hash-native.js';
import { planTable } from '../../src/core/verify/column-plan.js';
import { HashQueries } from '../../src/core/verify/hash-queries.js';
import { dialectNamed } from '../../src/adapters/dialects.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import { pairAlgorithm, type SideContext } from '../../src/core/verify/verify-table.js';
import type { VerifySide } from '../../src/core/verify/verify-types.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { options, side } from './verify-fixtures.js';

describe('the same-engine MySQL row text (text only)', () => {
  it('strings carry their length, a field that may be NULL is ~ when NULL, a NOT NULL one has no marker', () => {
    const text = nativeRowText([
      { sql: 'f0', category: 'integer', notNull: true },
      { sql: 'f1', category: 'string', notNull: false },
      { sql: 'f2', category: 'float', notNull: false },
      { sql: 'f3', category: 'string', notNull: true },
    ]);
    expect(text).toBe("concat_ws('|', f0, ifnull(length(f1), '~'), f1, ifnull(f2, '~'), length(f3), f3)");
  });

  it('a bare column that may be NULL is left out when NULL and flagged in a bitmap in front, 64 per bitmap', () => {
    const text = nativeRowText([
      { sql: 'f0', category: 'integer', notNull: true, bare: true },
      { sql: 'f1', category: 'string', notNull: false, bare: true },
      { sql: 'f2', category: 'float', notNull: false },
      { sql: 'f3', category: 'decimal', notNull: false, bare: true },
    ]);
    expect(text).toBe("concat_ws('|', ((f1 is null) | (f3 is null) << 1), f0, length(f1), f1, ifnull(f2, '~'), f3)");
    const many = Array.from({ length: 65 }, (_, i) => ({
      sql: `f${i}`,
      category: 'integer' as const,
      notNull: false,
      bare: true,
    }));
    const wide = nativeRowText(many);
    expect(wide).toContain('(f63 is null) << 63), (f64 is null), f0, f1,');
  });

  it('the digest builds the row text once: the CRC32C reads what the CRC32 assigned', () => {
    expect(nativeDigest('t')).toBe('(crc32(@verify_row := t) * crc32c(@verify_row))');
  });
});

const engines = await dialectsUnderTest(['mysql', 'postgres']);

describe.runIf(engines.includes('mysql'))("verify a MariaDB pair by the engine's own text, CRC32 x CRC32C", () => {
  let source: TestDatabase;
  let target: TestDatabase;
  let shifted: Knex;
  const create = async (db: TestDatabase, sql: string, rows: string) => {
    await db.knex.raw(sql);
    await db.knex.raw(`insert into ${/^create table (\w+)/.exec(sql)![1]} values ${rows}`);
  };
  beforeAll(async () => {
    source = await createTestDatabase('mysql', 'vnat_src');
    target = await createTestDatabase('mysql', 'vnat_tgt');
    const ambiguous = 'create table amb (id int primary key, a varchar(10), b varchar(10), n int)';
    // Row 5: the separator moved past a two-byte character (lengths are in bytes).
    const amb = "(1, 'x', null, 1), (2, 'a|b', 'c', 2), (3, '', null, null), (4, '1', '2', 3), (5, 'é|', 'ü', 5)";
    await create(source, ambiguous, amb);
    await create(
      target,
      ambiguous,
      "(1, null, 'x', 1), (2, 'a', 'b|c', 2), (3, null, '', null), (4, '1', '2', 3), (5, 'é', '|ü', 5)",
    );
    const nulls = 'create table nulls (id int primary key, a int, b int, c double, d varchar(5))';
    await create(source, nulls, "(1, null, 5, null, 'x'), (2, 0, null, 1.5, null), (3, 7, null, null, '')");
    await create(target, nulls, "(1, 5, null, null, 'x'), (2, null, 0, 1.5, null), (3, 7, null, null, null)");
    await create(
      source,
      'create table mixed (id int primary key, name varchar(40), ratio double, at datetime(3), ' +
        'word varchar(10) character set latin1, n int not null)',
      "(1, 'Alpha', 0.5, '2024-01-01 00:00:00.123', 'café', 1), (2, 'Beta', 1e-300, '2024-01-02 00:00:00', 'naïve', 2)",
    );
    await create(
      target,
      'create table mixed (id int primary key, name text, ratio float, at datetime(6), ' +
        'word varchar(10) character set utf8mb4, n int)',
      "(1, 'Alpha', 0.5, '2024-01-01 00:00:00.123', 'café', 1), (2, 'Beta', 0, '2024-01-02 00:00:00', 'naïve', 2)",
    );
    for (const db of [source, target]) {
      await create(
        db,
        'create table stamps (id int primary key, at timestamp(6) null, note varchar(10))',
        "(1, from_unixtime(1700000000.123456), 'n')",
      );
    }
    // The target's connections render instants five hours ahead.
    const url = new URL(target.url);
    shifted = knexFactory({
      client: 'mysql2',
      connection: {
        host: url.hostname,
        port: Number(url.port || 3306),
        user: decodeURIComponent(url.username),
        database: url.pathname.slice(1),
      },
      pool: {
        min: 0,
        max: 2,
        afterCreate: (conn: { query: (sql: string, cb: (e: unknown) => void) => void }, done: (e: unknown) => void) =>
          conn.query("set time_zone = '+05:00'", done),
      },
    });
  });
  afterAll(async () => {
    await shifted?.destroy();
    await source?.drop();
    await target?.drop();
  });

  it('a MariaDB pair is native (MariaDB 10.8+ has CRC32C); MariaDB with PostgreSQL is portable', async () => {
    const ctx = (s: VerifySide): SideContext => ({
      side: s,
      dialect: dialectNamed(s.dialect).rowHash,
      schema: undefined,
    });
    expect(await nativeHashSupport(source.knex)).toBe(true);
    expect(await pairAlgorithm(ctx(side(source)), ctx(side(target)))).toBe('native');
    if (engines.includes('postgres')) {
      const pg = await createTestDatabase('postgres', 'vnat_pg');
      try {
        expect(await pairAlgorithm(ctx(side(source)), ctx(side(pg)))).toBe('portable');
      } finally {
        await pg.drop();
      }
    }
  });

  it('columns of one declared type are hashed as the engine renders them, others in canonical form', async () => {
    const dialect = dialectNamed('mysql').rowHash;
    const [s, t] = await Promise.all([
      dialect.describeTable(source.knex, undefined, 'mixed'),
      dialect.describeTable(target.knex, undefined, 'mixed'),
    ]);
    const plan = planTable(s!, t!, options(source, target), 'native');
    expect(plan.columns.map((c) => [c.name, c.rule.passthrough])).toEqual([
      ['id', true],
      ['name', false],
      ['ratio', false],
      ['at', false],
      ['word', false],
      ['n', true],
    ]);
    const sql = new HashQueries(dialect, plan, 'source', '`mixed`', undefined).totals();
    // n is NOT NULL on the source only: the target may hold NULLs, so both sides flag it. name and n are their
    // bare columns (NULL flagged in the bitmap); ratio, at and word are canonical expressions (NULL marked ~).
    const text =
      "concat_ws('|', ((f1 is null) | (f5 is null) << 1), f0, length(f1), f1, ifnull(f2, '~'), " +
      "ifnull(f3, '~'), ifnull(length(f4), '~'), f4, f5)";
    expect(sql).toContain(
      `sum(d) as s2 from (select (crc32(@verify_row := ${text}) * crc32c(@verify_row)) as d from (`,
    );
    expect(sql).toContain('`id` as f0');
    expect(sql).toContain('`n` as f5');
    expect(sql).not.toContain('md5(');
  });

  it('a value moved to the next column or across the separator is a change; NULL is not the empty string', async () => {
    const result = await verifyData(options(source, target, { tables: [{ source: 'amb', target: 'amb' }] }));
    expect(result.tables[0]!.changed.map((c) => [c.key, Object.keys(c.columns)])).toEqual([
      [{ id: '1' }, ['a', 'b']],
      [{ id: '2' }, ['a', 'b']],
      [{ id: '3' }, ['a', 'b']],
      [{ id: '5' }, ['a', 'b']],
    ]);
  });

  it('a NULL moved to the next bare column is a change, and NULL is not the empty string (bitmap)', async () => {
    const result = await verifyData(options(source, target, { tables: [{ source: 'nulls', target: 'nulls' }] }));
    expect(result.tables[0]!.changed.map((c) => [c.key, Object.keys(c.columns)])).toEqual([
      [{ id: '1' }, ['a', 'b']],
      [{ id: '2' }, ['a', 'b']],
      [{ id: '3' }, ['d']],
    ]);
  });

  it('mixed declared types and character sets compare by value; the changed double is found', async () => {
    const result = await verifyData(options(source, target, { tables: [{ source: 'mixed', target: 'mixed' }] }));
    expect(result.tables[0]!.changed.map((c) => [c.key, Object.keys(c.columns)])).toEqual([[{ id: '2' }, ['ratio']]]);
  });

  it('instants are equal whatever time zone each session renders them in', async () => {
    const result = await verifyData({
      source: side(source),
      target: { knex: shifted, dialect: 'mysql', display: 'shifted' },
      tables: [{ source: 'stamps', target: 'stamps' }],
    });
    expect(result.tables.map((t) => [t.status, t.differenceCount])).toEqual([['equal', 0]]);
  });
});
