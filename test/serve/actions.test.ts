import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { historyMessages, latestRun, stageStatuses, statusTable } from '../support/status-rows.js';
import { api, fastDir, slowDir, startServe, targetOf, waitFor, type ServeProcess } from './serve-support.js';

/** POST /api/actions/*: token, origin, reason, the CLI's refusals as 409, and the audit in history. */
const dialects = await dialectsUnderTest(['sqlite', 'postgres']);
const token = 'ops-token-0123456789abcdef';

describe.each(dialects)('dmr serve actions on %s', (dialect) => {
  let db: TestDatabase;
  let serve: ServeProcess;
  const post = (action: string, body: unknown = { reason: 'test' }, headers: Record<string, string> = {}) =>
    api(`${serve.url}/api/actions/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
      body: JSON.stringify(body),
    });
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'serveact');
    expect((await runCli(['init', ...targetOf(db)])).code).toBe(0);
    serve = await startServe([...targetOf(db), '--allow-actions', '--token', `ops:${token}`, '--sql-dir', fastDir]);
  });
  afterAll(async () => {
    await serve?.stop();
    await db?.drop();
  });

  it('refuses without a token (401), from another origin (403), without a reason (400)', async () => {
    const none = await api(`${serve.url}/api/actions/stop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"reason":"x"}',
    });
    expect(none.status).toBe(401);
    const wrong = await post('stop', { reason: 'x' }, { authorization: 'Bearer not-the-token-at-all-0000' });
    expect(wrong.status).toBe(401);
    const cross = await post('stop', { reason: 'x' }, { origin: 'http://attacker.example' });
    expect(cross.status).toBe(403);
    expect(cross.body.error.message).toBe('request from another origin (http://attacker.example) refused');
    const port = new URL(serve.url).port;
    expect((await post('stop', { reason: 'x' }, { origin: `http://127.0.0.1:${Number(port) + 1}` })).status).toBe(403);
    expect((await post('stop', { reason: 'x' }, { origin: 'null' })).status).toBe(403);
    const site = await post('stop', { reason: 'x' }, { 'sec-fetch-site': 'cross-site' });
    expect(site.status).toBe(403);
    expect((await post('stop', {})).body.error).toMatchObject({
      status: 400,
      message: 'reason is required: say why, it is written in history',
    });
    expect((await post('stop', { reason: 'x', force: true })).body.error.message).toBe(
      'unknown field "force": send only "reason"',
    );
    expect((await post('stop', { reason: 'x'.repeat(501) })).status).toBe(400);
    expect((await post('launch')).status).toBe(404);
    const form = await api(`${serve.url}/api/actions/stop`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'reason=x',
    });
    expect(form.status).toBe(415);
    expect(await historyMessages(db)).toEqual([]);
  });

  it('a fix with nothing to fix is still recorded with who and why', async () => {
    const fix = await post('fix', { reason: 'checking before the window' });
    expect(fix.status, fix.text).toBe(202);
    expect(fix.body).toMatchObject({ action: 'fix', applied: [], requestedBy: 'ops', outcome: 'nothing to fix' });
    expect(await historyMessages(db)).toEqual([
      'dmr serve: fix asked by ops (nothing to fix); reason: checking before the window',
    ]);
  });

  it('a live run: fix and resume are 409, stop works and is recorded with who and why', async () => {
    const run = startCli(['migrate', '--sql-dir', slowDir, '--heartbeat', '300ms', ...targetOf(db)]);
    await run.waitForOutput('rds: 010_slow started');
    const fix = await post('fix', { reason: 'try' });
    expect(fix.status).toBe(409);
    expect(fix.body.error.message).toMatch(
      /^run \d+ \(migrate by .*\) is live and holds the run lock: nothing was changed$/,
    );
    const resume = await post('resume', { reason: 'try' });
    expect(resume.status).toBe(409);
    expect(resume.body.error.hint).toBe('allowed now: stop (`dmr stop`)');
    const same = (await post('same-origin-check', { reason: 'x' }, { origin: serve.url })).status;
    expect(same).toBe(404);

    const stop = await post('stop', { reason: 'maintenance window ends' }, { origin: serve.url });
    expect(stop.status, stop.text).toBe(202);
    expect(stop.body).toMatchObject({ action: 'stop', requestedBy: 'ops' });
    const ended = await run.done;
    expect(ended.code).toBe(1);
    const record = await latestRun(db);
    expect(record).toMatchObject({ JobStatus: 'Stopped', StopRequestedBy: 'ops via dmr serve' });
    const history = await historyMessages(db);
    expect(history).toContain(`stop of run ${stop.body.runId} requested by ops via dmr serve`);
    expect(history).toContain(`dmr serve: stop asked by ops (run ${stop.body.runId}); reason: maintenance window ends`);
    expect((await post('stop')).status).toBe(409);
  });

  it('resume starts a runner that completes, recorded with who and why', async () => {
    const resume = await post('resume', { reason: 'window reopened' });
    expect(resume.status, resume.text).toBe(202);
    expect(resume.body).toMatchObject({ action: 'resume', requestedBy: 'ops', outcome: 'runner started' });
    const runId = resume.body.runId as number;
    await waitFor(
      async () => ((await latestRun(db))?.JobStatus === 'Completed' ? true : undefined),
      'the resumed run to complete',
    );
    expect(await latestRun(db)).toMatchObject({ RunId: runId, Command: 'resume' });
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 5, 3: 5 });
    expect(await historyMessages(db)).toContain(
      `dmr serve: resume asked by ops (run ${runId}); reason: window reopened`,
    );
  });

  it('fix after a runner was killed: applied and recorded with who and why', async () => {
    const run = startCli(['restart', '--sql-dir', slowDir, '--heartbeat', '300ms', ...targetOf(db)]);
    await run.waitForOutput('rds: 010_slow started');
    run.child.kill('SIGKILL');
    await run.done;
    const fix = await waitFor(async () => {
      const answer = await post('fix', { reason: 'runner host rebooted' });
      return answer.status === 202 && answer.body.applied.length > 0 ? answer : undefined;
    }, 'doctor to see the dead runner');
    expect(fix.body.applied).toEqual(
      expect.arrayContaining([expect.stringMatching(/^rds processing -> error: runner died/)]),
    );
    expect(await stageStatuses(db)).toMatchObject({ 2: 4 });
    const history = await historyMessages(db);
    expect(history.some((h) => h.startsWith('doctor --fix by ops via dmr serve: rds processing -> error'))).toBe(true);
    expect(history.at(-1)).toMatch(
      /^dmr serve: fix asked by ops \(\d+ change\(s\) applied\); reason: runner host rebooted$/,
    );
    const rows = await statusTable(db, 'DataMigrationRuns').whereNull('FinishedAt');
    expect(rows).toEqual([]);
  });

  it('restart after the fix runs every stage again, recorded with who and why', async () => {
    const before = (await latestRun(db))?.RunId as number;
    const restart = await post('restart', { reason: 'rerun from ods after the fix' });
    expect(restart.status, restart.text).toBe(202);
    expect(restart.body).toMatchObject({ action: 'restart', requestedBy: 'ops', outcome: 'runner started' });
    const runId = restart.body.runId as number;
    expect(runId).toBeGreaterThan(before);
    await waitFor(
      async () => ((await latestRun(db))?.JobStatus === 'Completed' ? true : undefined),
      'the restarted run to complete',
    );
    expect(await latestRun(db)).toMatchObject({ RunId: runId, Command: 'restart', Stages: 'ods,rds,report' });
    expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 5, 3: 5 });
    expect(await historyMessages(db)).toContain(
      `dmr serve: restart asked by ops (run ${runId}); reason: rerun from ods after the fix`,
    );
  });
});
