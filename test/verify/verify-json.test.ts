import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/adapters/dialect-name.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const written = '{"b": 1, "a": [1, 2]}';
const reordered = '{"a": [1, 2], "b": 1}';

/**
 * docs: JSON stored as the text written (PostgreSQL json, MariaDB's JSON alias, SQLite `json text`), row 2 reordered
 * in the target.
 */
async function createDocs(db: TestDatabase, target: boolean): Promise<void> {
  const type = db.dialect === 'sqlite' ? 'json text' : 'json';
  await db.knex.raw(`create table docs (id integer primary key, doc ${type})`);
  await db.knex('docs').insert([
    { id: 1, doc: written },
    { id: 2, doc: target ? reordered : written },
  ]);
  await db.knex.raw('create table plain (id integer primary key, v integer)');
}

/**
 * JSON not kept as written: PostgreSQL jsonb, SQLite plain JSON (NUMERIC affinity) and jsonb. MariaDB has none (MySQL
 * 8's JSON type is one; no MySQL 8 server here).
 */
const normalized: Partial<Record<DialectName, { type: string; reason: RegExp }>> = {
  postgres: { type: 'jsonb', reason: /stores documents in its engine's own normal form/ },
  sqlite: { type: 'json', reason: /a column declared JSON has NUMERIC affinity, which rewrites scalar documents/ },
};

for (const dialect of dialects) {
  describe(`JSON columns are treated alike on every engine (${dialect})`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    beforeAll(async () => {
      source = await createTestDatabase(dialect, 'vjson_src');
      target = await createTestDatabase(dialect, 'vjson_tgt');
      await createDocs(source, false);
      await createDocs(target, true);
      const type = normalized[dialect]?.type;
      if (type) {
        for (const db of [source, target]) {
          await db.knex.raw(`create table norm (id integer primary key, doc ${type})`);
          await db.knex.raw(`insert into norm values (1, '${written}')`);
        }
      }
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
    });

    it('JSON stored as text is compared as its text: the same text equal, a reordered document not', async () => {
      const run = await runCli(['verify', '--source', source.url, '--target', target.url, '--table', 'docs', '--json']);
      expect(run.stderr).not.toMatch(/internal error/);
      expect(run.code).toBe(1);
      const docs = JSON.parse(run.stdout).tables[0];
      expect(docs.changed).toEqual([{ key: { id: '2' }, columns: { doc: [written, reordered] } }]);
      const same = await runCli(['verify', '--source', source.url, '--target', source.url, '--table', 'docs']);
      expect(same.code).toBe(0);
    });

    it.runIf(normalized[dialect] !== undefined)(
      'JSON stored normalized: incomparable, with the reason; skipped comparing the whole schema',
      async () => {
        const named = await runCli(['verify', '--source', source.url, '--target', source.url, '--table', 'norm']);
        expect(named.code).toBe(2);
        expect(named.stderr).toMatch(/column norm\.doc cannot be compared: /);
        expect(named.stderr).toMatch(normalized[dialect]!.reason);
        const whole = await runCli(['verify', '--source', source.url, '--target', source.url, '--json']);
        expect(whole.code).toBe(1);
        const doc = JSON.parse(whole.stdout);
        expect(doc.status).toBe('incomplete');
        expect(doc.tables.find((t: { table: string }) => t.table === 'norm')).toMatchObject({
          status: 'skipped',
          reason: expect.stringMatching(normalized[dialect]!.reason),
        });
        expect(doc.tables.find((t: { table: string }) => t.table === 'plain')).toMatchObject({ status: 'equal' });
      },
    );
  });
}

const pairs: [DialectName, DialectName][] = [
  ['mysql', 'postgres'],
  ['postgres', 'sqlite'],
  ['sqlite', 'mysql'],
];

for (const [from, to] of pairs.filter(([a, b]) => dialects.includes(a) && dialects.includes(b))) {
  describe(`JSON text compared across engines: ${from} -> ${to}`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    beforeAll(async () => {
      source = await createTestDatabase(from, 'vjsonx_src');
      target = await createTestDatabase(to, 'vjsonx_tgt');
      await createDocs(source, false);
      await createDocs(target, true);
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
    });

    it('the same text is equal on both engines; only the reordered document differs', async () => {
      const run = await runCli(['verify', '--source', source.url, '--target', target.url, '--table', 'docs', '--json']);
      expect(run.code).toBe(1);
      const docs = JSON.parse(run.stdout).tables[0];
      expect(docs.difference_count).toBe(1);
      expect(docs.changed).toEqual([{ key: { id: '2' }, columns: { doc: [written, reordered] } }]);
    });
  });
}
