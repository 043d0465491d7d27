import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { baseRows, createItems, options, type TypeSet } from './verify-fixtures.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

for (const dialect of dialects) {
  describe(`verify bad input on ${dialect}: usage error (exit 2), nothing executed`, () => {
    let db: TestDatabase;
    const statements: string[] = [];
    beforeAll(async () => {
      db = await createTestDatabase(dialect, 'vbad');
      await createItems(db, 'items', dialect as TypeSet, baseRows());
      await db.knex.raw(
        dialect === 'mysql'
          ? 'create table `victim` (id int primary key)'
          : 'create table victim (id integer primary key)',
      );
      db.knex.on('query', (q: { sql: string }) => statements.push(q.sql));
    });
    afterAll(async () => db?.drop());

    const cases: [string, () => Promise<unknown>, RegExp][] = [
      [
        'missing table',
        () => verifyData(options(db, db, { tables: [{ source: 'nope', target: 'nope' }] })),
        /table "nope" not found/,
      ],
      [
        'missing target table',
        () => verifyData(options(db, db, { tables: [{ source: 'items', target: 'items2' }] })),
        /"items2" not found in the target/,
      ],
      [
        'missing column',
        () => verifyData(options(db, db, { tables: [{ source: 'items', target: 'items' }], columns: ['nope'] })),
        /column "nope" not found/,
      ],
      [
        'missing key column',
        () => verifyData(options(db, db, { tables: [{ source: 'items', target: 'items' }], key: ['nope'] })),
        /column "nope" not found/,
      ],
      [
        'injection in --table',
        () => verifyData(options(db, db, { tables: [{ source: 'items; drop table victim', target: 'items' }] })),
        /not a plain table or column name/,
      ],
      [
        'injection in --key',
        () =>
          verifyData(
            options(db, db, {
              tables: [{ source: 'items', target: 'items' }],
              key: ['id) or 1=1; drop table victim --'],
            }),
          ),
        /not a plain table or column name/,
      ],
      [
        'quote in --table',
        () => verifyData(options(db, db, { tables: [{ source: 'items"', target: 'items' }] })),
        /not a plain table or column name/,
      ],
    ];

    it.each(cases)('%s', async (_name, run, message) => {
      statements.length = 0;
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(2);
      expect((error as Error).message).toMatch(message);
      expect(statements.filter((s) => /drop|victim|count\(|md5|hash|dmr_/i.test(s))).toEqual([]);
      expect(await db.knex.schema.hasTable('victim')).toBe(true);
    });

    it('a column type that cannot be compared is reported, not coerced', async () => {
      await db.knex.raw(
        dialect === 'mysql'
          ? 'create table odd (id int primary key, t time)'
          : dialect === 'postgres'
            ? 'create table odd (id integer primary key, t jsonb)'
            : 'create table odd (id integer primary key, t json)',
      );
      const error = await verifyData(options(db, db, { tables: [{ source: 'odd', target: 'odd' }] })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(/column odd\.t cannot be compared/);
      const ok = await verifyData(
        options(db, db, { tables: [{ source: 'odd', target: 'odd' }], excludeColumns: ['odd.t'] }),
      );
      expect(ok.status).toBe('equal');
    });
  });
}
