import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectNamed } from '../../src/adapters/dialects.js';
import type { HashSession } from '../../src/adapters/row-hash-dialect.js';
import { planTable } from '../../src/core/verify/column-plan.js';
import { HashQueries } from '../../src/core/verify/hash-queries.js';
import { findDifferingRanges } from '../../src/core/verify/range-search.js';
import type { Side } from '../../src/core/verify/segment-search.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { options } from './verify-fixtures.js';

const engines = await dialectsUnderTest(['mysql']);

describe.runIf(engines.includes('mysql'))('MariaDB: the first scan of a table in key-range parts at once', () => {
  let source: TestDatabase;
  let target: TestDatabase;
  const dialect = dialectNamed('mysql').rowHash;
  const opened: HashSession[] = [];

  beforeAll(async () => {
    source = await createTestDatabase('mysql', 'vsplit_src');
    target = await createTestDatabase('mysql', 'vsplit_tgt');
    for (const db of [source, target]) {
      await db.knex.raw('create table t (id bigint primary key, v varchar(20))');
      await db.knex.raw("insert into t select seq, concat('v', seq) from seq_1_to_5000");
    }
    // Differences at both ends and on each side of the middle, where the two parts meet.
    await target.knex.raw("update t set v = 'x' where id in (1, 2500, 2501, 2560, 5000)");
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.release()));
    await source?.drop();
    await target?.drop();
  });

  it('MySQL-family dialects ask for two sessions; the parts cover lo..hi once and sum as one scan does', async () => {
    expect(dialect.scanSessions).toBe(2);
    const [s, t] = await Promise.all([
      dialect.describeTable(source.knex, undefined, 't'),
      dialect.describeTable(target.knex, undefined, 't'),
    ]);
    const plan = planTable(s!, t!, options(source, target), 'native');
    const side = async (db: TestDatabase, name: 'source' | 'target', split: string[][] | null): Promise<Side> => {
      const session = await dialect.session(db.knex);
      opened.push(session);
      const queries = new HashQueries(dialect, plan, name, '`t`', undefined);
      if (!split) return { session, queries };
      return {
        session,
        queries,
        splitScan: {
          parts: 2,
          aggregate: async (sqls) => {
            split.push([...sqls]);
            const extra = await Promise.all(sqls.slice(1).map(() => dialect.session(db.knex)));
            opened.push(...extra);
            return Promise.all(sqls.map((sql, i) => [session, ...extra][i]!.aggregate(sql)));
          },
        },
      };
    };
    const seen: string[][] = [];
    const split = await findDifferingRanges(
      await side(source, 'source', seen),
      await side(target, 'target', seen),
      1n,
      5000n,
      20n,
      10,
      () => undefined,
    );
    const whole = await findDifferingRanges(
      await side(source, 'source', null),
      await side(target, 'target', null),
      1n,
      5000n,
      20n,
      10,
      () => undefined,
    );
    // 250 segments of 20 keys: the halves are keys 1..2500 and 2501..5000, on each side.
    expect(seen.map((sqls) => sqls.map((q) => /`id` between (\d+) and (\d+)/.exec(q)?.slice(1)))).toEqual([
      [
        ['1', '2500'],
        ['2501', '5000'],
      ],
      [
        ['1', '2500'],
        ['2501', '5000'],
      ],
    ]);
    await Promise.all(opened.splice(0).map((s) => s.release()));
    expect(split).toEqual(whole);
    expect(split!.sourceRows).toBe(5000);
    expect(split!.differing.map((r) => [r.from, r.to])).toEqual([
      [1n, 10n],
      [2491n, 2510n],
      [2551n, 2560n],
      [4991n, 5000n],
    ]);
  });

  const changedKeys = [{ id: '1' }, { id: '2500' }, { id: '2501' }, { id: '2560' }, { id: '5000' }];

  it('verify finds every difference, the ones beside the parts’ border included', async () => {
    const result = await verifyData(options(source, target, { tables: [{ source: 't', target: 't' }] }));
    expect(result.tables[0]!.changed.map((c) => c.key)).toEqual(changedKeys);
  });

  it('verify runs the two halves of each side at once, on two connections, each a union of range reads', async () => {
    // sleep() per row keeps each half running long enough to be seen.
    const where = 'sleep(0.0002) = 0';
    const running = async (db: TestDatabase) => {
      const [rows] = await db.knex.raw(
        `select id, info from information_schema.processlist where db = database() and info like 'with q0 %'`,
      );
      return rows as { id: number; info: string }[];
    };
    const seen = { source: new Set<string>(), target: new Set<string>() };
    const verifying = verifyData(options(source, target, { tables: [{ source: 't', target: 't' }], where }));
    let done = false;
    void verifying.finally(() => (done = true));
    while (!done) {
      for (const [name, db] of [
        ['source', source],
        ['target', target],
      ] as const) {
        const now = await running(db);
        if (now.length >= 2) seen[name].add(now.map((r) => `${r.id}:${/between (\d+)/.exec(r.info)?.[1]}`).join(','));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await verifying).tables[0]!.changed.map((c) => c.key)).toEqual(changedKeys);
    for (const name of ['source', 'target'] as const) {
      const pairs = [...seen[name]].map((p) => p.split(','));
      expect(pairs.length, `${name}: two halves seen running together`).toBeGreaterThan(0);
      const [a, b] = pairs[0]!.map((x) => x.split(':'));
      expect(a![0]).not.toBe(b![0]);
      // 5 segments of 1,000 keys: the halves start at key 1 and at key 2001.
      expect(new Set([a![1], b![1]])).toEqual(new Set(['1', '2001']));
    }
  });

  it('a pool of one connection per side scans the parts one after another (no wait for a second one)', async () => {
    const single = (db: TestDatabase) =>
      knexFactory({ client: 'mysql2', connection: db.url, pool: { min: 0, max: 1 } });
    const [a, b] = [single(source), single(target)];
    try {
      const started = Date.now();
      const result = await verifyData({
        source: { knex: a, dialect: 'mysql', display: 'source' },
        target: { knex: b, dialect: 'mysql', display: 'target' },
        tables: [{ source: 't', target: 't' }],
      });
      expect(result.tables[0]!.changed.map((c) => c.key)).toEqual(changedKeys);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });
});
