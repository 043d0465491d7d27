import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectNamed } from '../../src/adapters/dialects.js';
import type { HashSession, RowHashDialect } from '../../src/adapters/row-hash-dialect.js';
import { planTable } from '../../src/core/verify/column-plan.js';
import { HashQueries } from '../../src/core/verify/hash-queries.js';
import { findDifferingRanges } from '../../src/core/verify/range-search.js';
import type { Side } from '../../src/core/verify/segment-search.js';
import { combineChunkSums, storageBounds, storageChunks } from '../../src/core/verify/storage-order.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { options } from './verify-fixtures.js';

const engines = await dialectsUnderTest(['postgres']);
const rows = 20_000;

describe('storage order: bounds, chunks and sums', () => {
  const dialect = dialectNamed('postgres').rowHash;
  const compare = (a: string, b: string) => dialect.storagePositions!.compare(a, b);

  it('takes the first sample of a boundary unless it lies past the median, and keeps bounds non-decreasing', () => {
    const bounds = storageBounds(
      [
        ['(10,1)', '(10,2)', '(10,3)', '(10,4)', '(10,5)'],
        // The first row was updated and now lies at the end: the next one marks the boundary.
        ['(900,7)', '(20,2)', '(20,3)', '(20,4)', '(20,5)'],
        ['(30,1)', '(30,2)'],
        // One boundary going backwards is repaired (the chunk before it is empty).
        ['(25,1)', '(25,2)', '(25,3)'],
        ['(40,1)'],
        [],
        [],
      ],
      compare,
    );
    expect(bounds).toEqual(['(10,1)', '(20,2)', '(30,1)', '(30,1)', '(40,1)', null, null]);
    const chunks = storageChunks(bounds!, 100n, 10n, compare);
    expect(chunks.map((c) => [c.segment, c.from, c.to, c.keyFrom, c.keyTo])).toEqual([
      [0, null, '(10,1)', 100n, 109n],
      [1, '(10,1)', '(20,2)', 110n, 119n],
      [2, '(20,2)', '(30,1)', 120n, 129n],
      // segment 3 holds nothing: from and to are equal
      [4, '(30,1)', '(40,1)', 140n, 149n],
      // no key at or past 160 on this side: segment 5's chunk runs to the end, the rest hold nothing
      [5, '(40,1)', null, 150n, 159n],
    ]);
  });

  it('gives up on a table stored out of key order', () => {
    const shuffled = Array.from({ length: 64 }, (_, i) => [`(${(i * 37) % 64},1)`]);
    expect(storageBounds(shuffled, compare)).toBeNull();
  });

  it('counts strays in their own segments and leaves empty segments out', () => {
    const sums = combineChunkSums(
      [
        { seg: 0, n: '3', s1: '30', s2: '0' },
        { seg: 1, n: '2', s1: '-5', s2: '0' },
        { seg: 2, n: '0', s1: null, s2: '0' },
      ],
      // chunk 1 holds one row of segment 0 and its only other row belongs to segment 3
      [
        { chunk: 1, seg: 0, n: '1', s1: '7', s2: '0' },
        { chunk: 1, seg: 3, n: '1', s1: '-12', s2: '0' },
      ],
    );
    expect([...sums.entries()].map(([k, v]) => [k, v.n])).toEqual([
      [0, 4],
      [3, 1],
    ]);
    expect(sums.get(0)!.sig).toBe(`4:${37n * 4294967296n}`);
    expect(sums.has(1)).toBe(false);
  });

  it('checks every position before it goes into SQL', () => {
    const positions = dialect.storagePositions!;
    expect(positions.range('(3,4)', null)).toBe("ctid >= '(3,4)'::tid");
    expect(positions.range(null, null)).toBe('true');
    expect(() => positions.range("(1,1)'; drop table t; --", null)).toThrow(/not a storage position/);
  });
});

