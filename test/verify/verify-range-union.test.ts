import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectNamed } from '../../src/adapters/dialects.js';
import { planTable } from '../../src/core/verify/column-plan.js';
import { HashQueries } from '../../src/core/verify/hash-queries.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { options } from './verify-fixtures.js';

const engines = await dialectsUnderTest(['mysql', 'postgres']);

describe.runIf(engines.includes('mysql'))('MariaDB: the first scan sums each key range by its own index read', () => {
  let source: TestDatabase;
  let target: TestDatabase;
  let pg: TestDatabase | undefined;
  const dialect = dialectNamed('mysql').rowHash;
  const ddl = 'create table t (id bigint primary key, v varchar(20), x double)';
  // Two clusters of keys far apart: most key ranges between them hold no row on either side.
  const rows =
    "select seq, concat('v', seq), seq / 3e0 from seq_1_to_8000 " +
    "union all select seq, 'w', null from seq_900000_to_900040";

  beforeAll(async () => {
    source = await createTestDatabase('mysql', 'vrunion_src');
    target = await createTestDatabase('mysql', 'vrunion_tgt');
    for (const db of [source, target]) {
      await db.knex.raw(ddl);
      await db.knex.raw(`insert into t ${rows}`);
      await db.knex.raw('create table u (id bigint not null unique, v varchar(20))');
      await db.knex.raw("insert into u select seq, concat('v', seq) from seq_1_to_100");
    }
    if (engines.includes('postgres')) {
      pg = await createTestDatabase('postgres', 'vrunion_pg');
      await pg.knex.raw('create table t (id bigint primary key, v text, x double precision)');
      await pg.knex.raw(
        "insert into t select g, 'v' || g, g::float8 / 3 from generate_series(1, 8000) g " +
          "union all select g, 'w', null from generate_series(900000, 900040) g",
      );
    }
  });
  afterAll(async () => {
    await source?.drop();
    await target?.drop();
    await pg?.drop();
  });

  const queries = async (table: string, primaryKeyed: boolean, where?: string) => {
    const [s, t] = await Promise.all([
      dialect.describeTable(source.knex, undefined, table),
      dialect.describeTable(target.knex, undefined, table),
    ]);
    const plan = planTable(s!, t!, options(source, target), 'native');
    return new HashQueries(dialect, plan, 'source', `\`${table}\``, where, undefined, primaryKeyed);
  };

  it('one union per part, its branches key range reads of fields written once; grouped otherwise', async () => {
    const sql = (await queries('t', true)).rangeSums(1n, 100n, [0, 1, 2])!;
    expect(sql.match(/with q0 as \(/g)).toHaveLength(1);
    expect(sql.match(/ union all /g)).toHaveLength(2);
    expect(sql).toContain('from q0 where k between 101 and 200 union all');
    expect(sql).not.toContain('group by');
    // The digest goes into the sum itself: a derived table of it would be written to a temporary table.
    expect(sql).toMatch(/sum\(\(crc32\(@verify_row := /);
    // Not the primary key (a secondary index read jumps about the table), or a user variable in --where (MariaDB
    // would not merge the fields into the branches): the grouped scan.
    expect((await queries('t', false)).rangeSums(1n, 100n, [0])).toBeNull();
    expect((await queries('t', true, '@limit > 0 or 1 = 1')).rangeSums(1n, 100n, [0])).toBeNull();
  });

  it('equal tables with mostly empty key ranges are equal; a row added between the clusters is found', async () => {
    const equal = await verifyData(options(source, target, { tables: [{ source: 't', target: 't' }] }));
    expect(equal.tables.map((t) => [t.status, t.sourceRows, t.targetRows])).toEqual([['equal', 8041, 8041]]);
    await target.knex.raw("insert into t values (450000, 'new', 1.5)");
    await target.knex.raw("update t set v = 'changed' where id = 900040");
    try {
      const found = await verifyData(options(source, target, { tables: [{ source: 't', target: 't' }] }));
      const table = found.tables[0]!;
      expect(table.extraInTarget.map((k) => k)).toEqual([{ id: '450000' }]);
      expect(table.changed.map((c) => [c.key, Object.keys(c.columns)])).toEqual([[{ id: '900040' }, ['v']]]);
    } finally {
      await target.knex.raw('delete from t where id = 450000');
      await target.knex.raw("update t set v = 'w' where id = 900040");
    }
  });

  it('a table keyed by a unique index, not its primary key, is grouped and compares alike', async () => {
    await target.knex.raw("update u set v = 'x' where id = 77");
    const result = await verifyData(options(source, target, { tables: [{ source: 'u', target: 'u' }] }));
    expect(result.tables[0]!.changed.map((c) => c.key)).toEqual([{ id: '77' }]);
  });

  it.runIf(engines.includes('postgres'))('against PostgreSQL (grouped or storage order there): equal', async () => {
    const result = await verifyData(options(source, pg!, { tables: [{ source: 't', target: 't' }] }));
    expect(result.tables.map((t) => [t.status, t.differenceCount])).toEqual([['equal', 0]]);
  });
});
