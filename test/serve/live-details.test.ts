import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { api, readEvents, startServe, type ServeProcess } from './serve-support.js';

/** Copy progress from the ledger and the verification records, as /api/live and the events carry them. */
describe('dmr serve live details (SQLite)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-serve-live-'));
  const source = `sqlite:${path.join(dir, 'source.sqlite3')}`;
  const target = `sqlite:${path.join(dir, 'target.sqlite3')}`;
  const status = ['--url', `sqlite:${path.join(dir, 'status.sqlite3')}`];
  let serve: ServeProcess;
  beforeAll(async () => {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'source.sqlite3') },
      useNullAsDefault: true,
    });
    await knex.schema.createTable('orders', (t) => {
      t.integer('id').primary();
      t.string('item', 40);
    });
    await knex('orders').insert(Array.from({ length: 95 }, (_, i) => ({ id: i + 1, item: `item ${i}` })));
    await knex.destroy();
    expect((await runCli(['init', ...status])).code).toBe(0);
    serve = await startServe(status);
  });
  afterAll(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a copy job with its chunks and rows, then the verification recorded after it', async () => {
    const copy = await runCli([
      'copy',
      '--source',
      source,
      '--target',
      target,
      '--table',
      'orders',
      '--create',
      '--chunk-rows',
      '10',
      ...status,
    ]);
    expect(copy.code, copy.stderr).toBe(0);
    const live = await api(`${serve.url}/api/live`);
    expect(live.status).toBe(200);
    expect(live.body.copies).toHaveLength(1);
    expect(live.body.copies[0]).toMatchObject({
      sourceTable: 'orders',
      targetTable: 'orders',
      status: 'success',
      chunksFailed: 0,
      rowsDone: 95,
      etaSeconds: null,
    });
    expect(live.body.copies[0].chunksDone).toBe(live.body.copies[0].chunksTotal);
    expect(live.body.copies[0].chunksTotal).toBeGreaterThanOrEqual(9);
    expect(live.body.verifications).toEqual([]);

    const recorded = readEvents(serve.url, (e) => e.type === 'status' && e.data.verifications.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const verify = await runCli(['verify', '--source', source, '--target', target, '--record', ...status]);
    expect(verify.code, verify.stderr).toBe(0);
    const events = await recorded;
    const line = events.at(-1)?.data.verifications[0];
    expect(line).toMatchObject({ status: 'equal', tablesCompared: 1, tablesDiffering: 0, notEqual: [] });
    expect(line.sourceDisplay).toBe(source);
  });
});
