import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/adapters/dialect-name.js';
import { verifyData } from '../../src/core/verify/verify-data.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { options } from './verify-fixtures.js';

/**
 * Keys whose order differs between byte order, ICU and MariaDB's general_ci, unique even case- and
 * accent-insensitively.
 */
function keys(): string[] {
  const alphabet = ['a', 'B', '-', 'é', 'Z', 'ö', ' ', '_', '1', 'e', 'Ä', '.'];
  const seen = new Set<string>();
  const out: string[] = [];
  let seed = 7;
  while (out.length < 400) {
    seed = (seed * 48271) % 2147483647;
    const len = 1 + (seed % 6);
    let k = '';
    for (let i = 0; i < len; i++) {
      seed = (seed * 48271) % 2147483647;
      k += alphabet[seed % alphabet.length];
    }
    k = `${k}x`;
    const folded = k.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    if (seen.has(folded)) continue;
    seen.add(folded);
    out.push(k);
  }
  return out;
}

async function create(db: TestDatabase, rows: { k: string; v: number }[]): Promise<void> {
  if (db.dialect === 'postgres') {
    const icu = await db.knex.raw(`select 1 from pg_collation where collname = 'und-x-icu'`);
    await db.knex.raw(
      `create table words (k varchar(40) ${icu.rows.length ? 'collate "und-x-icu" ' : ''}primary key, v integer)`,
    );
  } else if (db.dialect === 'mysql')
    await db.knex.raw('create table words (k varchar(40) collate utf8mb4_general_ci primary key, v int)');
  else await db.knex.raw('create table words (k varchar(40) primary key, v integer)');
  for (let i = 0; i < rows.length; i += 100) await db.knex('words').insert(rows.slice(i, i + 100));
}

const pairs: [DialectName, DialectName][] = [
  ['mysql', 'postgres'],
  ['sqlite', 'mysql'],
  ['sqlite', 'postgres'],
];
const available = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

for (const [from, to] of pairs.filter(([a, b]) => available.includes(a) && available.includes(b))) {
  describe(`verify ${from} -> ${to} with string keys the engines order differently`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    const all = keys().map((k, v) => ({ k, v }));
    const changedKey = all[123]!.k;
    beforeAll(async () => {
      source = await createTestDatabase(from, 'vcoll_src');
      target = await createTestDatabase(to, 'vcoll_tgt');
      await create(source, all);
      await create(
        target,
        all.map((r) => (r.k === changedKey ? { ...r, v: -1 } : r)),
      );
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
    });

    it('the orders really differ between the engines', async () => {
      const order = async (db: TestDatabase) =>
        (await db.knex('words').select('k').orderBy('k')).map((r: { k: string }) => r.k);
      expect(await order(source)).not.toEqual(await order(target));
    });

    it.each(['checksum', 'rows'] as const)('%s mode finds the one mutation and nothing else', async (mode) => {
      const result = await verifyData(options(source, target, { mode, segmentRows: 16 }));
      const t = result.tables[0]!;
      expect(t.changed).toEqual([{ key: { k: changedKey }, columns: { v: [String(123), '-1'] } }]);
      expect([t.missingInTarget, t.extraInTarget, t.duplicatesInSource, t.duplicatesInTarget]).toEqual([
        [],
        [],
        [],
        [],
      ]);
      expect(t.differenceCount).toBe(1);
    });
  });
}
