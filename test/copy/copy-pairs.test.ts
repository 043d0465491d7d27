import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

const available = await dialectsUnderTest(['postgres', 'mysql']);
const both = available.includes('postgres') && available.includes('mysql');

const copy = (...args: string[]) => runCli(['copy', '--json', ...args]);
const verify = (...args: string[]) => runCli(['verify', ...args]);

/**
 * Values every pair carries: NULLs, empty strings, non-ASCII and 4-byte UTF-8, control characters, binary, extremes.
 */
const texts = ['plain', '', 'Grüße, 日本語', 'emoji 😀 and 𝄞', 'tab\there\nnewline\\backslash\r', 'quote \' and " too'];
const bytes = [Buffer.from([0, 9, 10, 13, 92, 255]), Buffer.alloc(0), Buffer.from('binary', 'utf8')];

async function declaredTypes(db: TestDatabase, table: string): Promise<Record<string, string>> {
  if (db.dialect === 'postgres') {
    const r = await db.knex.raw(
      `select a.attname as n, format_type(a.atttypid, a.atttypmod) as t from pg_attribute a where ` +
        `a.attrelid = ?::regclass and a.attnum > 0 and not a.attisdropped`,
      [table],
    );
    return Object.fromEntries((r.rows as { n: string; t: string }[]).map((x) => [x.n, x.t]));
  }
  if (db.dialect === 'mysql') {
    const [rows] = await db.knex.raw(
      'select column_name as n, column_type as t from information_schema.columns where ' +
        'table_schema = database() and table_name = ?',
      [table],
    );
    return Object.fromEntries((rows as { n: string; t: string }[]).map((x) => [x.n, x.t]));
  }
  const rows = (await db.knex.raw('select name as n, type as t from pragma_table_info(?)', [table])) as {
    n: string;
    t: string;
  }[];
  return Object.fromEntries(rows.map((x) => [x.n, x.t]));
}

