import { describe, expect, it } from 'vitest';
import { escapeField, forLoadData, joinLine, splitLine } from '../../src/adapters/copy-line.js';
import { mssqlCopy } from '../../src/adapters/mssql/mssql-copy.js';
import { mssqlBulkValue, mssqlRangeSql, mssqlSelectSql } from '../../src/adapters/mssql/mssql-copy-io.js';
import { mysqlDeclare, mysqlTypeOf } from '../../src/adapters/mysql/mysql-copy-types.js';
import { postgresDeclare } from '../../src/adapters/postgres/postgres-copy-types.js';
import { sqliteDeclare } from '../../src/adapters/sqlite/sqlite-copy-types.js';
import { integerRanges } from '../../src/core/copy/chunk-plan.js';
import type { CopyTable } from '../../src/adapters/copy-dialect.js';

describe('COPY text lines', () => {
  it('round-trips NULL, empty, control characters, backslashes and 4-byte UTF-8', () => {
    const values = [null, '', 'a\tb\nc\rd\\e', '😀𝄞 Grüße', '\\N'];
    expect(splitLine(joinLine(values))).toEqual(values);
    expect(escapeField('\\N')).toBe('\\\\N');
  });
  it('LOAD DATA gets form feeds and vertical tabs as characters (it has no such escapes)', () => {
    expect(forLoadData('a\\fb\\vc\\\\f')).toBe('a\fb\vc\\\\f');
  });
});

describe('type mapping', () => {
  it('MySQL unsigned integers widen, TINYINT(1) is boolean, enum is a string of its longest value', () => {
    expect(mysqlTypeOf('int(10) unsigned')).toEqual({ kind: 'integer', bytes: 4, unsigned: true });
    expect(postgresDeclare({ kind: 'integer', bytes: 4, unsigned: true })).toMatchObject({ declared: 'bigint' });
    expect(postgresDeclare({ kind: 'integer', bytes: 8, unsigned: true })).toMatchObject({ declared: 'numeric(20,0)' });
    expect(mysqlTypeOf('tinyint(1)')).toEqual({ kind: 'boolean' });
    expect(mysqlTypeOf("enum('red','green')")).toEqual({ kind: 'string', length: 5 });
  });
  it('no safe mapping is said, never coerced', () => {
    expect(mysqlDeclare({ kind: 'decimal' })).toHaveProperty('unsafe');
    expect(mysqlDeclare({ kind: 'string' }, true)).toHaveProperty('unsafe');
    expect(sqliteDeclare({ kind: 'decimal', precision: 16, scale: 2 })).toHaveProperty('unsafe');
    expect(sqliteDeclare({ kind: 'decimal', precision: 15, scale: 2 })).toMatchObject({ declared: 'decimal(15,2)' });
  });
});

describe('SQL Server copy SQL (no server needed)', () => {
  const table: CopyTable = {
    schema: 'sales',
    name: 'orders',
    columns: [
      { name: 'id', declared: 'int', type: { kind: 'integer', bytes: 4 }, nullable: false },
      {
        name: 'at',
        declared: 'datetimeoffset(3)',
        type: { kind: 'timestamp', precision: 3, timeZone: true },
        nullable: true,
      },
      { name: 'raw', declared: 'varbinary(max)', type: { kind: 'binary' }, nullable: true },
    ],
    primaryKey: ['id'],
    estimatedRows: null,
  };
  it('reads a range with neutral renderings, and a keyset page with an OR chain (no row values in T-SQL)', () => {
    expect(
      mssqlSelectSql({
        table,
        render: table.columns.map((c) => c.type),
        key: ['id'],
        range: { kind: 'range', low: ['10'], high: ['20'] },
      }),
    ).toBe(
      'select convert(nvarchar(max), [id]) as [c0], convert(varchar(40), convert(datetime2(7), ' +
        "switchoffset([at], '+00:00')), 121) as [c1], '\\x' + lower(convert(varchar(max), [raw], 2)) " +
        'as [c2] from [sales].[orders] where [id] >= 10 and [id] < 20',
    );
    expect(mssqlRangeSql(table, ['a', 'b'], { kind: 'keyset', low: ['x', "o'k"], high: null })).toBe(
      "(([a] > N'x') or ([a] = N'x' and [b] > N'o''k'))",
    );
  });
  it('maps neutral types to SQL Server and builds DDL with the key in the CREATE', () => {
    expect(mssqlCopy.declare({ kind: 'timestamp', precision: 6, timeZone: false })).toMatchObject({
      declared: 'datetime2(6)',
    });
    expect(mssqlCopy.declare({ kind: 'decimal' })).toHaveProperty('unsafe');
    expect(mssqlCopy.typeOf('datetime')).toEqual({ kind: 'timestamp', precision: 3, timeZone: false });
    expect(
      mssqlCopy.createTableSql(
        'dbo',
        't',
        [{ name: 'id', declared: 'int', type: { kind: 'integer', bytes: 4 }, nullable: false }],
        ['id'],
      ),
    ).toBe('create table [dbo].[t] ([id] int not null, primary key ([id]))');
    expect(mssqlBulkValue('\\x00ff', { name: 'raw', declared: 'varbinary(max)', type: { kind: 'binary' } })).toEqual(
      Buffer.from([0, 255]),
    );
    expect(mssqlCopy.isDeclaredType('nvarchar(max)')).toBe(true);
    expect(mssqlCopy.isDeclaredType('int); drop table x; --')).toBe(false);
  });
});

describe('integer key ranges', () => {
  it('cover the whole key space with open ends, about chunkRows each', () => {
    expect(integerRanges('1', '1000', 1000, 250)).toEqual([
      { low: null, high: ['251'] },
      { low: ['251'], high: ['501'] },
      { low: ['501'], high: ['751'] },
      { low: ['751'], high: null },
    ]);
    expect(integerRanges(null, null, 0, 10)).toEqual([{ low: null, high: null }]);
  });
});
