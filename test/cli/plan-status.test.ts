import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { fixture } from '../support/status-rows.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migrate --plan: each stage now, and what resume would skip', () => {
  const sqlDir = path.join(dir, 'sql');
  cpSync(fixture('fail'), sqlDir, { recursive: true });
  const url = `sqlite:${path.join(dir, 'plan.sqlite3')}`;
  const plan = async (...extra: string[]) => runCli(['migrate', '--plan', '--url', url, '--sql-dir', sqlDir, ...extra]);

  it('before any run: no status, nothing created', async () => {
    const result = await plan('--json');
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.plan.map((s: { current: unknown; resumeSkips: unknown }) => [s.current, s.resumeSkips])).toEqual([
      [null, false],
      [null, false],
      [null, false],
    ]);
    expect(document.statusNote).toMatch(/^status not read: /);
    expect(existsSync(path.join(dir, 'plan.sqlite3'))).toBe(false);
  });

  it('after a run failed in rds: ods success and skipped by resume, rds error, report initial', async () => {
    const run = await runCli(['migrate', '--url', url, '--sql-dir', sqlDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ods: processing (1 task)');
    const document = JSON.parse((await plan('--json')).stdout);
    expect(document.statusNote).toBeNull();
    expect(
      document.plan.map((s: { stage: string; current: unknown; resumeSkips: unknown }) => [
        s.stage,
        s.current,
        s.resumeSkips,
      ]),
    ).toEqual([
      ['ods', 'success', true],
      ['rds', 'error', false],
      ['report', 'initial', false],
    ]);
    expect(document.warnings).toEqual([]);
    const text = await plan();
    expect(text.stdout).toContain('ods: 1 task (now success; dmr resume skips it)');
    expect(text.stdout).toContain('rds: 1 task (now error)');
  });

  it('a task of a skipped stage changed since it ran: the plan says resume would refuse', async () => {
    appendFileSync(path.join(sqlDir, 'ods', '010_setup.sql'), '\n-- edited\n');
    const document = JSON.parse((await plan('--json')).stdout);
    expect(document.warnings).toEqual([
      expect.stringMatching(/^dmr resume would refuse: ods: ods\/010_setup\.sql changed: sha256 /),
    ]);
  });
});
