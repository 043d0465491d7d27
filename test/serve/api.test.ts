import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { redactText } from '../../src/core/serve/redact-answer.js';
import { statusTable } from '../support/status-rows.js';
import { api, fastDir, rawGet, readEvents, startServe, targetOf, type ServeProcess } from './serve-support.js';

/** The JSON API of `dmr serve` against real status databases, the server a real process. */
const dialects = await dialectsUnderTest(['sqlite', 'postgres']);

describe.each(dialects)('dmr serve API on %s', (dialect) => {
  let db: TestDatabase;
  let serve: ServeProcess;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'serveapi');
    const migrated = await runCli(['migrate', '--sql-dir', fastDir, ...targetOf(db)]);
    expect(migrated.code, migrated.stderr).toBe(0);
    serve = await startServe(targetOf(db));
  });
  afterAll(async () => {
    await serve?.stop();
    await db?.drop();
  });

  it('GET /api/status is the document of `dmr status --json`', async () => {
    const cli = await runCli(['status', '--json', ...targetOf(db)]);
    expect(cli.code).toBe(0);
    const expected = JSON.parse(cli.stdout);
    const { status, body, headers } = await api(`${serve.url}/api/status`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('application/json');
    expect(Object.keys(body).sort()).toEqual(Object.keys(expected).sort());
    expect(body.stages).toEqual(expected.stages);
    expect(body.history).toEqual(expected.history);
    expect(body.run).toEqual({ ...expected.run, heartbeatAgeSeconds: body.run.heartbeatAgeSeconds });
    expect(body.doctor).toEqual(expected.doctor);
    expect(body.stages.map((s: { stage: string; status: string }) => `${s.stage}:${s.status}`)).toEqual([
      'ods:success',
      'rds:success',
      'report:success',
    ]);
  });

  it('GET /api/server: the verify --record command the page suggests carries the server flags', async () => {
    const { status, body } = await api(`${serve.url}/api/server`);
    expect(status).toBe(200);
    expect(body.verifyCommand).toBe(
      'dmr verify --record --source <source-url> --target <target-url> ' +
        `--url ${redactText(db.url)} --schema ${db.schema}`,
    );
  });

  it.runIf(dialect === 'postgres')(
    'GET /api/server: with a password in --url, the verify command leaves the URL out and says so',
    async () => {
      const url = new URL(db.url);
      if (!url.password) url.password = 'serve-pw-0c4f9e';
      const password = decodeURIComponent(url.password);
      const secret = await startServe(['--url', url.toString(), '--schema', db.schema]);
      try {
        const { status, body } = await api(`${secret.url}/api/server`);
        expect(status).toBe(200);
        expect(body.verifyCommand).toBe(
          `dmr verify --record --source <source-url> --target <target-url> --schema ${db.schema} ` +
            '(connection: set DMR_DATABASE_URL to your URL or pass --env NAME; dmr does not repeat the password)',
        );
        expect(JSON.stringify(body)).not.toContain(password);
      } finally {
        await secret.stop();
      }
    },
  );

  it('GET /api/doctor is the document of `dmr doctor --json`', async () => {
    const cli = JSON.parse((await runCli(['doctor', '--json', ...targetOf(db)])).stdout);
    const { status, body } = await api(`${serve.url}/api/doctor`);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual([
      'checkedAt',
      'database',
      'findings',
      'healthy',
      'job',
      'jobActions',
      'problems',
      'schema',
      'unresolved',
      'warnings',
    ]);
    // Every answer of serve leaves out who logs in (user@ of URLs); the rest is the CLI's document.
    expect(body.database).toBe(redactText(cli.database));
    expect({ ...body, checkedAt: null, database: null }).toEqual({ ...cli, checkedAt: null, database: null });
  });

  it('GET /api/history pages newest first and filters by stage', async () => {
    const all = (await statusTable(db, 'DataMigrationHistories')
      .select('DataMigrationHistoryId', 'DataMigrationTypeId')
      .orderBy('DataMigrationHistoryId', 'desc')) as Record<string, unknown>[];
    const first = await api(`${serve.url}/api/history?limit=3`);
    expect(first.status).toBe(200);
    expect(first.body.lines.map((l: { id: number }) => l.id)).toEqual(
      all.slice(0, 3).map((r) => Number(r.DataMigrationHistoryId)),
    );
    expect(first.body.nextBefore).toBe(Number(all[2]?.DataMigrationHistoryId));
    const second = await api(`${serve.url}/api/history?limit=3&before=${first.body.nextBefore}`);
    expect(second.body.lines.map((l: { id: number }) => l.id)).toEqual(
      all.slice(3, 6).map((r) => Number(r.DataMigrationHistoryId)),
    );
    const rds = await api(`${serve.url}/api/history?stage=rds&limit=500`);
    const rdsIds = all.filter((r) => Number(r.DataMigrationTypeId) === 2).map((r) => Number(r.DataMigrationHistoryId));
    expect(rdsIds.length).toBeGreaterThan(2);
    expect(rds.body.lines.map((l: { id: number }) => l.id)).toEqual(rdsIds);
    expect(new Set(rds.body.lines.map((l: { stage: string }) => l.stage))).toEqual(new Set(['rds']));
    expect(rds.body.nextBefore).toBeNull();
    const last = await api(`${serve.url}/api/history?limit=500&before=${all.at(-1)?.DataMigrationHistoryId}`);
    expect(last.body).toEqual({ stage: null, lines: [], nextBefore: null });
  });

  it.each([
    ['history?limit=0', 'limit must be a whole number from 1 to 500'],
    ['history?limit=abc', 'limit must be a whole number from 1 to 500 (got "abc")'],
    ['history?limit=501', 'limit must be a whole number'],
    ['history?before=-4', 'before must be a whole number'],
    ['history?before=1e3', 'before must be a whole number'],
    ['history?stage=nope', 'unknown stage "nope": stages are ods, rds, report'],
    ['history?stage=a%20b', 'is not a stage code'],
    ['history?limit=1&limit=2', 'limit is given more than once'],
    ['history?sort=asc', 'unknown parameter "sort": use stage, before, limit'],
    ['status?verbose=1', 'unknown parameter "verbose": this endpoint takes none'],
    ['doctor?fix=1', 'unknown parameter "fix"'],
  ])('GET /api/%s answers 400 with one line', async (path, words) => {
    const { status, body } = await api(`${serve.url}/api/${path}`);
    expect(status).toBe(400);
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.status).toBe(400);
    expect(body.error.message).toContain(words);
    expect(body.error.message).not.toContain('\n');
  });

  it('unknown paths and methods answer JSON errors', async () => {
    const missing = await api(`${serve.url}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('no such page: GET /api/nothing');
    const off = await api(`${serve.url}/api/actions/stop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"reason":"x"}',
    });
    expect(off.status).toBe(404);
    expect(off.body.error).toMatchObject({
      message: 'actions are off on this server',
      hint: expect.stringContaining('--allow-actions'),
    });
  });

  it('refuses a Host name that is not loopback (DNS rebinding)', async () => {
    const { status, body } = await rawGet(`${serve.url}/api/status`, { host: 'attacker.example' });
    expect(status).toBe(403);
    expect(body.error.message).toContain('attacker.example');
  });

  it('GET /api/events sends the state at once, then a change of a status row', async () => {
    const initial = await readEvents(serve.url, (_e, all) =>
      ['database', 'status', 'doctor'].every((t) => all.some((x) => x.type === t)),
    );
    expect(initial.find((e) => e.type === 'database')?.data.ok).toBe(true);
    const status = initial.find((e) => e.type === 'status')?.data;
    expect(Object.keys(status).sort()).toEqual(['copies', 'currentTask', 'serverTime', 'status', 'verifications']);
    expect(status.status.stages.map((s: { status: string }) => s.status)).toEqual(['success', 'success', 'success']);
    const changed = readEvents(serve.url, (e) => e.type === 'status' && e.data.status.stages[1].status === 'error');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await statusTable(db, 'DataMigrations').where('DataMigrationTypeId', 2).update({ DataMigrationStatusId: 4 });
    const events = await changed;
    expect(events.at(-1)?.data.status.stages.map((s: { status: string }) => s.status)).toEqual([
      'success',
      'error',
      'success',
    ]);
    await statusTable(db, 'DataMigrations').where('DataMigrationTypeId', 2).update({ DataMigrationStatusId: 5 });
  });
});

