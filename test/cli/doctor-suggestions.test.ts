import { cpSync, mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deadPid, fastDir, jsonOf, table, type DoctorJson } from '../doctor/doctor-support.js';
import { runCli, type CliResult } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { fixture } from '../support/status-rows.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres']);
const work = mkdtempSync(path.join(os.tmpdir(), 'dmr-suggest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A private copy of a task folder, so a test may edit it. */
function copyOf(dir: string): string {
  const copy = mkdtempSync(path.join(work, 'sql-'));
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/** Splits a suggested command into argv (single-quoted words as dmr writes them). */
function words(command: string): string[] {
  return [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : (m[2] as string),
  );
}

/** The commands of an action: `dmr a, then dmr b`; prose in parentheses is not a command. */
function steps(action: string): string[][] {
  return action.split(', then ').map((step) => words(step.replace(/ \(.*$/, '')));
}

/** doctor --json: each finding's action, and the command to paste (with the user's flags). */
type SuggestingReport = Omit<DoctorJson, 'findings'> & {
  findings: (DoctorJson['findings'][number] & { command: string })[];
};

interface Scenario {
  readonly name: string;
  readonly tasks: string;
  /** Arranges the state doctor will judge. */
  arrange(db: TestDatabase, args: readonly string[]): Promise<void>;
  /** Finding ids doctor must report (at least these). */
  readonly expect: readonly string[];
  /** A check of the suggestion text, beyond carrying the flags. */
  readonly action?: Readonly<Record<string, RegExp>>;
}

const migrate = async (args: readonly string[]) => {
  const result = await runCli(['migrate', ...args]);
  return result;
};

const scenarios: readonly Scenario[] = [
  {
    name: 'a failed run',
    tasks: fixture('fail'),
    arrange: async (_db, args) => {
      expect((await migrate(args)).code).toBe(1);
    },
    expect: ['failed:rds'],
    action: { 'failed:rds': /^dmr resume --url \S+ --schema \S+ --sql-dir \S+$/ },
  },
  {
    name: 'a stage set to error after a Completed run (job allows no resume)',
    tasks: fastDir,
    arrange: async (db, args) => {
      expect((await migrate(args)).code).toBe(0);
      await table(db, 'DataMigrations').where('DataMigrationTypeId', 2).update({ DataMigrationStatusId: 4 });
    },
    expect: ['failed:rds', 'order:report'],
    action: { 'failed:rds': /^dmr migrate --from rds --url / },
  },
  {
    name: 'a runner that died without a word',
    tasks: fastDir,
    arrange: async (db, args) => {
      expect((await migrate(args)).code).toBe(0);
      await table(db, 'DataMigrations').where('DataMigrationTypeId', 2).update({ DataMigrationStatusId: 3 });
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
        DbSessionId: db.dialect === 'sqlite' ? `${os.hostname()}:${deadPid}` : '999999',
        StopRequested: 0,
        PriorStatuses: '{}',
      });
    },
    expect: ['stuck:rds'],
    action: { 'stuck:rds': /^dmr doctor --fix --yes --url / },
  },
  {
    name: 'a status code missing',
    tasks: fastDir,
    arrange: async (db, args) => {
      expect((await migrate(args)).code).toBe(0);
      await table(db, 'DataMigrationStatuses').where('DataMigrationStatusId', 1).delete();
    },
    expect: ['schema:missing-status:initial'],
    action: { 'schema:missing-status:initial': /^dmr init --url \S+ --schema \S+$/ },
  },
  {
    name: 'an unknown status id',
    tasks: fastDir,
    arrange: async (db, args) => {
      expect((await migrate(args)).code).toBe(0);
      await table(db, 'DataMigrations').where('DataMigrationTypeId', 3).update({ DataMigrationStatusId: 9 });
    },
    expect: ['schema:unknown-status:report'],
  },
  {
    name: 'a later stage older than an earlier one',
    tasks: fastDir,
    arrange: async (db, args) => {
      expect((await migrate(args)).code).toBe(0);
      await table(db, 'DataMigrations')
        .where('DataMigrationTypeId', 1)
        .update({ LastTriggerDate: new Date(Date.now() + 60_000) });
    },
    expect: ['order:stale:rds'],
    action: { 'order:stale:rds': /^dmr migrate --from rds --url / },
  },
  {
    name: 'a failed run whose already-run task changed since (resume would refuse)',
    tasks: fixture('fail'),
    arrange: async (_db, args) => {
      expect((await migrate(args)).code).toBe(1);
      const sqlDir = args[args.indexOf('--sql-dir') + 1] as string;
      appendFileSync(path.join(sqlDir, 'ods', '010_setup.sql'), '\n-- edited after the run\n');
    },
    expect: ['failed:rds'],
    action: { 'failed:rds': /^dmr restart --url / },
  },
];

function expectNotRefused(result: CliResult, command: readonly string[]): void {
  const where = `${command.join(' ')}\nexit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  expect([0, 1], where).toContain(result.code);
  expect(result.stderr, where).not.toMatch(/cannot (resume|restart|start|migrate)|nothing to resume|refuse/);
}

for (const dialect of dialects) {
  describe(`${dialect}: every doctor suggestion runs when pasted`, () => {
    for (const scenario of scenarios) {
      it(scenario.name, async () => {
        const db = await createTestDatabase(dialect, 'suggest');
        try {
          const sqlDir = copyOf(scenario.tasks);
          const args = ['--url', db.url, '--schema', db.schema, '--sql-dir', sqlDir];
          await scenario.arrange(db, args);
          const doctor = await runCli(['doctor', '--json', ...args]);
          const report = jsonOf<SuggestingReport>(doctor);
          const ids = report.findings.map((f) => f.id);
          for (const id of scenario.expect) expect(ids, JSON.stringify(report.findings, null, 2)).toContain(id);
          for (const [id, pattern] of Object.entries(scenario.action ?? {})) {
            expect(report.findings.find((f) => f.id === id)?.command).toMatch(pattern);
          }
          for (const finding of report.findings) {
            for (const command of steps(finding.command)) {
              expect(command[0], finding.command).toBe('dmr');
              expect(command, finding.command).toContain('--url');
              if (['migrate', 'resume', 'restart', 'status', 'doctor'].includes(command[1] as string)) {
                expect(command.slice(command.indexOf('--sql-dir'))[1], finding.command).toBe(sqlDir);
              }
              expectNotRefused(await runCli(command.slice(1)), command);
            }
          }
        } finally {
          await db.drop();
        }
      });
    }
  });
}
