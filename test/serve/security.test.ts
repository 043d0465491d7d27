import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { statusTable } from '../support/status-rows.js';
import { api, fastDir, readEvents, startServe, targetOf } from './serve-support.js';

const secret = 'ops-secret-0123456789abcdef';

describe('dmr serve refuses unsafe binds (exit 2, nothing served)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite', 'servebind');
    expect((await runCli(['init', ...targetOf(db)])).code).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each([
    [['--host', '0.0.0.0'], '--host 0.0.0.0 is reachable from other machines: a token is required'],
    [['--host', '192.0.2.10'], 'a token is required'],
    [['--allow-actions'], '--allow-actions needs a token'],
    [['--token', 'ops:short'], 'the token of ops must be at least 16 characters'],
    [['--token', `a:${secret}`, '--token', `a:${secret}x`], 'two tokens are labelled a'],
    [['--port', '70000'], '--port 70000 is not a port number'],
    [['--poll', '5s'], 'too slow'],
  ])('serve %j exits 2', async (flags, words) => {
    const port = flags.includes('--port') ? [] : ['--port', '0'];
    const result = await runCli(['serve', ...port, ...targetOf(db), ...flags]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(words);
    expect(result.stdout).toBe('');
  });

  it('--host [::1], an IPv6 address written as in a URL, serves on loopback without a token', async () => {
    const serve = await startServe([...targetOf(db), '--host', '[::1]']);
    try {
      expect(serve.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      expect((await api(`${serve.url}/api/status`)).status).toBe(200);
    } finally {
      await serve.stop();
    }
  });

  it('a non-loopback bind with a token serves, and every /api request needs the token', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-serve-tokens-'));
    const file = path.join(dir, 'tokens');
    writeFileSync(file, `# holders\nops:${secret}\nalice:alice-secret-0123456789\n`);
    const serve = await startServe([...targetOf(db), '--host', '0.0.0.0', '--token-file', file]);
    try {
      const port = new URL(serve.url).port;
      const base = `http://127.0.0.1:${port}`;
      const none = await api(`${base}/api/status`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="dmr"');
      expect(none.body.error.message).toBe('this server needs a token');
      const wrong = await api(`${base}/api/status`, { headers: { authorization: `Bearer ${secret}0` } });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.message).toBe('the token is not one this server accepts');
      expect((await api(`${base}/api/status`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
      expect(
        (await api(`${base}/api/history`, { headers: { authorization: 'Bearer alice-secret-0123456789' } })).status,
      ).toBe(200);
      const events = await fetch(`${base}/api/events`);
      expect(events.status).toBe(401);
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    } finally {
      expect(await serve.stop()).toBe(143);
    }
  });
});

const dialects = await dialectsUnderTest(['postgres']);

describe.each(dialects)('no password in any answer (%s)', (dialect) => {
  let db: TestDatabase;
  const password = 'Pw-in-the-url-7361';
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'servepw');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('greps every answer of a server and a run given a password in the URL', async () => {
    const u = new URL(db.url);
    u.password = password;
    const url = u.toString();
    expect(url).toContain(password);
    const args = ['--url', url, '--schema', db.schema];
    expect((await runCli(['migrate', '--sql-dir', fastDir, ...args])).code).toBe(0);
    await statusTable(db, 'DataMigrationHistories').insert({
      DataMigrationHistoryDate: new Date(),
      DataMigrationTypeId: null,
      DataMigrationHistoryMessage: `copied from ${url} with Password=${password};`,
    });
    // A stage left processing: doctor's findings then carry commands built from the server's flags (its URL).
    await statusTable(db, 'DataMigrations').where('DataMigrationTypeId', 2).update({ DataMigrationStatusId: 3 });
    const serve = await startServe(args);
    try {
      const answers: string[] = [JSON.stringify(serve.output())];
      for (const p of ['status', 'doctor', 'history?limit=500', 'live', 'server', 'history?stage=zz', 'nothing']) {
        const { text } = await api(`${serve.url}/api/${p}`);
        answers.push(text);
      }
      const events = await readEvents(serve.url, (e) => e.type === 'doctor');
      expect(events.find((e) => e.type === 'doctor')?.data.findings[0].command).toMatch(/^dmr doctor --fix/);
      answers.push(JSON.stringify(events));
      answers.push(await (await fetch(`${serve.url}/`)).text());
      const all = answers.join('\n');
      expect(all).toContain('copied from postgres://127.0.0.1');
      expect(all).toContain('dmr does not repeat the password');
      expect(all).not.toContain(password);
      expect(all).not.toMatch(/postgres:\/\/[^/\s"]*@/);
      const server = JSON.parse(answers[5] ?? '{}');
      expect(server.database).toBe(`postgres://127.0.0.1:5432/${u.pathname.slice(1)}`);
    } finally {
      await serve.stop();
    }
  });
});
