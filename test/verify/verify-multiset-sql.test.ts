import { describe, expect, it } from 'vitest';
import { MssqlRowHash } from '../../src/adapters/mssql/mssql-row-hash.js';
import { MysqlRowHash } from '../../src/adapters/mysql/mysql-row-hash.js';
import { PostgresRowHash } from '../../src/adapters/postgres/postgres-row-hash.js';
import type { CatalogTable, RowHashDialect } from '../../src/adapters/row-hash-dialect.js';
import { SqliteRowHash } from '../../src/adapters/sqlite/sqlite-row-hash.js';
import { planTable } from '../../src/core/verify/column-plan.js';
import { HashQueries } from '../../src/core/verify/hash-queries.js';

/** A log table without any key: compared as a multiset of whole rows. */
const logs: CatalogTable = {
  name: 'Logs',
  primaryKey: [],
  uniqueKeys: [],
  columns: [
    { name: 'At', dataType: 'int', category: 'integer' },
    { name: 'Msg', dataType: 'nvarchar', category: 'string' },
  ],
};

const dialects: RowHashDialect[] = [new PostgresRowHash(), new MysqlRowHash(), new SqliteRowHash(), new MssqlRowHash()];

describe('multiset SQL (text only): rows counted per digest in the database', () => {
  it.each(dialects.map((d) => [d.name, d] as const))('%s', (_name, dialect) => {
    const plan = planTable(logs, logs, { source: null as never, target: null as never }, 'portable');
    expect(plan.comparison).toBe('multiset');
    expect(plan.keys).toEqual([]);
    const queries = new HashQueries(dialect, plan, 'source', dialect.tableReference(undefined, 'Logs'), undefined);
    const rows = queries.rows([{ modulus: 8, residues: [1, 5] }]);
    expect(rows).toMatch(
      new RegExp(
        [
          String.raw`^select kh, d as ke, min\(f0\) as f0, min\(f1\) as f1, count\(\*\) as n `,
          String.raw`from \(select .* as kh, d, f0, f1 from \(select .* as d, f0, f1 from \(select .* as f0, .* as f1 `,
          String.raw`from .*Logs.*\) q1.*\) q2.*\) q3 where \(kh % 8\) in \(1, 5\) group by kh, d order by kh$`,
        ].join(''),
      ),
    );
    expect(rows).toContain(dialect.digestKeyHash('d', 'portable'));
    const segments = queries.segments(16);
    expect(segments).toMatch(/^select \(kh % 16\) as seg, count\(\*\) as n, /);
    expect(segments).toContain(`select ${dialect.digestKeyHash('d', 'portable')} as kh, d from (select `);
    expect(queries.totals()).toMatch(/^select 0 as seg, count\(\*\) as n, /);
  });

  it('a key from a unique NOT NULL index is used when there is no primary key', () => {
    const plan = planTable(
      { ...logs, uniqueKeys: [['At']] },
      logs,
      { source: null as never, target: null as never },
      'portable',
    );
    expect(plan.comparison).toBe('key');
    expect(plan.keys.map((k) => k.name)).toEqual(['At']);
  });
});