describe.runIf(engines.includes('postgres'))('PostgreSQL: the first scan read in storage order', () => {
  let source: TestDatabase;
  let target: TestDatabase;
  const dialect = dialectNamed('postgres').rowHash;
  const opened: HashSession[] = [];

  const fill = async (db: TestDatabase, table: string, order = 'g') => {
    await db.knex.raw(`create table ${table} (id bigint primary key, v text not null)`);
    await db.knex.raw(`insert into ${table} select g, 'v' || g from generate_series(1, ${rows}) g order by ${order}`);
    await db.knex.raw(`vacuum analyze ${table}`);
  };

  beforeAll(async () => {
    source = await createTestDatabase('postgres', 'vstore_src');
    target = await createTestDatabase('postgres', 'vstore_tgt');
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.release()));
    await source?.drop();
    await target?.drop();
  });

  /** One side's first scan and refinement, the SQL it ran kept; `grouped` hides the dialect's storage positions. */
  const side = async (db: TestDatabase, name: 'source' | 'target', table: string, seen: string[], grouped = false) => {
    const used: RowHashDialect = grouped
      ? Object.assign(Object.create(dialect) as RowHashDialect, { storagePositions: undefined })
      : dialect;
    const described = await dialect.describeTable(db.knex, undefined, table);
    const plan = planTable(described!, described!, options(source, target), 'native');
    const session = await dialect.session(db.knex);
    opened.push(session);
    const watched: HashSession = {
      ...session,
      all: (sql) => (seen.push(sql), session.all(sql)),
      aggregate: (sql) => (seen.push(sql), session.aggregate(sql)),
    };
    return { session: watched, queries: new HashQueries(used, plan, name, `"${table}"`, undefined) } satisfies Side;
  };

  const differing = async (table: string, grouped: { source?: boolean; target?: boolean } = {}) => {
    const seen = { source: [] as string[], target: [] as string[] };
    const found = await findDifferingRanges(
      await side(source, 'source', table, seen.source, grouped.source),
      await side(target, 'target', table, seen.target, grouped.target),
      1n,
      BigInt(rows),
      1000n,
      100,
      () => undefined,
    );
    await Promise.all(opened.splice(0).map((s) => s.release()));
    return { found: found!, seen };
  };

  const changed = async (table: string) => {
    const result = await verifyData(options(source, target, { tables: [{ source: table, target: table }] }));
    const t = result.tables[0]!;
    return { status: t.status, changed: t.changed.map((c) => Number(c.key.id)), missing: t.missingInTarget.length };
  };

  it('equal tables stored differently (rows updated to themselves, so moved to the end): equal', async () => {
    await fill(source, 'moved');
    await fill(target, 'moved');
    await target.knex.raw('update moved set v = v where id % 997 = 0');
    const { found, seen } = await differing('moved');
    expect(
      seen.source.some((sql) => sql.includes('ctid >= ')) && seen.target.some((sql) => sql.includes('ctid >= ')),
    ).toBe(true);
    // No grouped first scan on either side (a settled chunk's strays are grouped, a few rows).
    expect([...seen.source, ...seen.target].some((sql) => sql.startsWith('select seg,'))).toBe(false);
    expect(found.differing).toEqual([]);
    expect([found.sourceRows, found.targetRows]).toEqual([rows, rows]);
    expect(await changed('moved')).toEqual({ status: 'equal', changed: [], missing: 0 });
  });

  it('a difference stored in another segment’s chunk on both sides is found where its key is', async () => {
    await fill(source, 'hidden');
    await fill(target, 'hidden');
    // Row 5500 moves to the end on both sides (the last chunk), with different values: the last chunk differs, and
    // only counting its strays in their own segments points at the key range that holds the difference.
    await source.knex.raw("update hidden set v = 'one' where id = 5500");
    await target.knex.raw("update hidden set v = 'two' where id = 5500");
    const { found, seen } = await differing('hidden');
    expect(seen.target.some((sql) => sql.includes(' as chunk, seg'))).toBe(true);
    expect(found.differing.some((r) => r.from <= 5500n && r.to >= 5500n)).toBe(true);
    expect(await changed('hidden')).toEqual({ status: 'different', changed: [5500], missing: 0 });
  });

  it('space freed by a delete and refilled with high keys; rows missing at the end of one side', async () => {
    for (const db of [source, target]) await fill(db, 'refilled');
    await target.knex.raw('delete from refilled where id between 3001 and 3100');
    await target.knex.raw('vacuum refilled');
    await target.knex.raw(`insert into refilled select g, 'v' || g from generate_series(3001, 3100) g`);
    await target.knex.raw(`update refilled set v = 'changed' where id in (3050, 17000)`);
    await target.knex.raw(`delete from refilled where id > ${rows - 10}`);
    const { seen } = await differing('refilled');
    expect(seen.target.some((sql) => sql.includes('ctid >= '))).toBe(true);
    expect(await changed('refilled')).toEqual({ status: 'different', changed: [3050, 17000], missing: 10 });
  });

  it('a side stored out of key order is grouped by segment; the sides still compare exactly', async () => {
    await fill(source, 'shuffled');
    await fill(target, 'shuffled', 'md5(g::text)');
    await target.knex.raw("update shuffled set v = 'x' where id in (1, 9999, 20000)");
    const { found, seen } = await differing('shuffled');
    expect(seen.source.some((sql) => sql.includes('ctid >= '))).toBe(true);
    expect(seen.target.some((sql) => sql.includes('ctid >= '))).toBe(false);
    expect(seen.target.some((sql) => sql.startsWith('select seg,'))).toBe(true);
    const grouped = await differing('shuffled', { source: true, target: true });
    expect(found).toEqual(grouped.found);
    expect(await changed('shuffled')).toEqual({ status: 'different', changed: [1, 9999, 20000], missing: 0 });
  });
});
