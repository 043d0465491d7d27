import { describe, expect, it } from 'vitest';
import { MssqlRowHash } from '../../src/adapters/mssql/mssql-row-hash.js';
import type { CatalogTable, RowHashDialect } from '../../src/adapters/row-hash-dialect.js';
import { planTable } from '../../src/core/verify/column-plan.js';
import { HashQueries } from '../../src/core/verify/hash-queries.js';

const table: CatalogTable = {
  schema: 'dbo',
  name: 'Orders',
  primaryKey: ['Id'],
  columns: [
    { name: 'Id', dataType: 'int', category: 'integer' },
    { name: 'Amount', dataType: 'decimal(12,4)', category: 'decimal' },
    { name: 'Ratio', dataType: 'float', category: 'float' },
    { name: 'Paid', dataType: 'bit', category: 'boolean' },
    { name: 'At', dataType: 'datetime2', category: 'timestamp', timestampPrecision: 3 },
    { name: 'Name', dataType: 'nvarchar', category: 'string' },
    { name: 'Blob', dataType: 'varbinary', category: 'binary' },
  ],
};

describe('mssql verify SQL (text only, no server)', () => {
  const dialect: RowHashDialect = new MssqlRowHash();
  const plan = planTable(
    table,
    table,
    { source: null as never, target: null as never, trimTrailingSpaces: true },
    'portable',
  );
  const queries = new HashQueries(dialect, plan, 'source', dialect.tableReference('dbo', 'Orders'), "[Name] <> N'x'");

  it('counts with the --where condition', () => {
    expect(queries.count()).toBe("select count(*) as n from [dbo].[Orders] where ([Name] <> N'x')");
  });

  it('hashes UTF-8 canonical text with HASHBYTES MD5 and sums the first 60 bits per key-hash segment', () => {
    const sql = queries.segments(64);
    // The digest's first 60 bits as 28 + 32 (S1 * 2^32 + S2), so that no bigint sum overflows.
    expect(sql).toContain(
      'select (kh % 64) as seg, count(*) as n, sum((convert(bigint, 0x00 + substring(d, 1, 4)) / 16)) as s1, ' +
        'sum(((convert(bigint, 0x00 + substring(d, 4, 5)) / 16) & 4294967295)) as s2 from (',
    );
    expect(sql).toContain("hashbytes('MD5', cast(");
    expect(sql).toContain('collate Latin1_General_100_BIN2_UTF8 as varchar(max))');
    expect(sql).toContain("(convert(bigint, 0x00 + substring(hashbytes('MD5', ");
    expect(sql).toContain(') / 16)');
    expect(sql).toMatch(/group by \(kh % 64\)$/);
    expect(sql).toContain('rtrim(convert(nvarchar(max), [Name]))');
    expect(sql).toContain('lower(convert(varchar(max), convert(varbinary(max), [Blob]), 2))');
    expect(sql).toContain("datediff_big(microsecond, '1970-01-01', convert(datetime2(7), [At]))");
    expect(sql).toContain('log10(abs(convert(float, [Ratio])))');
    expect(sql).not.toMatch(/;|--/);
  });

  it('downloads only the differing segments, ordered by key hash', () => {
    const sql = queries.rows([
      { modulus: 64, residues: [3, 17] },
      { modulus: 1024, residues: [5] },
    ]);
    expect(sql).toMatch(/ where \(kh % 64\) in \(3, 17\) or \(kh % 1024\) in \(5\) order by kh$/);
    expect(sql).toContain(' as ke, g0, f0, f1, f2, f3, f4, f5, f6 from (select ');
  });

  it('encodes NULL as ~ and values as <length>:<text>', () => {
    const enc = dialect.encodeFields([{ sql: 'f0', category: 'string', notNull: false }], 'portable');
    expect(enc).toBe("concat(coalesce((convert(varchar(20), len(f0 + N'.') - 1) + N':' + f0), N'~'))");
  });
});
