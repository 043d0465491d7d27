import path from 'node:path';
import type { Knex } from 'knex';
import { expect } from 'vitest';
import { projectRoot, runCli, startCli, type CliResult } from '../support/cli.js';
import type { TestDatabase } from '../support/databases.js';

/** Slow and fast variants of the same three-stage pipeline (see test/fixtures/doctor/README.md). */
export const slowDir = path.join(projectRoot, 'test/fixtures/doctor/slow');
export const fastDir = path.join(projectRoot, 'test/fixtures/doctor/fast');

/** A pid no process has (above any pid_max), for run records of dead runners. */
export const deadPid = 2_147_483_000;

/** --url and --schema of a test database. */
function target(db: TestDatabase): string[] {
  return ['--url', db.url, '--schema', db.schema];
}

export function dmr(db: TestDatabase, args: readonly string[]): Promise<CliResult> {
  return runCli([...args, ...target(db)]);
}

/** Starts `dmr migrate` on the slow fixture and resolves once the slow rds task runs. */
export async function startSlowRun(
  db: TestDatabase,
  extra: readonly string[] = [],
): Promise<ReturnType<typeof startCli>> {
  const cli = startCli(['migrate', '--sql-dir', slowDir, ...extra, ...target(db)]);
  await cli.waitForOutput('rds: 010_slow started');
  return cli;
}

/** The JSON document a command printed on stdout. */
export function jsonOf<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

interface FindingJson {
  readonly id: string;
  readonly rule: string;
  readonly severity: string;
  readonly stage: string | null;
  readonly message: string;
  readonly evidence: Record<string, unknown>;
  readonly action: string;
}

export interface DoctorJson {
  readonly healthy: boolean;
  readonly problems: number;
  readonly warnings: number;
  readonly findings: FindingJson[];
  readonly job: { runId: number | null; status: string; live: boolean; allowedActions: string[] };
}

/** Runs `dmr doctor --json` and returns the exit code and document. */
export async function doctor(
  db: TestDatabase,
  extra: readonly string[] = [],
): Promise<{ code: number | null; report: DoctorJson; result: CliResult }> {
  const result = await dmr(db, ['doctor', '--json', ...extra]);
  return { code: result.code, report: jsonOf<DoctorJson>(result), result };
}

export function ids(report: DoctorJson): string[] {
  return report.findings.map((f) => f.id).sort();
}

/** A status table of the test database, schema-qualified where the dialect has schemas. */
export function table(db: TestDatabase, name: string, knex: Knex = db.knex): Knex.QueryBuilder {
  return db.dialect === 'sqlite' ? knex(name) : knex(name).withSchema(db.schema);
}

/** Stage code -> status code, read with plain SQL. */
export async function stageStatuses(db: TestDatabase): Promise<Record<string, string>> {
  const rows = await table(db, 'DataMigrations').select('DataMigrationTypeId', 'DataMigrationStatusId');
  const code: Record<number, string> = { 1: 'ods', 2: 'rds', 3: 'report' };
  const status: Record<number, string> = { 1: 'initial', 2: 'pending', 3: 'processing', 4: 'error', 5: 'success' };
  return Object.fromEntries(
    rows.map((r: Record<string, unknown>) => [
      code[Number(r.DataMigrationTypeId)] ?? String(r.DataMigrationTypeId),
      status[Number(r.DataMigrationStatusId)] ?? String(r.DataMigrationStatusId),
    ]),
  );
}

export async function historyMessages(db: TestDatabase): Promise<string[]> {
  const rows = await table(db, 'DataMigrationHistories')
    .select('DataMigrationHistoryMessage')
    .orderBy('DataMigrationHistoryId');
  return rows.map((r: Record<string, unknown>) => String(r.DataMigrationHistoryMessage));
}

export async function latestRun(db: TestDatabase): Promise<Record<string, unknown>> {
  return (await table(db, 'DataMigrationRuns').orderBy('RunId', 'desc').first()) as Record<string, unknown>;
}

/** Sets one stage's status id (and extra columns) with plain SQL. */
export async function setStage(
  db: TestDatabase,
  typeId: number,
  statusId: number,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await table(db, 'DataMigrations')
    .where('DataMigrationTypeId', typeId)
    .update({ DataMigrationStatusId: statusId, ...extra });
}

export function expectExit(result: CliResult, code: number): void {
  expect(result.code, `exit code\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(code);
}
