import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const parseXml = (file: string) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(file, 'utf8'));

/** A JUnit report that CI reads as not green: errors or failures, never an empty suite. */
function expectNotGreen(file: string): void {
  const suite = parseXml(file).testsuite;
  expect(Number(suite.tests)).toBeGreaterThan(0);
  expect(Number(suite.errors) + Number(suite.failures)).toBeGreaterThan(0);
}

describe('verify never passes on nothing: SQLite files that do not exist', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-verify-nothing-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('two missing files: exit 2 naming the file, neither file created, JUnit not green', async () => {
    const [a, b, report] = [path.join(dir, 'a.db'), path.join(dir, 'b.db'), path.join(dir, 'report.xml')];
    writeFileSync(
      report,
      '<?xml version="1.0"?><testsuite name="old green run" tests="0" failures="0" errors="0"></testsuite>',
    );
    const run = await runCli([
      'verify',
      '--source',
      `sqlite:${a}`,
      '--target',
      `sqlite:${b}`,
      '--format',
      'junit',
      '--out',
      report,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(a);
    expect(run.stderr).toMatch(/does not exist or cannot be opened/);
    expect(existsSync(a)).toBe(false);
    expect(existsSync(b)).toBe(false);
    expectNotGreen(report);
    expect(parseXml(report).testsuite.testcase.error.type).toBe('exit 2');
  });

  it('an existing empty file against a missing one: exit 2, the missing one not created', async () => {
    const [empty, missing] = [path.join(dir, 'empty.db'), path.join(dir, 'missing.db')];
    writeFileSync(empty, '');
    const run = await runCli(['verify', '--source', `sqlite:${empty}`, '--target', `sqlite:${missing}`]);
    expect(run.code).toBe(2);
    expect(existsSync(missing)).toBe(false);
  });
});

for (const dialect of dialects) {
  describe(`verify never passes on nothing (${dialect})`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-verify-nothing-'));
      source = await createTestDatabase(dialect, 'vnone_src');
      target = await createTestDatabase(dialect, 'vnone_tgt');
      // Touch the SQLite files so that they exist: empty databases.
      await source.knex.raw('select 1');
      await target.knex.raw('select 1');
    });
    afterAll(async () => {
      await source?.drop();
      await target?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('two empty schemas: exit 2 "nothing to compare", JUnit not green', async () => {
      const report = path.join(dir, `empty-${dialect}.xml`);
      const run = await runCli([
        'verify',
        '--source',
        source.url,
        '--target',
        target.url,
        '--format',
        'junit',
        '--out',
        report,
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/nothing to compare: no table in the source .* or the target/);
      expectNotGreen(report);
    });

    it('every table left out by --exclude-table or as a status table: exit 2 saying so', async () => {
      for (const db of [source, target]) {
        await db.knex.raw('create table audit_log (id integer primary key, note varchar(20))');
        await db.knex.raw('create table DataMigrationRuns (id integer primary key)');
      }
      const run = await runCli([
        'verify',
        '--source',
        source.url,
        '--target',
        target.url,
        '--exclude-table',
        'audit_*',
        '--json',
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /nothing to compare.*\(1 of dmr's status tables left out, 1 left out by --exclude-table\)/,
      );
      const explicit = await runCli([
        'verify',
        '--source',
        source.url,
        '--target',
        target.url,
        '--table',
        'audit_log',
        '--exclude-table',
        'AUDIT_*',
      ]);
      expect(explicit.code).toBe(2);
      expect(explicit.stderr).toMatch(/nothing to compare/);
    });

    it.runIf(dialect !== 'sqlite')('a schema that does not exist: exit 2 naming it and the schemas there', async () => {
      const run = await runCli(['verify', '--source', source.url, '--target', target.url, '--source-schema', 'pubic']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/the source schema "pubic" does not exist/);
      expect(run.stderr).toMatch(/schemas there: /);
      const target2 = await runCli([
        'verify',
        '--source',
        source.url,
        '--target',
        target.url,
        '--target-schema',
        'nope_schema',
        '--json',
      ]);
      expect(target2.code).toBe(2);
      expect(target2.stderr).toMatch(/the target schema "nope_schema" does not exist/);
    });
  });
}
