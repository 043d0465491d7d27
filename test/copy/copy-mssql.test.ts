import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CopyTable, CopyType } from '../../src/adapters/copy-dialect.js';
import { mssqlCopy } from '../../src/adapters/mssql/mssql-copy.js';
import {
  mssqlBulkType,
  mssqlBulkValue,
  mssqlLiteral,
  mssqlRangeSql,
  mssqlSelectSql,
} from '../../src/adapters/mssql/mssql-copy-io.js';
import { mssqlRender, mssqlTypeOf } from '../../src/adapters/mssql/mssql-copy-types.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, serverUrls, type TestDatabase } from '../support/databases.js';

/** A knex stand-in that records the SQL it is given and answers with fixed rows (no server). */
function recordingKnex(answer: Record<string, unknown>[] = []): {
  knex: Knex;
  calls: { sql: string; bindings: unknown }[];
} {
  const calls: { sql: string; bindings: unknown }[] = [];
  const raw = (sql: string, bindings: unknown) => {
    calls.push({ sql, bindings });
    const result = Promise.resolve(answer);
    return Object.assign(result, { connection: () => result });
  };
  return { knex: { raw } as unknown as Knex, calls };
}

const column = (name: string, declared: string, nullable = true) => ({
  name,
  declared,
  type: mssqlTypeOf(declared),
  nullable,
});

