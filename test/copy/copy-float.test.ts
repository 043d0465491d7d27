import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

/**
 * A MariaDB FLOAT (4 bytes) prints with 6 significant digits, so copying its text would turn
 * 16777216 into 16777200. Each value must arrive as the same float, on PostgreSQL and on MariaDB.
 */
const available = await dialectsUnderTest(['mysql', 'postgres']);
const floats = [
  16777216, 0.1, 3.4028234663852886e38, 1.1754943508222875e-38, 1.401298464324817e-45, -123456.7890625, 0,
];

describe.skipIf(available.length < 2)('copy of 4-byte floats from MariaDB', () => {
  let my: TestDatabase;
  let pg: TestDatabase;
  let my2: TestDatabase;
  beforeAll(async () => {
    [my, pg, my2] = await Promise.all([
      createTestDatabase('mysql', 'float_src'),
      createTestDatabase('postgres', 'float_pg'),
      createTestDatabase('mysql', 'float_my'),
    ]);
    await my.knex.raw('create table f (id int primary key, v float)');
    await my.knex('f').insert(floats.map((v, i) => ({ id: i + 1, v })));
  });
  afterAll(async () => {
    await Promise.all([my?.drop(), pg?.drop(), my2?.drop()]);
  });

  const sourceDoubles = async () =>
    ((await my.knex.raw('select cast(v as double) as v from f order by id'))[0] as { v: number }[]).map((r) => r.v);

  it('MariaDB -> PostgreSQL: every float arrives unchanged', async () => {
    const result = await runCli(['copy', '--source', my.url, '--target', pg.url, '--table', 'f', '--create', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const target = (await pg.knex.raw('select v::float8 as v from f order by id')).rows as { v: number }[];
    expect(target.map((r) => r.v)).toEqual(await sourceDoubles());
    expect((await sourceDoubles())[0]).toBe(16777216);
  });

  it('MariaDB -> MariaDB: every float arrives unchanged', async () => {
    const result = await runCli([
      'copy',
      '--source',
      my.url,
      '--target',
      my2.url,
      '--table',
      'f',
      '--create',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [rows] = await my2.knex.raw('select cast(v as double) as v from f order by id');
    expect((rows as { v: number }[]).map((r) => r.v)).toEqual(await sourceDoubles());
  });
});
