import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { projectRoot, runCli } from './support/cli.js';

/**
 * The README's quick start: a fresh folder with knexfile.ts and sql/, then `dmr migrate` on the embedded SQLite
 * default.
 */
describe('quick start on the embedded default database', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-quickstart-'));
  cpSync(path.join(projectRoot, 'knexfile.ts'), path.join(dir, 'knexfile.ts'));
  cpSync(path.join(projectRoot, 'sql'), path.join(dir, 'sql'), { recursive: true });
  const file = path.join(dir, 'dmr.sqlite3');

  it('--plan lists the tasks and creates nothing', async () => {
    const result = await runCli(['migrate', '--plan', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.dialect).toBe('sqlite');
    expect(plan.plan.map((s: { stage: string }) => s.stage)).toEqual(['ods', 'rds', 'report']);
    expect(plan.plan[0].tasks[0].name).toBe('010_create_staging');
    expect(plan.plan[0].tasks.at(-1)).toMatchObject({ name: '050_copy_legacy_directory', kind: 'copy' });
    expect(existsSync(file)).toBe(false);
  });

  it('dmr migrate fills the report tables with the demo counts', async () => {
    const result = await runCli(['migrate'], { cwd: dir });
    expect(result.stderr).toContain('report: success');
    expect(result.code).toBe(0);
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
    try {
      const count = async (table: string) => Number((await knex(table).count({ n: '*' }))[0]?.n);
      expect(await count('fact_enrollments')).toBe(5770);
      expect(await count('rpt_enrollment_by_school_grade')).toBe(174);
      expect(await count('rpt_students_per_school')).toBe(40);
      expect(await count('rpt_district_summary')).toBe(8);
      // ods/050_copy_legacy_directory.copy.json: copied from sql/sources/legacy-directory.db.
      expect(await count('ods_districts')).toBe(4);
      expect(await count('ods_calendar_days')).toBe(410);
      const total = await knex('rpt_enrollment_by_school_grade').sum({ n: 'enrollment_count' });
      expect(Number(total[0]?.n)).toBe(5770);
      const statuses = await knex('DataMigrations').select('DataMigrationStatusId');
      expect(statuses.map((s: { DataMigrationStatusId: number }) => s.DataMigrationStatusId)).toEqual([5, 5, 5]);
    } finally {
      await knex.destroy();
    }
  });

  it('dmr status --json shows the three stages as success', async () => {
    const result = await runCli(['status', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.stages.map((s: { stage: string; status: string }) => `${s.stage}:${s.status}`)).toEqual([
      'ods:success',
      'rds:success',
      'report:success',
    ]);
    expect(report.run).toMatchObject({ jobStatus: 'Completed', liveness: 'finished' });
  });
});