describe('SQL Server copy SQL as text (no server needed)', () => {
  const orders: CopyTable = {
    schema: 'sales',
    name: 'orders',
    columns: [
      column('code', 'nvarchar(10)', false),
      column('n', 'int', false),
      column('amount', 'decimal(12,2)'),
      column('at', 'datetime2(3)'),
    ],
    primaryKey: ['code', 'n'],
    estimatedRows: null,
  };

  it('keyset pages: TOP, key order, an OR chain; a text key that looks like a number stays text', () => {
    const sql = mssqlSelectSql({
      table: orders,
      render: orders.columns.map((c) => c.type),
      key: ['code', 'n'],
      range: { kind: 'keyset', low: ['007', '5'], high: null },
      limit: 1000,
      where: 'amount > 0',
    });
    expect(sql).toBe(
      'select top (1000) convert(nvarchar(max), [code]) as [c0], convert(nvarchar(max), [n]) as ' +
        '[c1], convert(nvarchar(max), [amount]) as [c2], ' +
        "convert(varchar(40), [at], 121) as [c3] from [sales].[orders] where (([code] > N'007') or " +
        "([code] = N'007' and [n] > 5)) and (amount > 0) order by [code], [n]",
    );
    expect(mssqlRangeSql(orders, ['code', 'n'], { kind: 'keyset', low: ['a', '1'], high: ['b', '9'] })).toBe(
      "(([code] > N'a') or ([code] = N'a' and [n] > 1)) and (([code] < N'b') or ([code] = N'b' and [n] <= 9))",
    );
    expect(mssqlRangeSql(orders, ['code', 'n'], { kind: 'exact', low: ["o'k", '3'], high: null })).toBe(
      "[code] = N'o''k' and [n] = 3",
    );
  });

  it('integer ranges are half-open with open ends; literals never carry SQL', () => {
    const ids: CopyTable = {
      name: 't',
      columns: [column('id', 'bigint', false)],
      primaryKey: ['id'],
      estimatedRows: null,
    };
    expect(mssqlRangeSql(ids, ['id'], { kind: 'range', low: null, high: ['100'] })).toBe('[id] < 100');
    expect(mssqlRangeSql(ids, ['id'], { kind: 'range', low: ['100'], high: ['200'] })).toBe(
      '[id] >= 100 and [id] < 200',
    );
    expect(mssqlRangeSql(ids, ['id'], { kind: 'all', low: null, high: null })).toBe('');
    expect(mssqlLiteral('1; drop table t; --')).toBe("N'1; drop table t; --'");
    expect(mssqlLiteral('12.50')).toBe('12.50');
    expect(mssqlLiteral('12', false)).toBe("N'12'");
    expect(
      mssqlSelectSql({ table: ids, render: [null], key: ['id'], range: { kind: 'all', low: null, high: null } }),
    ).toBe('select convert(nvarchar(max), [id]) as [c0] from [dbo].[t]');
  });

  it('renders every neutral type in the neutral text form', () => {
    const cases: [CopyType | null, string][] = [
      [
        { kind: 'timestamp', precision: 3, timeZone: true },
        "convert(varchar(40), convert(datetime2(7), switchoffset([c], '+00:00')), 121)",
      ],
      [{ kind: 'timestamp', precision: 6, timeZone: false }, 'convert(varchar(40), [c], 121)'],
      [{ kind: 'date' }, 'convert(varchar(10), [c], 23)'],
      [{ kind: 'binary' }, "'\\x' + lower(convert(varchar(max), [c], 2))"],
      [{ kind: 'boolean' }, 'convert(varchar(1), [c])'],
      [{ kind: 'float', bytes: 8 }, 'convert(varchar(40), [c], 3)'],
      [{ kind: 'string', length: 5 }, 'convert(nvarchar(max), [c])'],
      [null, 'convert(nvarchar(max), [c])'],
    ];
    for (const [type, sql] of cases) expect(mssqlRender('[c]', type)).toBe(sql);
  });

  it('maps every SQL Server type to a neutral type and every neutral type back (the documented table)', () => {
    const read: Record<string, CopyType | null> = {
      bit: { kind: 'boolean' },
      tinyint: { kind: 'integer', bytes: 1, unsigned: true },
      smallint: { kind: 'integer', bytes: 2 },
      int: { kind: 'integer', bytes: 4 },
      bigint: { kind: 'integer', bytes: 8 },
      'decimal(38,10)': { kind: 'decimal', precision: 38, scale: 10 },
      money: { kind: 'decimal', precision: 19, scale: 4 },
      real: { kind: 'float', bytes: 4 },
      'float(53)': { kind: 'float', bytes: 8 },
      'nchar(3)': { kind: 'string', length: 3, fixed: true },
      'nvarchar(max)': { kind: 'string' },
      'varchar(20)': { kind: 'string', length: 20 },
      'binary(4)': { kind: 'binary', length: 4, fixed: true },
      'varbinary(max)': { kind: 'binary' },
      date: { kind: 'date' },
      'time(7)': { kind: 'time', precision: 6 },
      datetime: { kind: 'timestamp', precision: 3, timeZone: false },
      smalldatetime: { kind: 'timestamp', precision: 0, timeZone: false },
      'datetime2(3)': { kind: 'timestamp', precision: 3, timeZone: false },
      'datetimeoffset(6)': { kind: 'timestamp', precision: 6, timeZone: true },
      uniqueidentifier: { kind: 'uuid' },
      geography: null,
      sql_variant: null,
    };
    for (const [declared, type] of Object.entries(read)) expect(mssqlTypeOf(declared), declared).toEqual(type);
    const spell: [CopyType, string][] = [
      [{ kind: 'boolean' }, 'bit'],
      [{ kind: 'integer', bytes: 1 }, 'smallint'],
      [{ kind: 'integer', bytes: 1, unsigned: true }, 'tinyint'],
      [{ kind: 'integer', bytes: 3 }, 'int'],
      [{ kind: 'integer', bytes: 4, unsigned: true }, 'bigint'],
      [{ kind: 'integer', bytes: 8, unsigned: true }, 'decimal(20,0)'],
      [{ kind: 'decimal', precision: 12, scale: 2 }, 'decimal(12,2)'],
      [{ kind: 'float', bytes: 4 }, 'real'],
      [{ kind: 'float', bytes: 8 }, 'float'],
      [{ kind: 'string', length: 5, fixed: true }, 'nchar(5)'],
      [{ kind: 'string', length: 50 }, 'nvarchar(50)'],
      [{ kind: 'string' }, 'nvarchar(max)'],
      [{ kind: 'binary', length: 16 }, 'varbinary(16)'],
      [{ kind: 'binary' }, 'varbinary(max)'],
      [{ kind: 'date' }, 'date'],
      [{ kind: 'time', precision: 3 }, 'time(3)'],
      [{ kind: 'timestamp', precision: 0, timeZone: false }, 'datetime2(0)'],
      [{ kind: 'timestamp', precision: 6, timeZone: true }, 'datetimeoffset(6)'],
      [{ kind: 'json' }, 'nvarchar(max)'],
      [{ kind: 'uuid' }, 'uniqueidentifier'],
    ];
    for (const [type, declared] of spell) expect(mssqlCopy.declare(type), declared).toMatchObject({ declared });
    expect(mssqlCopy.declare({ kind: 'decimal', precision: 65, scale: 30 })).toHaveProperty('unsafe');
    expect(mssqlCopy.declare({ kind: 'string' }, true)).toHaveProperty('unsafe');
    expect(mssqlCopy.declare({ kind: 'binary' }, true)).toHaveProperty('unsafe');
  });

  it('DDL: the key in the CREATE, nullability spelled out; truncate and a later key by name', () => {
    const columns = [
      { name: 'a b', declared: 'int', type: { kind: 'integer', bytes: 4 } as CopyType, nullable: false },
      { name: 'c]d', declared: 'nvarchar(max)', type: { kind: 'string' } as CopyType, nullable: true },
    ];
    expect(mssqlCopy.createTableSql(undefined, 'x]y', columns, ['a b'])).toBe(
      'create table [dbo].[x]]y] ([a b] int not null, [c]]d] nvarchar(max) null, primary key ([a b]))',
    );
    expect(mssqlCopy.truncateSql('s', 't')).toBe('truncate table [s].[t]');
    expect(mssqlCopy.addPrimaryKeySql('s', 't', ['a', 'b'])).toBe('alter table [s].[t] add primary key ([a], [b])');
    expect(mssqlCopy.isDeclaredType('decimal(12, 2)')).toBe(true);
    expect(mssqlCopy.isDeclaredType('varchar(max)')).toBe(true);
    expect(mssqlCopy.isDeclaredType("int default 1; exec('x')")).toBe(false);
  });

  it('catalog queries bind the schema and table (no names in the SQL text)', async () => {
    const { knex, calls } = recordingKnex([]);
    expect(await mssqlCopy.describeTable(knex, undefined, "o'rders")).toBeNull();
    expect(calls[0]?.sql).toMatch(/from information_schema\.columns where table_schema = \? and table_name = \?/);
    expect(calls[0]?.bindings).toEqual(['dbo', "o'rders"]);
    await mssqlCopy.listTables(knex, 'sales');
    expect(calls[1]?.sql).toMatch(/table_schema = coalesce\(\?, schema_name\(\)\) and table_type = 'BASE TABLE'/);
    expect(calls[1]?.bindings).toEqual(['sales']);
    await mssqlCopy.tableExists(knex, undefined, 't');
    expect(calls[2]?.bindings).toEqual(['dbo', 't']);
  });

  it('classifies refused rows by error number (with the column where named) and lost connections', () => {
    expect(
      mssqlCopy.rowRefusal({ number: 515, message: "Cannot insert the value NULL into column 'name', table 'x'" }),
    ).toEqual({
      code: '515',
      message: "Cannot insert the value NULL into column 'name', table 'x'",
      field: 'name',
      duplicate: false,
    });
    expect(mssqlCopy.rowRefusal({ number: 2627, message: 'Violation of PRIMARY KEY constraint' })).toMatchObject({
      duplicate: true,
    });
    expect(
      mssqlCopy.rowRefusal({
        originalError: { info: { number: 8152 } },
        message: 'String or binary data would be truncated',
      }),
    ).toMatchObject({ code: '8152' });
    expect(mssqlCopy.rowRefusal({ number: 1205, message: 'deadlock victim' })).toBeNull();
    expect(mssqlCopy.isConnectionLoss({ code: 'ECONNRESET' })).toBe(true);
    expect(mssqlCopy.isConnectionLoss({ message: 'Connection lost - read ECONNRESET' })).toBe(true);
    expect(mssqlCopy.isConnectionLoss({ number: 515 })).toBe(false);
  });

  it('bulk load types and values for every neutral type', () => {
    const load = (type: CopyType) => ({ name: 'c', declared: '', type });
    expect(mssqlBulkValue('1', load({ kind: 'boolean' }))).toBe(true);
    expect(mssqlBulkValue('9223372036854775807', load({ kind: 'integer', bytes: 8 }))).toBe('9223372036854775807');
    expect(
      mssqlBulkValue('2024-02-29 23:59:59.123', load({ kind: 'timestamp', precision: 3, timeZone: true })),
    ).toEqual(new Date('2024-02-29T23:59:59.123Z'));
    expect(mssqlBulkValue('\\x00ff', load({ kind: 'binary' }))).toEqual(Buffer.from([0, 255]));
    expect(mssqlBulkValue(null, load({ kind: 'string' }))).toBeNull();
    const typeName = (t: CopyType) => {
      const made = mssqlBulkType(load(t));
      return (typeof made === 'function' ? made() : made) as { type: { declaration: string } };
    };
    expect(typeName({ kind: 'decimal', precision: 12, scale: 2 }).type.declaration).toBe('decimal');
    expect(typeName({ kind: 'timestamp', precision: 3, timeZone: true }).type.declaration).toBe('datetimeoffset');
    expect(typeName({ kind: 'uuid' }).type.declaration).toBe('uniqueidentifier');
  });
});