describe('dmr serve process', () => {
  it('without status tables: 404 and an event saying so, then the stages once `dmr init` ran', async () => {
    const db = await createTestDatabase('sqlite', 'serveempty');
    // An empty database file: without --allow-actions serve opens read-only and never creates one.
    await db.knex.raw('select 1');
    const serve = await startServe(targetOf(db));
    try {
      const status = await api(`${serve.url}/api/status`);
      expect(status.status).toBe(404);
      expect(status.body.error).toMatchObject({
        message: expect.stringContaining('status tables not found'),
        hint: expect.stringContaining('dmr init'),
      });
      const missing = await readEvents(serve.url, (e) => e.type === 'database');
      expect(missing[0]?.data).toMatchObject({ ok: false, reason: 'no-status-tables' });
      // init creates the tables, then their rows: a poll between the two may see tables without stages yet.
      const back = readEvents(serve.url, (e) => e.type === 'status' && e.data.status?.stages?.length === 3);
      expect((await runCli(['init', ...targetOf(db)])).code).toBe(0);
      const events = await back;
      const ok = events.findIndex((e) => e.type === 'database' && e.data.ok);
      expect(ok).toBeGreaterThan(-1);
      expect(events.slice(0, ok).some((e) => e.type === 'status')).toBe(false);
      expect(events.at(-1)?.data.status.stages).toHaveLength(3);
    } finally {
      await serve.stop();
      await db.drop();
    }
  });
  it('stops cleanly on SIGINT (130) and SIGTERM (143)', async () => {
    const db = await createTestDatabase('sqlite', 'servesig');
    try {
      expect((await runCli(['init', ...targetOf(db)])).code).toBe(0);
      for (const [signal, code] of [
        ['SIGINT', 130],
        ['SIGTERM', 143],
      ] as const) {
        const serve = await startServe(targetOf(db));
        const stream = readEvents(serve.url, () => false, 30_000).catch((error: Error) => error.message);
        expect((await api(`${serve.url}/api/status`)).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await serve.stop(signal)).toBe(code);
        expect(await stream).toContain('the event stream ended');
        expect(serve.output().stderr).toContain(`stopped by ${signal}`);
      }
    } finally {
      await db.drop();
    }
  });
});
