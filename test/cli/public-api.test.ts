import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/cli.js';

const commands = [
  'migrate',
  'resume',
  'restart',
  'plan',
  'doctor',
  'reset',
  'status',
  'init',
  'stop',
  'verify',
  'copy',
  'check',
];

/** A project that depends on dmr the way a user's would: node_modules/dmr links to this repository (built). */
const project = mkdtempSync(path.join(os.tmpdir(), 'dmr-consumer-'));
mkdirSync(path.join(project, 'node_modules'));
symlinkSync(projectRoot, path.join(project, 'node_modules', 'dmr'), 'dir');
writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
afterAll(() => rmSync(project, { recursive: true, force: true }));

function node(file: string, source: string): { status: number | null; stdout: string; stderr: string } {
  writeFileSync(path.join(project, file), source);
  const result = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tsc(file: string, source: string): { status: number | null; output: string } {
  writeFileSync(path.join(project, file), source);
  const config = {
    compilerOptions: {
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      typeRoots: [path.join(projectRoot, 'node_modules/@types')],
      types: ['node'],
    },
    files: [file],
  };
  writeFileSync(path.join(project, `tsconfig.${file}.json`), JSON.stringify(config));
  const result = spawnSync(
    process.execPath,
    [path.join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${file}.json`],
    {
      cwd: project,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the package as a library', () => {
  it('importing it runs nothing and prints nothing, and gives the commands as functions', () => {
    expect(node('import-only.mjs', "import 'dmr';\n")).toEqual({ status: 0, stdout: '', stderr: '' });
    const listed = node(
      'list.mjs',
      "import * as dmr from 'dmr';\n" +
        `const names = ${JSON.stringify(commands)};\n` +
        'process.stdout.write(JSON.stringify(Object.fromEntries(names.map((n) => [n, typeof dmr[n]]))));\n',
    );
    expect(listed.stderr).toBe('');
    expect(Object.values(JSON.parse(listed.stdout))).toEqual(Array(12).fill('function'));
  });

  it('migrate, doctor and verify return the --json documents and print nothing', () => {
    const db = path.join(project, 'app.sqlite3');
    const sqlDir = path.join(projectRoot, 'test/fixtures/doctor/fast');
    const result = node(
      'use.mjs',
      "import { migrate, doctor, verify, status, UsageError } from 'dmr';\n" +
        `const url = ${JSON.stringify(`sqlite:${db}`)};\n` +
        `const run = await migrate({ url, sqlDir: ${JSON.stringify(sqlDir)} });\n` +
        'const health = await doctor({ url });\n' +
        'const now = await status({ url });\n' +
        "const same = await verify({ source: url, target: url, excludeTables: ['DataMigration*'] });\n" +
        'let refused = null;\n' +
        'try { await migrate({ url, only: [] }); }\n' +
        "catch (error) { refused = error instanceof UsageError ? error.exitCode : 'other'; }\n" +
        'const stages = now.stages.map((s) => s.status);\n' +
        'process.stdout.write(JSON.stringify({ run, health, stages, same: same.status, refused }));\n',
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { run, health, stages, same, refused } = JSON.parse(result.stdout);
    expect(Object.keys(run).sort()).toEqual(['error', 'outcome', 'runId', 'seconds', 'signal', 'stages']);
    expect(run).toMatchObject({ outcome: 'success', signal: null, error: null });
    expect(health).toMatchObject({ healthy: true, findings: [], unresolved: 0, job: { status: 'Completed' } });
    expect(stages).toEqual(['success', 'success', 'success']);
    expect(same).toBe('equal');
    expect(refused).toBe(2);
  });

  it('a .ts consumer typechecks against the declarations; a wrong option does not', () => {
    const good = tsc(
      'consumer.ts',
      [
        "import { migrate, doctor, verify, type RunDocument, type DoctorDocument } from 'dmr';",
        "import type { VerificationDocument } from 'dmr';",
        "import type { Knex, TaskContext, TaskFunction, MigrateOptions, CheckDocument } from 'dmr';",
        "const options: MigrateOptions = { url: 'sqlite:app.db', sqlDir: 'sql', only: ['ods'] };",
        'export const withProgress: MigrateOptions = { ...options, onEvent: (e) => void e.type };',
        'export const run: Promise<RunDocument> = migrate(options);',
        "export const health: Promise<DoctorDocument> = doctor({ env: 'production', fix: true });",
        "export const report: Promise<VerificationDocument> = verify({ source: 'a', target: 'b', mode: 'rows' });",
        'export const task: TaskFunction = async (knex: Knex.Transaction, context: TaskContext) => {',
        '  if (context.signal.aborted) return;',
        "  await knex.raw('select 1');",
        '};',
        'export function ready(c: CheckDocument): boolean { return c.ready && c.problems === 0; }',
        '',
      ].join('\n'),
    );
    expect(good.output).toBe('');
    expect(good.status).toBe(0);
    const bad = tsc('wrong.ts', "import { migrate } from 'dmr';\nvoid migrate({ url: 'sqlite:x', only: 'ods' });\n");
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/wrong\.ts.*only/s);
  });
});
