import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { target } from '../support/status-rows.js';
import { statusSnapshot, taskDir, trivialStages } from './task-support.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const refused: [string[], RegExp][] = [
  [['--task-timeout', '600h'], /--task-timeout 600h is too long/],
  [['--heartbeat', '600h'], /--heartbeat 600h is too long/],
  [['--wait', '-1'], /--wait must be a number of seconds, 0 or more \(got -1\)/],
  [['--wait', 'soon'], /--wait must be a number of seconds, 0 or more \(got NaN\)/],
  [['--heartbeat=-5s'], /--heartbeat "-5s" is not a duration/],
  [['--task-timeout', '0'], /--task-timeout 0 is too short/],
];

describe('limits: values a timer or a status column cannot hold are refused before anything runs', () => {
  it.each(refused)('%s on a new SQLite path: exit 2, no file created', async (flags, message) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'dmr-limits-')), 'new.sqlite3');
    const result = await runCli(['migrate', '--url', `sqlite:${file}`, '--sql-dir', taskDir(trivialStages), ...flags]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(file)).toBe(false);
  });
});

describe.each(dialects.filter((d) => d !== 'sqlite'))('limits on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'limits');
    expect((await runCli(['init', ...target(db)])).code).toBe(0);
  });
  afterAll(async () => db?.drop());

  const tooLongLimitsTitle =
    '--task-timeout 600h, --heartbeat 600h, --wait -1: exit 2 and no status row changes; 596h is honoured';
  it(tooLongLimitsTitle, async () => {
    const before = await statusSnapshot(db);
    for (const flags of [
      ['--task-timeout', '600h'],
      ['--heartbeat', '600h'],
      ['--wait', '-1'],
    ]) {
      const result = await runCli(['migrate', ...target(db), '--sql-dir', taskDir(trivialStages), ...flags]);
      expect(result.code, flags.join(' ')).toBe(2);
    }
    expect(await statusSnapshot(db)).toEqual(before);
    const longest = await runCli([
      'migrate',
      ...target(db),
      '--sql-dir',
      taskDir(trivialStages),
      '--task-timeout',
      '596h',
      '--heartbeat',
      '596h',
      '--json',
    ]);
    expect(longest.code, longest.stderr).toBe(0);
    expect(JSON.parse(longest.stdout).outcome).toBe('success');
  });
});