describe.runIf(both)('dmr copy between engines: every mapped type, then dmr verify exits 0', () => {
  let my: TestDatabase;
  let pg: TestDatabase;
  let pg2: TestDatabase;
  let lite: TestDatabase;
  let lite2: TestDatabase;
  let my2: TestDatabase;
  beforeAll(async () => {
    my = await createTestDatabase('mysql', 'cp_my');
    pg = await createTestDatabase('postgres', 'cp_pg');
    pg2 = await createTestDatabase('postgres', 'cp_pg2');
    my2 = await createTestDatabase('mysql', 'cp_my2');
    lite = await createTestDatabase('sqlite', 'cp_lite');
    lite2 = await createTestDatabase('sqlite', 'cp_lite2');
    await my.knex.raw(
      `create table every (
      id int primary key, b tinyint(1), si smallint, i int, bi bigint, ui int unsigned, d ` +
        `decimal(38,10), f float, db double,
      c char(5), vc varchar(50), t text, bin varbinary(16), blb blob, dt date, tm time(3), ` +
        `ts0 datetime, ts3 datetime(3), ts6 datetime(6),
      tz timestamp(6) null, j json, e enum('red','green'))`,
    );
    const rows = Array.from({ length: 3000 }, (_, n) => ({
      id: n + 1,
      b: n % 3 === 0 ? null : n % 2,
      si: n % 2 ? -32768 : 32767,
      i: n % 2 ? -2147483648 : n,
      bi: n % 2 ? '-9223372036854775808' : '9223372036854775807',
      ui: 4294967295 - n,
      d: n % 2 ? '-1234567890123456789012345678.0123456789' : `${n}.5`,
      f: n / 8,
      db: n % 2 ? 1 / 3 + n : -1e300,
      c: n % 4 === 0 ? null : 'ab',
      vc: n % 5 === 0 ? null : texts[n % texts.length],
      t: texts[(n + 1) % texts.length],
      bin: bytes[n % bytes.length],
      blb: n % 7 === 0 ? null : bytes[(n + 1) % bytes.length],
      dt: '2024-02-29',
      tm: '23:59:59.123',
      ts0: '1999-12-31 23:59:59',
      ts3: `2024-01-01 00:00:00.${String(n % 1000).padStart(3, '0')}`,
      ts6: `2038-01-19 03:14:07.${String(n).padStart(6, '0')}`,
      tz: n % 9 === 0 ? null : '2020-06-01 12:00:00.654321',
      j: n % 6 === 0 ? null : JSON.stringify({ n, s: texts[n % texts.length] }),
      e: n % 2 ? 'red' : 'green',
    }));
    for (let i = 0; i < rows.length; i += 500) await my.knex('every').insert(rows.slice(i, i + 500));
  });
  afterAll(async () => {
    for (const db of [my, pg, pg2, my2, lite, lite2]) await db?.drop();
  });

  const mariadbToPostgresTitle =
    'MariaDB -> PostgreSQL: --create maps every type exactly, verify equal, declared types are the mapped ones';
  it(mariadbToPostgresTitle, async () => {
    const run = await copy(
      '--source',
      my.url,
      '--target',
      pg.url,
      '--table',
      'every',
      '--create',
      '--chunk-rows',
      '700',
      '--parallel',
      '2',
    );
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.tables[0]).toMatchObject({
      table: 'every',
      outcome: 'copied',
      chunk_kind: 'range',
      rows_read: 3000,
      rows_copied: 3000,
      rows_rejected: 0,
      source_count: 3000,
      target_count: 3000,
    });
    expect(doc.tables[0].chunks).toBeGreaterThanOrEqual(4);
    expect(await declaredTypes(pg, 'every')).toEqual({
      id: 'integer',
      b: 'boolean',
      si: 'smallint',
      i: 'integer',
      bi: 'bigint',
      ui: 'bigint',
      d: 'numeric(38,10)',
      f: 'real',
      db: 'double precision',
      c: 'character(5)',
      vc: 'character varying(50)',
      t: 'text',
      bin: 'bytea',
      blb: 'bytea',
      dt: 'date',
      tm: 'time(3) without time zone',
      ts0: 'timestamp(0) without time zone',
      ts3: 'timestamp(3) without time zone',
      ts6: 'timestamp(6) without time zone',
      tz: 'timestamp(6) with time zone',
      j: 'json',
      e: 'character varying(5)',
    });
    const pk = await pg.knex.raw(
      `select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and ` +
        `a.attnum = any(i.indkey) where i.indrelid = 'every'::regclass and i.indisprimary`,
    );
    expect(pk.rows).toEqual([{ attname: 'id' }]);
    const check = await verify(
      '--source',
      my.url,
      '--target',
      pg.url,
      '--table',
      'every',
      '--exclude-columns',
      'tm',
      '--override',
      'c=trim-trailing-spaces',
    );
    expect(check.stdout + check.stderr).toMatch(/equal/);
    expect(check.code).toBe(0);
    const times = await pg.knex.raw(`select count(*)::int as n from every where tm = '23:59:59.123'`);
    expect(times.rows[0].n).toBe(3000);
    const special = await pg.knex.raw(`select vc, bin, tz::text as tz from every where id = 5`);
    expect(special.rows[0]).toEqual({ vc: texts[4], bin: bytes[1], tz: '2020-06-01 12:00:00.654321+00' });
  });

  it('PostgreSQL -> MariaDB and PostgreSQL -> SQLite: verify equal, declared types mapped', async () => {
    await pg2.knex.raw(
      `create table every (id bigint primary key, b boolean, si smallint, i integer, d ` +
        `numeric(15,4), r real, db double precision,
      vc varchar(50), t text, bin bytea, dt date, ts0 timestamp(0), ts3 timestamp(3), ts6 ` +
        `timestamp(6), tz timestamptz(3), j json, u uuid)`,
    );
    await pg2.knex.raw(
      `insert into every select g, case when g % 3 = 0 then null else g % 2 = 0 end, (g % ` +
        `100)::smallint, -g, case when g % 2 = 0 then -99999999999.9999 else g / 7.0 end,
      g / 4.0, g::float8 / 3, case when g % 5 = 0 then null else (array['', 'Grüße', ` +
        `'emoji 😀 𝄞', e'tab\\there\\nline', 'back\\\\slash'])[g % 5 + 1] end,
      repeat('x', g % 10), decode(lpad(to_hex(g), 8, '0'), 'hex'), date '2000-01-01' + g, ` +
        `timestamp '2020-01-01 10:00:00' + g * interval '1 second',
      timestamp '2020-01-01' + g * interval '1.001 second', timestamp '2020-01-01' + g * ` +
        `interval '0.000001 second', timestamptz '2021-03-04 05:06:07.891+02' + g * interval ` +
        `'1 minute',
      json_build_object('g', g), md5(g::text)::uuid from generate_series(1, 2500) g`,
    );
    const toMy = await copy(
      '--source',
      pg2.url,
      '--target',
      my2.url,
      '--table',
      'every',
      '--create',
      '--chunk-rows',
      '600',
    );
    expect(toMy.stderr).not.toMatch(/internal error/);
    expect(toMy.code).toBe(0);
    expect(JSON.parse(toMy.stdout).tables[0]).toMatchObject({
      outcome: 'copied',
      rows_copied: 2500,
      source_count: 2500,
      target_count: 2500,
    });
    expect(await declaredTypes(my2, 'every')).toEqual({
      id: 'bigint(20)',
      b: 'tinyint(1)',
      si: 'smallint(6)',
      i: 'int(11)',
      d: 'decimal(15,4)',
      r: 'float',
      db: 'double',
      vc: 'varchar(50)',
      t: 'longtext',
      bin: 'longblob',
      dt: 'date',
      ts0: 'datetime',
      ts3: 'datetime(3)',
      ts6: 'datetime(6)',
      tz: 'timestamp(3)',
      j: 'longtext',
      u: 'char(36)',
    });
    const myCheck = await verify('--source', pg2.url, '--target', my2.url, '--table', 'every');
    expect(myCheck.stdout + myCheck.stderr).toMatch(/equal/);
    expect(myCheck.code).toBe(0);

    const toLite = await copy(
      '--source',
      pg2.url,
      '--target',
      lite2.url,
      '--table',
      'every',
      '--create',
      '--chunk-rows',
      '1000',
    );
    expect(toLite.stderr).not.toMatch(/internal error/);
    expect(toLite.code).toBe(0);
    expect(await declaredTypes(lite2, 'every')).toMatchObject({
      id: 'bigint',
      b: 'boolean',
      d: 'decimal(15,4)',
      bin: 'BLOB',
      ts3: 'datetime(3)',
      tz: 'timestamptz(3)',
      u: 'uuid',
    });
    const liteCheck = await verify(
      '--source',
      pg2.url,
      '--target',
      lite2.url,
      '--table',
      'every',
      '--exclude-columns',
      'j',
    );
    expect(liteCheck.stdout + liteCheck.stderr).toMatch(/equal/);
    expect(liteCheck.code).toBe(0);
  });

  const toPostgresTitle =
    'SQLite -> PostgreSQL and PostgreSQL -> PostgreSQL (types kept as declared, even ones no other engine has)';
  it(toPostgresTitle, async () => {
    await lite.knex.raw(
      `create table every (id integer primary key, name varchar(40) not null, flag boolean, ` +
        `amount decimal(15,2), ratio double, payload blob, born date, seen datetime(3))`,
    );
    const rows = Array.from({ length: 1200 }, (_, n) => ({
      id: n + 1,
      name: texts[n % texts.length],
      flag: n % 2,
      amount: n % 2 ? -12345678901.25 : n,
      ratio: n / 3,
      payload: n % 4 ? bytes[n % 3] : null,
      born: '1980-05-06',
      seen: `2024-03-04 05:06:07.${String(n % 1000).padStart(3, '0')}`,
    }));
    for (let i = 0; i < rows.length; i += 200) await lite.knex('every').insert(rows.slice(i, i + 200));
    const run = await copy(
      '--source',
      lite.url,
      '--target',
      pg.url,
      '--table',
      'every=from_lite',
      '--create',
      '--chunk-rows',
      '500',
    );
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    expect(await declaredTypes(pg, 'from_lite')).toEqual({
      id: 'bigint',
      name: 'character varying(40)',
      flag: 'boolean',
      amount: 'numeric(15,2)',
      ratio: 'double precision',
      payload: 'bytea',
      born: 'date',
      seen: 'timestamp(3) without time zone',
    });
    const check = await verify('--source', lite.url, '--target', pg.url, '--table', 'every=from_lite');
    expect(check.code).toBe(0);

    await pg.knex.raw(`create table odd (k text primary key, span interval, tags int[], doc jsonb)`);
    await pg.knex.raw(
      `insert into odd select 'key ' || g, g * interval '1 minute', array[g, -g], ` +
        `jsonb_build_object('g', g) from generate_series(1, 1500) g`,
    );
    const same = await copy(
      '--source',
      pg.url,
      '--target',
      pg2.url,
      '--table',
      'odd',
      '--create',
      '--chunk-rows',
      '400',
    );
    expect(same.code).toBe(0);
    const doc = JSON.parse(same.stdout);
    expect(doc.tables[0]).toMatchObject({ chunk_kind: 'keyset', rows_copied: 1500, chunks: 4 });
    expect(await declaredTypes(pg2, 'odd')).toEqual({ k: 'text', span: 'interval', tags: 'integer[]', doc: 'jsonb' });
    const sample = await pg2.knex.raw(`select span::text, tags::text, doc::text from odd where k = 'key 7'`);
    expect(sample.rows[0]).toEqual({ span: '00:07:00', tags: '{7,-7}', doc: '{"g": 7}' });
  });

  it('a type without a safe mapping is named before any row moves (exit 2), and --cast overrides it', async () => {
    await pg.knex.raw('create table wide (id int primary key, big numeric(30,2), free numeric)');
    await pg.knex.raw(`insert into wide values (1, 123456789012345678901234567.89, 1.5)`);
    const refused = await runCli(['copy', '--source', pg.url, '--target', lite.url, '--table', 'wide', '--create']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/wide\.big: numeric\(30,2\)/);
    expect(refused.stderr).toMatch(/wide\.free: numeric/);
    expect(await lite.knex.raw(`select name from sqlite_master where name = 'wide'`)).toEqual([]);
    const cast = await copy(
      '--source',
      pg.url,
      '--target',
      lite.url,
      '--table',
      'wide',
      '--create',
      '--cast',
      'big=text',
      '--cast',
      'wide.free=text',
    );
    expect(cast.code).toBe(0);
    expect(await lite.knex('wide').select('big', 'free')).toEqual([
      { big: '123456789012345678901234567.89', free: '1.5' },
    ]);
  });
});
