import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';

/** A URL with a password whose server refuses the connection at once (nothing listens on port 1). */
const deadUrl = 'postgres://postgres:secret@127.0.0.1:1/db';

/** Every command with the arguments it needs to reach the point where it connects. */
const commands: Record<string, readonly string[]> = {
  migrate: ['migrate', '--url', deadUrl],
  resume: ['resume', '--url', deadUrl],
  restart: ['restart', '--url', deadUrl],
  status: ['status', '--url', deadUrl],
  doctor: ['doctor', '--url', deadUrl],
  'doctor --fix': ['doctor', '--fix', '--url', deadUrl],
  stop: ['stop', '--url', deadUrl],
  reset: ['reset', '--all', '--to', 'initial', '--url', deadUrl],
  init: ['init', '--url', deadUrl],
  verify: ['verify', '--source', deadUrl, '--target', deadUrl],
  copy: ['copy', '--source', deadUrl, '--target', deadUrl],
  serve: ['serve', '--port', '0', '--url', deadUrl],
};

/** stdout is exactly one JSON document whose only key is `error`. */
function errorOf(result: CliResult): { message: string; hint: string | null; code: string; exitCode: number } {
  let document: unknown;
  try {
    document = JSON.parse(result.stdout);
  } catch {
    throw new Error(
      `stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
  expect(Object.keys(document as object)).toEqual(['error']);
  const error = (document as { error: { message: string; hint: string | null; code: string; exitCode: number } }).error;
  expect(Object.keys(error).sort()).toEqual(['code', 'exitCode', 'hint', 'message']);
  expect(error.exitCode).toBe(result.code);
  return error;
}

describe('--json: one JSON document on stdout in every outcome', () => {
  for (const [name, args] of Object.entries(commands)) {
    it(`${name}: a connection error is {"error": ...}, exit 2, password redacted`, async () => {
      const result = await runCli([...args, '--json']);
      expect(result.code).toBe(2);
      const error = errorOf(result);
      expect(error.code).toBe('connection');
      expect(error.message).toMatch(
        /cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/db: .*ECONNREFUSED/,
      );
      expect(typeof error.hint).toBe('string');
      expect(result.stdout + result.stderr).not.toContain('secret');
    });
  }

  it('check: an unreachable database is its answer (one document, ready false, exit 1)', async () => {
    const result = await runCli(['check', '--url', deadUrl, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ready: false, databases: [{ reachable: false }] });
    expect(result.stdout + result.stderr).not.toContain('secret');
  });

  it('an unknown flag, a missing command and a bad value are usage errors in JSON', async () => {
    for (const args of [['status', '--bogus'], [], ['verify', '--target', deadUrl], ['doctor', '--yes']]) {
      const result = await runCli([...args, '--json']);
      expect(result.code, args.join(' ')).toBe(2);
      expect(errorOf(result).code).toBe('usage');
    }
  });

  it('contradictory flags are a usage error: --json --format text, doctor --yes without --fix', async () => {
    const verify = errorOf(
      await runCli(['verify', '--source', deadUrl, '--target', deadUrl, '--json', '--format', 'text']),
    );
    expect(verify.message).toMatch(/--json and --format text ask for two formats on stdout/);
    const doctor = errorOf(await runCli(['doctor', '--yes', '--url', deadUrl, '--json']));
    expect(doctor.message).toMatch(/--yes applies the fixes of --fix/);
  });

  it('without --json, an error is text on stderr and stdout stays empty', async () => {
    const result = await runCli(['status', '--url', deadUrl]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^dmr: cannot connect to /);
  });
});
