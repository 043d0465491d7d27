import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { browserAvailable, launchBrowser } from './browser.js';
import { api, readEvents, startServe, waitFor, type ServeProcess } from './serve-support.js';

/** Copy progress from the ledger and the verification records, as /api/live and the events carry them. */
describe('dmr serve live details (SQLite)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-serve-live-'));
  const source = `sqlite:${path.join(dir, 'source.sqlite3')}`;
  const target = `sqlite:${path.join(dir, 'target.sqlite3')}`;
  const statusFile = path.join(dir, 'status.sqlite3');
  const status = ['--url', `sqlite:${statusFile}`];
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

  it.runIf(browserAvailable())(
    'the page shows a running copy with chunks done of total, rows/s and ETA, and the verification record',
    async () => {
      // The ledger of the finished copy is turned back into a job 40 s into its run with its last chunks pending.
      const ledger = knexFactory({
        client: 'better-sqlite3',
        connection: { filename: statusFile },
        useNullAsDefault: true,
      });
      let copyId: number;
      let done: number;
      let total: number;
      let rows: number;
      try {
        const job = (await ledger('DataMigrationCopies').first()) as { CopyId: number };
        copyId = Number(job.CopyId);
        const chunks = (await ledger('DataMigrationCopyChunks').where('CopyId', copyId).orderBy('ChunkNo')) as {
          ChunkNo: number;
          Rows: number;
        }[];
        total = chunks.length;
        const pending = chunks.slice(Math.ceil(total / 2));
        done = total - pending.length;
        rows = chunks.slice(0, done).reduce((sum, c) => sum + Number(c.Rows), 0);
        await ledger('DataMigrationCopyChunks')
          .where('CopyId', copyId)
          .whereIn(
            'ChunkNo',
            pending.map((c) => c.ChunkNo),
          )
          .update({ Status: 'pending', Rows: 0, FinishedAt: null });
        await ledger('DataMigrationCopies')
          .where('CopyId', copyId)
          .update({ Status: 'running', FinishedAt: null, StartedAt: new Date(Date.now() - 40_000) });
      } finally {
        await ledger.destroy();
      }
      const left = total - done;
      const copy = await waitFor(async () => {
        const c = (await api(`${serve.url}/api/live`)).body.copies[0];
        return c?.status === 'running' ? c : undefined;
      }, 'the copy to read as running');
      expect(copy).toMatchObject({ chunksTotal: total, chunksDone: done, rowsDone: rows, finishedAt: null });
      expect(copy.rowsPerSecond).toBeGreaterThanOrEqual(Math.floor(rows / 50));
      expect(copy.rowsPerSecond).toBeLessThanOrEqual(Math.ceil(rows / 40));
      expect(copy.etaSeconds).toBeGreaterThanOrEqual(Math.floor((40 / done) * left));
      expect(copy.etaSeconds).toBeLessThanOrEqual(Math.ceil((50 / done) * left));

      const browser = await launchBrowser();
      try {
        const page = await browser.context.newPage();
        await page.goto(`${serve.url}/`);
        await page.waitForSelector('#connection[data-state="connected"]', { timeout: 20_000 });
        const row = page.locator(`#copies tr[data-copy="${copyId}"]`);
        await page.waitForSelector(`#copies tr[data-copy="${copyId}"] td:nth-child(2):text-is("running")`, {
          timeout: 20_000,
        });
        const cells = await row.locator('td').allTextContents();
        expect(cells.slice(0, 4)).toEqual(['orders → orders', 'running', `${done} / ${total}`, String(rows)]);
        expect(Number(cells[4])).toBeGreaterThan(0);
        expect(cells[5]).toMatch(/^\d+s$/);
        const verification = page.locator('#verification tr[data-verification]');
        expect(await verification.count()).toBe(1);
        expect(await verification.locator('td').nth(1).textContent()).toBe('✓ equal');
        expect(await verification.locator('td').nth(2).textContent()).toBe('1 compared, 0 differing (checksum)');
        await page.close();
      } finally {
        await browser.close();
      }
    },
  );
});
