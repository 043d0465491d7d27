import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, projectRoot } from '../support/cli.js';
import { fixture } from '../support/status-rows.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs migrate under a real pseudo-terminal (util-linux `script`) with the given width. */
function migrateOnTerminal(columns: number): { status: number | null; screen: string } {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'dmr-tty-')), 'db.sqlite3');
  const command =
    `stty cols ${columns}; ${process.execPath} ${cliPath} migrate --url sqlite:${file} ` +
    `--sql-dir ${fixture('slow')}`;
  // ora draws no animation when CI is set (as in .ci/run); this test is about an interactive terminal.
  const { CI: _ci, ...env } = process.env;
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
  // eslint-disable-next-line no-control-regex -- strips the terminal's escape sequences (ESC [ ... letter)
  return { status: result.status, screen: (result.stdout ?? '').replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '') };
}

describe.runIf(hasScript)('progress on a terminal', () => {
  it('draws a spinner per task with elapsed time, then a tick with the duration', () => {
    const { status, screen } = migrateOnTerminal(100);
    expect(status).toBe(0);
    // Since issue 10.6 the spinner also says which task of the stage is running: "rds 010_sleep [task 1 of 2] 2s".
    expect(screen).toMatch(/rds 010_sleep \[task 1 of 2\] \ds/);
    expect(screen).toMatch(/✔ rds 010_sleep \d+\.\d\ds/);
  });

  it('falls back to plain lines on a terminal that reports no width', () => {
    const { status, screen } = migrateOnTerminal(0);
    expect(status).toBe(0);
    expect(screen).toContain('rds: 010_sleep finished in');
  });
});