// Live SQL Server: only with DMR_TEST_MSSQL_URL (dialectsUnderTest prints why it skips otherwise).
const live = serverUrls.mssql
  ? await dialectsUnderTest(['mssql', 'postgres'])
  : (console.warn('skipping live SQL Server copy tests: set DMR_TEST_MSSQL_URL (no SQL Server on this machine)'), []);

describe.runIf(live.includes('mssql') && live.includes('postgres'))(
  'dmr copy with a live SQL Server: PostgreSQL <-> SQL Server, every mapped type',
  () => {
    let pg: TestDatabase;
    let ms: TestDatabase;
    let pgBack: TestDatabase;
    beforeAll(async () => {
      pg = await createTestDatabase('postgres', 'cms_pg');
      ms = await createTestDatabase('mssql', 'cms_ms');
      pgBack = await createTestDatabase('postgres', 'cms_back');
      await pg.knex.raw(
        `create table every (id bigint primary key, b boolean, si smallint, i integer, d ` +
          `numeric(15,4), r real, db double precision,
      c char(3), vc varchar(50), t text, bin bytea, dt date, tm time(3), ts0 timestamp(0), ` +
          `ts3 timestamp(3), ts6 timestamp(6), tz timestamptz(3), u uuid)`,
      );
      await pg.knex.raw(
        `insert into every select g, case when g % 3 = 0 then null else g % 2 = 0 end, (g % 100)::smallint, -g,
      case when g % 2 = 0 then -99999999999.9999 else g / 7.0 end, g / 4.0, g::float8 / 3, ` +
          `'ab', case when g % 5 = 0 then null
      else (array['', 'Grüße', 'emoji 😀 𝄞', e'tab\\there', 'quote '' "'])[g % 5 + 1] end, repeat('x', g % 10),
      decode(lpad(to_hex(g), 8, '0'), 'hex'), date '2000-01-01' + g, time '23:59:59.123', ` +
          `timestamp '2020-01-01 10:00:00' + g * interval '1 second',
      timestamp '2020-01-01' + g * interval '1.001 second', timestamp '2020-01-01' + g * interval '0.000001 second',
      timestamptz '2021-03-04 05:06:07.891+02' + g * interval '1 minute', ` +
          `md5(g::text)::uuid from generate_series(1, 2500) g`,
      );
    });
    afterAll(async () => {
      for (const db of [pg, ms, pgBack]) await db?.drop();
    });

    const postgresToMssqlTitle =
      'PostgreSQL -> SQL Server with --create: declared types are the mapped ones, verify exits 0; and back again';
    it(postgresToMssqlTitle, async () => {
      const run = await runCli([
        'copy',
        '--json',
        '--source',
        pg.url,
        '--target',
        ms.url,
        '--table',
        'every',
        '--create',
        '--chunk-rows',
        '600',
      ]);
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).tables[0]).toMatchObject({
        outcome: 'copied',
        rows_copied: 2500,
        source_count: 2500,
        target_count: 2500,
      });
      const types = await ms.knex.raw(
        `select column_name as n, data_type as t, character_maximum_length as l, numeric_precision ` +
          `as p, numeric_scale as s, datetime_precision as dp
      from information_schema.columns where table_name = 'every'`,
      );
      const declared = Object.fromEntries(
        (types as { n: string; t: string; l: number | null; p: number; s: number; dp: number | null }[]).map((c) => [
          c.n,
          mssqlTypeOf(
            ['decimal', 'numeric'].includes(c.t)
              ? `${c.t}(${c.p},${c.s})`
              : c.l !== null
                ? `${c.t}(${c.l === -1 ? 'max' : c.l})`
                : c.dp !== null && c.t !== 'date'
                  ? `${c.t}(${c.dp})`
                  : c.t,
          ),
        ]),
      );
      expect(declared).toMatchObject({
        id: { kind: 'integer', bytes: 8 },
        b: { kind: 'boolean' },
        d: { kind: 'decimal', precision: 15, scale: 4 },
        c: { kind: 'string', length: 3, fixed: true },
        t: { kind: 'string' },
        bin: { kind: 'binary' },
        ts3: { kind: 'timestamp', precision: 3, timeZone: false },
        tz: { kind: 'timestamp', precision: 3, timeZone: true },
        u: { kind: 'uuid' },
      });
      const check = await runCli(['verify', '--source', pg.url, '--target', ms.url, '--table', 'every']);
      expect(check.code, check.stdout + check.stderr).toBe(0);

      const back = await runCli([
        'copy',
        '--json',
        '--source',
        ms.url,
        '--target',
        pgBack.url,
        '--table',
        'every',
        '--create',
        '--chunk-rows',
        '1000',
      ]);
      expect(back.code, back.stderr).toBe(0);
      const again = await runCli(['verify', '--source', pg.url, '--target', pgBack.url, '--table', 'every']);
      expect(again.code, again.stdout + again.stderr).toBe(0);
    });
  },
);
