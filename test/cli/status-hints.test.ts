import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadPid, table } from '../doctor/doctor-support.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres']);

/** Splits a suggested command into argv (single-quoted words as dmr writes them). */
function words(command: string): string[] {
  return [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : (m[2] as string),
  );
}

/** The command in backticks on the line of `dmr status` that starts with `prefix`. */
function suggestion(stdout: string, pattern: RegExp): string {
  const match = pattern.exec(stdout);
  expect(match, stdout).not.toBeNull();
  return match?.[1] ?? '';
}

/**
 * Issue 12 point 7: the commands `dmr status` suggests carry the connection flags the user gave. `dmr verify
 * --record` without them stored its verdict in the default database; it also needs --source and --target, which
 * status cannot know: the hint names them as placeholders, and once filled in, the pasted command works.
 */
describe.each(dialects)('status suggestions are paste-ready (%s)', (dialect) => {
  let db: TestDatabase;
  let source: TestDatabase;
  let target: TestDatabase;
  let dir: string;
  const flags = () => (dialect === 'sqlite' ? ['--url', db.url] : ['--url', db.url, '--schema', db.schema]);
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'hints');
    source = await createTestDatabase('sqlite', 'hints_src');
    target = await createTestDatabase('sqlite', 'hints_tgt');
    for (const side of [source, target]) {
      await side.knex.raw('create table item (id integer primary key, name text)');
      await side.knex('item').insert([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ]);
    }
    dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-hints-'));
    for (const stage of ['ods', 'rds', 'report']) {
      mkdirSync(path.join(dir, stage));
      writeFileSync(path.join(dir, stage, '010_one.sql'), 'select 1;\n');
    }
    const migrated = await runCli(['migrate', ...flags(), '--sql-dir', dir]);
    expect(migrated.code, migrated.stderr).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
    await source?.drop();
    await target?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verify --record: the flags given, placeholders for --source/--target; filled in, it records there', async () => {
    const before = await runCli(['status', ...flags()]);
    expect(before.code, before.stderr).toBe(0);
    const command = suggestion(before.stdout, /^data never verified: run `([^`]*)` after a migration$/m);
    expect(command).toBe(`dmr verify --record --source <source-url> --target <target-url> ${flags().join(' ')}`);

    const argv = words(command)
      .slice(1)
      .map((w) => (w === '<source-url>' ? source.url : w === '<target-url>' ? target.url : w));
    const verified = await runCli(argv);
    expect(verified.code, verified.stderr).toBe(0);

    const after = await runCli(['status', ...flags()]);
    expect(after.stdout).not.toContain('data never verified');
    expect(after.stdout).toMatch(/^last verified \S+: equal \(1 table, none differs, checksum\)/m);
  });

  it('task files changed: restart and resume --allow-changed-tasks carry the flags and --sql-dir', async () => {
    writeFileSync(path.join(dir, 'ods', '010_one.sql'), 'select 2;\n');
    const result = await runCli(['status', '--verbose', ...flags(), '--sql-dir', dir]);
    expect(result.code, result.stderr).toBe(0);
    const given = [...flags(), '--sql-dir', dir].join(' ');
    expect(result.stdout).toContain(
      `task files changed since their stage succeeded (resume refuses them: run \`dmr restart ${given}\`, ` +
        `or \`dmr resume --allow-changed-tasks ${given}\`):`,
    );
  });

  it('a dead runner: the doctor --fix it suggests carries the flags', async () => {
    const old = new Date(Date.now() - 3_600_000);
    await table(db, 'DataMigrationRuns').insert({
      Command: 'resume',
      JobStatus: 'Running',
      Stages: 'rds,report',
      StartedAt: old,
      HeartbeatAt: old,
      HeartbeatIntervalMs: 5000,
      Host: os.hostname(),
      Pid: deadPid,
      UserName: 'ci',
      DbSessionId: dialect === 'sqlite' ? `${os.hostname()}:${deadPid}` : '999999',
      StopRequested: 0,
      PriorStatuses: '{}',
    });
    const result = await runCli(['status', ...flags()]);
    expect(result.code, result.stderr).toBe(0);
    expect(suggestion(result.stdout, /^ {2}runner dead: .*; record it with `([^`]*)`$/m)).toBe(
      `dmr doctor --fix --yes ${flags().join(' ')}`,
    );
  });
});
