import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { MssqlRowHash } from '../../src/adapters/mssql/mssql-row-hash.js';

/**
 * No SQL Server runs here: the catalog queries are checked as text, answered from fixed rows the way
 * SQL Server would answer them (what a SELECT-only role sees in sys.indexes and information_schema.columns).
 */
function recordingKnex(answers: (sql: string) => unknown[]): { knex: Knex; sent: string[] } {
  const sent: string[] = [];
  const knex = { raw: async (sql: string) => (sent.push(sql), answers(sql)) } as unknown as Knex;
  return { knex, sent };
}

describe('SQL Server verify catalog (text only, no server)', () => {
  it('keys from sys.indexes: primary key first, unique NOT NULL keys, no filter, no included column', async () => {
    const { knex, sent } = recordingKnex((sql) => {
      if (sql.includes('information_schema.columns')) {
        return [
          { name: 'Id', type: 'int', dp: null, p: 10, sc: 0 },
          { name: 'Code', type: 'nvarchar', dp: null, p: null, sc: null },
          { name: 'Doc', type: 'json', dp: null, p: null, sc: null },
        ];
      }
      if (sql.includes('sys.indexes')) {
        return [
          { idx: 'UQ_code', pk: 0, col: 'Code', nullable: 0 },
          { idx: 'UQ_nullable', pk: 0, col: 'Doc', nullable: 1 },
        ];
      }
      return [{ n: 42 }];
    });
    const table = await new MssqlRowHash().describeTable(knex, 'dbo', 'Orders');
    expect(table).toMatchObject({ primaryKey: [], uniqueKeys: [['Code']], estimatedRows: 42 });
    expect(table?.columns.find((c) => c.name === 'Doc')).toMatchObject({
      category: 'unsupported',
      unsupportedReason: expect.stringMatching(/own normal form/),
    });
    const keys = sent.find((s) => s.includes('sys.indexes')) ?? '';
    const expected = ['i.is_unique = 1', 'i.has_filter = 0', 'ic.is_included_column = 0', 'i.is_primary_key desc'];
    for (const part of expected) expect(keys).toContain(part);
    expect(sent.some((s) => s.includes('information_schema.table_constraints'))).toBe(false);
  });

  it('lists tables with whether the role may SELECT them', async () => {
    const { knex, sent } = recordingKnex(() => [
      { name: 'Orders', readable: 1 },
      { name: 'Secret', readable: 0 },
    ]);
    expect(await new MssqlRowHash().listTables(knex, 'dbo')).toEqual([
      { name: 'Orders', readable: true },
      { name: 'Secret', readable: false },
    ]);
    expect(sent[0]).toContain("has_perms_by_name(quotename(s.name) + '.' + quotename(o.name), 'OBJECT', 'SELECT')");
  });
});
