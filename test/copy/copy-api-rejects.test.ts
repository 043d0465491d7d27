import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copy } from '../../src/index.js';

/**
 * The library's copy with `rejects` (what `--rejects FILE` is on the command line) and an
 * `onReject` callback of its own: the refused row lands in the file and reaches the callback,
 * the others land in the target. SQLite files on both sides, so no server is needed.
 */
describe('copy() from the library: rejects file and onReject together', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-copy-api-'));
    const source = new Database(path.join(dir, 'source.sqlite3'));
    source.exec('create table people (id integer primary key, name text)');
    source.exec("insert into people values (1, 'Ada'), (2, null), (3, 'Grace')");
    source.close();
    const target = new Database(path.join(dir, 'target.sqlite3'));
    target.exec('create table people (id integer primary key, name text not null)');
    target.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the NOT NULL refusal is in the CSV file and in the callback; rows 1 and 3 are copied', async () => {
    const file = path.join(dir, 'rejects.csv');
    const seen: { referenceId: string; field: string | null }[] = [];
    const doc = await copy({
      source: `sqlite:${path.join(dir, 'source.sqlite3')}`,
      target: `sqlite:${path.join(dir, 'target.sqlite3')}`,
      tables: [{ source: 'people', target: 'people' }],
      rejects: file,
      onReject: (r) => seen.push({ referenceId: r.referenceId, field: r.field }),
    });
    expect(doc.status).toBe('incomplete');
    expect(doc.tables[0]).toMatchObject({ outcome: 'rejects', rows_copied: 2, rows_rejected: 1 });
    expect(seen).toEqual([{ referenceId: '["2"]', field: 'name' }]);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,name,component,referenceId,field,message');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('2,,people,"[""2""]",name,NOT NULL constraint failed: people.name');
    const target = new Database(path.join(dir, 'target.sqlite3'), { readonly: true });
    try {
      expect(target.prepare('select id from people order by id').pluck().all()).toEqual([1, 3]);
    } finally {
      target.close();
    }
  });
});
