import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/cli.js';

const run = promisify(execFile);
const bin = (name: string) => path.join(projectRoot, 'node_modules/.bin', name);
const planted: string[] = [];

/** Runs a lint tool; resolves with its exit code and output instead of throwing. */
async function tool(name: string, args: string[], input?: string) {
  try {
    const child = run(bin(name), args, { cwd: projectRoot, maxBuffer: 1 << 24 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    const { stdout, stderr } = await child;
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

/** Writes a file into the source tree for one check; removed after each test. */
function plant(relative: string, text: string): string {
  const file = path.join(projectRoot, relative);
  writeFileSync(file, text);
  planted.push(file);
  return relative;
}

afterEach(() => {
  for (const file of planted.splice(0)) rmSync(file, { force: true });
});

const layers = ['--config', '.dependency-cruiser.cjs', '--no-progress'];
const tag = () => randomBytes(3).toString('hex');

describe('npm run lint', () => {
  it('refuses an import from adapters into cli', async () => {
    const file = plant(`src/adapters/planted-${tag()}.ts`, "export { main } from '../cli/main.js';\n");
    const result = await tool('depcruise', [file, ...layers]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('nothing-imports-cli');
  });

  it('refuses core importing an engine folder', async () => {
    const file = plant(`src/core/planted-${tag()}.ts`, "export * from '../adapters/postgres/postgres-adapter.js';\n");
    const result = await tool('depcruise', [file, ...layers]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('engine-folders-only-from-adapters');
  });

  it('refuses the CLI reaching core work around the library API, and accepts its vocabulary and types', async () => {
    const file = plant(
      `src/cli/planted-${tag()}.ts`,
      "import { openDatabase } from '../core/database.js';\n" +
        "import { verifyData } from '../core/verify/verify-data.js';\n" +
        "import type { StatusStore } from '../core/status/status-store.js';\n" +
        "import { UsageError } from '../core/errors.js';\n" +
        "import { parseTableMapping } from '../core/verify/verify-names.js';\n" +
        'export const used = [openDatabase, verifyData, UsageError, parseTableMapping];\n' +
        'export type Store = StatusStore;\n',
    );
    const result = await tool('depcruise', [file, ...layers]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/cli-reaches-core-through-api: .*→ src\/core\/database\.ts/);
    expect(result.output).toMatch(/cli-reaches-core-through-api: .*→ src\/core\/verify\/verify-data\.ts/);
    expect(result.output).not.toMatch(
      /cli-reaches-core-through-api: .*→ src\/core\/(status\/status-store|errors|verify\/verify-names)/,
    );
  });

  it('refuses a heartbeat client that loads knex or the registry of dialects', async () => {
    const file = plant(
      `src/adapters/sqlite/planted${tag()}-heartbeat-client.ts`,
      "import knex from 'knex';\nimport { dialects } from '../dialects.js';\nexport const loaded = [knex, dialects];\n",
    );
    const result = await tool('depcruise', [file, ...layers]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/heartbeat-worker-stays-slim: .*→ src\/adapters\/dialects\.ts/);
    expect(result.output).toMatch(/heartbeat-worker-stays-slim: .*→ .*node_modules\/knex\//);
  });

  it('accepts the source tree as it is', async () => {
    const result = await tool('depcruise', ['src', 'bin', ...layers]);
    expect(result.output).toContain('no dependency violations');
    expect(result.code).toBe(0);
  });

  it('refuses a badly formatted file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-lint-'));
    try {
      const file = path.join(dir, 'ugly.ts');
      writeFileSync(file, 'export const  x = {a:1,\n b :2}\n');
      const result = await tool('prettier', ['--config', '.prettierrc.json', '--check', file]);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('ugly.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a line longer than 120 characters and console in core', async () => {
    const text = `console.log(${'x'.repeat(130)});\n`;
    const result = await tool('eslint', ['--stdin', '--stdin-filename', 'src/core/errors.ts'], text);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('max-len');
    expect(result.output).toContain('no-console');
  });

  it('refuses a line past 120 characters that holds a string or template literal (SQL text)', async () => {
    const words = 'select 1 '.repeat(14);
    for (const text of [`export const a = '${words}';\n`, `export const b = \`${words}\`;\n`]) {
      const result = await tool('eslint', ['--stdin', '--stdin-filename', 'src/core/errors.ts'], text);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('max-len');
    }
  });
});
