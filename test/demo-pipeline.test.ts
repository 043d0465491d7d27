import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../src/adapters/dialect-name.js';
import { dialectNamed, dialectNames } from '../src/adapters/dialects.js';
import { parseCopyTask } from '../src/core/tasks/copy-task-spec.js';
import { readTaskTree, type Task, type TaskTree } from '../src/core/tasks/discover-tasks.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/databases.js';

/**
 * Runs the demo pipeline in sql/ (ods -> rds -> report) on every reachable engine with a tiny
 * local loop (not dmr's runner) and checks the report tables against exact expected counts and
 * against an independent TypeScript model of the same generation rules. Which file runs for a
 * task on an engine, and how a file splits into statements, come from dmr itself (the task
 * discovery of `dmr migrate` and the engine's script splitter), so this test also shows what
 * dmr makes of the demo folder.
 */

const sqlRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'sql');
const stages = ['ods', 'rds', 'report'] as const;

/** The demo folder as `dmr migrate` sees it on this engine. */
function taskTree(dialect: DialectName): TaskTree {
  return readTaskTree(sqlRoot, stages, dialect);
}

/** The SQL tasks of one stage in run order, as dmr discovers them for this engine (copy tasks need `dmr copy`). */
function sqlTasks(stage: string, dialect: DialectName): Task[] {
  const folder = taskTree(dialect).stages.find((s) => s.stage === stage);
  if (!folder) throw new Error(`no stage ${stage} in ${sqlRoot}`);
  return folder.tasks.filter((t) => t.kind === 'sql');
}

/** The task's file for one engine (`name.<dialect>.sql`), or its portable file (`name.sql`) for null. */
function fileOf(task: Task, dialect: DialectName | null): string | undefined {
  return task.variants?.find((v) => v.dialect === dialect)?.file;
}

function stripComments(sql: string): string {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/--[^\n]*/g, '')
    .trim();
}

/** The statements dmr sends for a file on this engine, without the comment-only ones. */
function statementsOf(file: string, dialect: DialectName): string[] {
  const adapter = dialectNamed(dialect).createAdapter({ connection: { filename: ':memory:' } });
  return adapter
    .splitScript(readFileSync(file, 'utf8'))
    .map((s) => s.sql.trim())
    .filter((s) => stripComments(s) !== '');
}

async function runTask(knex: Knex, dialect: DialectName, file: string): Promise<void> {
  const statements = statementsOf(file, dialect);
  const run = async (conn: Knex | Knex.Transaction) => {
    for (const statement of statements) {
      try {
        await conn.raw(statement);
      } catch (error) {
        throw new Error(`${path.relative(sqlRoot, file)} on ${dialect}: ${(error as Error).message}\n${statement}`, {
          cause: error,
        });
      }
    }
  };
  // MariaDB commits DDL implicitly, so the tasks are written to be re-runnable instead.
  if (dialect === 'mysql') await run(knex);
  else await knex.transaction(run);
}

async function runPipeline(knex: Knex, dialect: DialectName): Promise<string[]> {
  const ran: string[] = [];
  for (const stage of stages) {
    for (const task of sqlTasks(stage, dialect)) {
      await runTask(knex, dialect, task.file);
      ran.push(path.relative(sqlRoot, task.file));
    }
  }
  return ran;
}

// ---------------------------------------------------------------------------------------------
// Expected results: exact counts (documented in sql/README.md) and an independent model.

const expectedRowCounts: Record<string, number> = {
  ods_numbers: 10000,
  ods_grade_levels: 13,
  ods_schools: 20,
  ods_students: 3000,
  ods_enrollments: 5770,
  dim_grade_levels: 13,
  dim_schools: 20,
  dim_students: 3000,
  fact_enrollments: 5770,
  rpt_enrollment_by_school_grade: 174,
  rpt_students_per_school: 40,
  rpt_district_summary: 8,
};

type Row = Record<string, string | number>;

/** The report tables computed in TypeScript from the rules stated in the ods task comments. */
function modelReports(): Record<'byGrade' | 'perSchool' | 'perDistrict', Row[]> {
  const gradeCodes = ['KG', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];
  const schoolName = (n: number) =>
    `${['Lincoln', 'Washington', 'Jefferson', 'Roosevelt', 'Madison'][n % 5]} ` +
    `${n <= 8 ? 'Elementary School' : n <= 14 ? 'Middle School' : 'High School'} ${n}`;
  const schoolLevel = (n: number) => (n <= 8 ? 'Elementary' : n <= 14 ? 'Middle' : 'High');
  const byGrade = new Map<string, Row>();
  const perSchool = new Map<string, Row>();
  const perDistrict = new Map<
    string,
    { row: Row; schools: Set<number>; students: Set<number>; charter: Set<number> }
  >();
  for (let s = 1; s <= 3000; s++) {
    for (const year of [2023, 2024]) {
      const g = (s % 13) - (2024 - year);
      if (g < 0) continue;
      const school = g <= 5 ? 1 + (s % 8) : g <= 8 ? 9 + (s % 6) : 15 + (s % 6);
      const code = gradeCodes[g]!;
      const kg = `${year}|${school}|${code}`;
      const bg = byGrade.get(kg) ?? {
        school_year: year,
        school_id: school,
        school_name: schoolName(school),
        grade_level_code: code,
        grade_sort_order: g,
        enrollment_count: 0,
      };
      (bg.enrollment_count as number)++;
      byGrade.set(kg, bg);
      const ks = `${year}|${school}`;
      const ps = perSchool.get(ks) ?? {
        school_year: year,
        school_id: school,
        school_name: schoolName(school),
        school_level: schoolLevel(school),
        student_count: 0,
        female_count: 0,
        english_learner_count: 0,
        iep_count: 0,
      };
      (ps.student_count as number)++;
      if (s % 10 < 5) (ps.female_count as number)++;
      if (s % 17 === 0 || s % 17 === 5) (ps.english_learner_count as number)++;
      if (s % 7 === 0) (ps.iep_count as number)++;
      perSchool.set(ks, ps);
      const district = `District ${1 + (school % 4)}`;
      const kd = `${year}|${district}`;
      const pd = perDistrict.get(kd) ?? {
        row: { school_year: year, district_name: district },
        schools: new Set(),
        students: new Set(),
        charter: new Set(),
      };
      pd.schools.add(school);
      pd.students.add(s);
      if (school % 5 === 0) pd.charter.add(s);
      perDistrict.set(kd, pd);
    }
  }
  return {
    byGrade: [...byGrade.values()],
    perSchool: [...perSchool.values()],
    perDistrict: [...perDistrict.values()].map((d) => ({
      ...d.row,
      school_count: d.schools.size,
      student_count: d.students.size,
      charter_student_count: d.charter.size,
    })),
  };
}

/** Rows with numbers normalized (pg returns bigint as string, mysql2 decimals as strings), sorted. */
function normalized(rows: Row[], numeric: readonly string[]): Row[] {
  const out = rows.map((r) => {
    const o: Row = {};
    for (const [k, v] of Object.entries(r)) o[k] = numeric.includes(k) ? Number(v) : String(v);
    return o;
  });
  return out.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

async function rowsOf(knex: Knex, table: string, numeric: readonly string[]): Promise<Row[]> {
  return normalized((await knex.select('*').from(table)) as Row[], numeric);
}

const byGradeNumeric = ['school_year', 'school_id', 'grade_sort_order', 'enrollment_count'] as const;
const perSchoolNumeric = [
  'school_year',
  'school_id',
  'student_count',
  'female_count',
  'english_learner_count',
  'iep_count',
] as const;
const perDistrictNumeric = ['school_year', 'school_count', 'student_count', 'charter_student_count'] as const;

async function count(knex: Knex, table: string): Promise<number> {
  const [row] = (await knex(table).count({ c: '*' })) as Array<{ c: string | number }>;
  return Number(row!.c);
}

// ---------------------------------------------------------------------------------------------

describe('demo pipeline files', () => {
  it('is a task tree dmr reads without problems or warnings on every engine', () => {
    for (const dialect of dialectNames) {
      const tree = taskTree(dialect);
      expect(tree.problems, dialect).toEqual([]);
      expect(tree.warnings, dialect).toEqual([]);
      expect(
        tree.stages.map((s) => s.state),
        dialect,
      ).toEqual(['ok', 'ok', 'ok']);
    }
  });

  it('has 2-4 numbered tasks per stage', () => {
    for (const dialect of dialectNames) {
      for (const stage of stages) {
        const tasks = sqlTasks(stage, dialect);
        expect(tasks.length, stage).toBeGreaterThanOrEqual(2);
        expect(tasks.length, stage).toBeLessThanOrEqual(4);
        for (const task of tasks) {
          expect(task.name, `${stage}/${task.name}`).toMatch(/^\d{3}_[a-z0-9_]+$/);
          expect(fileOf(task, null), `${stage}/${task.name} needs a portable .sql file`).toBeDefined();
        }
      }
    }
  });

  it('has valid copy tasks whose SQLite source ships in sql/sources with the documented rows', async () => {
    const copyTasks = taskTree('postgres')
      .stages.flatMap((s) => s.tasks)
      .filter((t) => t.kind === 'copy')
      .map((t) => t.file);
    expect(copyTasks.map((f) => path.relative(sqlRoot, f))).toEqual([
      path.join('ods', '050_copy_legacy_directory.copy.json'),
    ]);
    const { spec, refusals } = parseCopyTask(readFileSync(copyTasks[0]!, 'utf8'));
    expect(refusals).toEqual([]);
    expect(spec?.source).toBe('sqlite:../sources/legacy-directory.db');
    const file = path.resolve(path.dirname(copyTasks[0]!), '../sources/legacy-directory.db');
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: file, options: { readonly: true } },
      useNullAsDefault: true,
    });
    try {
      expect(await count(knex, 'districts')).toBe(4);
      expect(await count(knex, 'calendar_days')).toBe(410);
    } finally {
      await knex.destroy();
    }
  });

  it('has an mssql variant for every task that uses WITH RECURSIVE, itself without RECURSIVE', () => {
    let needing = 0;
    for (const stage of stages) {
      for (const task of sqlTasks(stage, 'mssql')) {
        const generic = stripComments(readFileSync(fileOf(task, null)!, 'utf8'));
        if (!/\bwith\s+recursive\b/i.test(generic)) continue;
        needing++;
        const mssqlFile = fileOf(task, 'mssql');
        expect(mssqlFile, `${stage}/${task.name} needs ${task.name}.mssql.sql`).toBeDefined();
        expect(task.file, `${stage}/${task.name}: dmr runs the variant on mssql`).toBe(mssqlFile);
        const variant = stripComments(readFileSync(mssqlFile!, 'utf8'));
        expect(variant).not.toMatch(/\brecursive\b/i);
        expect(variant).toMatch(/option\s*\(\s*maxrecursion\s+0\s*\)/i);
      }
    }
    expect(needing).toBeGreaterThan(0);
  });

  it('splits every .mssql.sql file into T-SQL batches on GO lines', () => {
    const files = stages.flatMap((stage) => sqlTasks(stage, 'mssql').flatMap((t) => fileOf(t, 'mssql') ?? []));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const goLines = text.split(/\r?\n/).filter((line) => /^\s*go\s*$/i.test(line)).length;
      const batches = statementsOf(file, 'mssql');
      expect(goLines, file).toBeGreaterThanOrEqual(1);
      expect(batches.length, file).toBeGreaterThanOrEqual(2);
      expect(batches.length, file).toBe(
        goLines + (/\S/.test(stripComments(text.split(/^\s*go\s*$/im).at(-1) ?? '')) ? 1 : 0),
      );
      for (const batch of batches) expect(batch, file).not.toMatch(/^\s*go\s*$/im);
    }
  });

  it('keeps the portable files free of constructs that differ between engines', () => {
    for (const stage of stages) {
      for (const task of sqlTasks(stage, 'postgres')) {
        const sql = stripComments(readFileSync(fileOf(task, null)!, 'utf8'));
        const where = `${stage}/${task.name}.sql`;
        expect(sql, where).not.toMatch(/\|\|/); // string concatenation: use concat()
        expect(sql, where).not.toMatch(/\b(boolean|serial|autoincrement|auto_increment|identity|limit|top)\b/i);
        expect(sql, where).not.toMatch(/create\s+table\s+\w+\s+as\b/i);
        expect(sql, where).not.toMatch(/\brandom\s*\(|\brand\s*\(|\bnewid\s*\(/i);
        expect(sql, where).not.toMatch(/^\s*go\s*$/im);
        expect(sql, where).not.toMatch(/\b\w+\s*\.\s*(ods|rds|rpt|dim|fact)_\w+/i); // no schema prefix
        // integer division differs (MariaDB's / yields a decimal): the data is generated with % only
        expect(sql, where).not.toMatch(/[\w)]\s*\/\s*[\w(]/);
      }
    }
  });
});

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);
const model = modelReports();

describe.each(dialects)('demo pipeline on %s', (dialect) => {
  let db: TestDatabase;
  let ran: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'demo');
    await runPipeline(db.knex, dialect);
    ran = await runPipeline(db.knex, dialect); // second run: every task is re-runnable
  }, 180_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('picks the dialect variants', () => {
    expect(ran).toContain(path.join('ods', '020_load_numbers.sql'));
    expect(ran.some((f) => f.endsWith('.mssql.sql'))).toBe(false);
    expect(ran).toHaveLength(stages.reduce((n, s) => n + sqlTasks(s, dialect).length, 0));
  });

  it('has the exact row counts in every table after two runs', async () => {
    const actual: Record<string, number> = {};
    for (const table of Object.keys(expectedRowCounts)) actual[table] = await count(db.knex, table);
    expect(actual).toEqual(expectedRowCounts);
  });

  it('reports enrollments by school and grade', async () => {
    const rows = await rowsOf(db.knex, 'rpt_enrollment_by_school_grade', byGradeNumeric);
    expect(rows).toHaveLength(174);
    expect(rows.reduce((n, r) => n + (r.enrollment_count as number), 0)).toBe(5770);
    const y2024 = rows.filter((r) => r.school_year === 2024);
    const y2023 = rows.filter((r) => r.school_year === 2023);
    expect([y2024.length, y2023.length]).toEqual([90, 84]);
    expect(y2024.reduce((n, r) => n + (r.enrollment_count as number), 0)).toBe(3000);
    expect(y2023.reduce((n, r) => n + (r.enrollment_count as number), 0)).toBe(2770);
    expect(rows.find((r) => r.school_year === 2024 && r.school_id === 1 && r.grade_level_code === 'KG')).toEqual({
      school_year: 2024,
      school_id: 1,
      school_name: 'Washington Elementary School 1',
      grade_level_code: 'KG',
      grade_sort_order: 0,
      enrollment_count: 28,
    });
    expect(rows).toEqual(normalized(model.byGrade, byGradeNumeric));
  });

  it('reports students per school', async () => {
    const rows = await rowsOf(db.knex, 'rpt_students_per_school', perSchoolNumeric);
    expect(rows).toHaveLength(40);
    const sum = (k: string, year: number) =>
      rows.filter((r) => r.school_year === year).reduce((n, r) => n + (r[k] as number), 0);
    expect([
      sum('student_count', 2024),
      sum('female_count', 2024),
      sum('english_learner_count', 2024),
      sum('iep_count', 2024),
    ]).toEqual([3000, 1500, 353, 428]);
    expect([
      sum('student_count', 2023),
      sum('female_count', 2023),
      sum('english_learner_count', 2023),
      sum('iep_count', 2023),
    ]).toEqual([2770, 1385, 326, 396]);
    expect(rows.find((r) => r.school_year === 2024 && r.school_id === 20)).toEqual({
      school_year: 2024,
      school_id: 20,
      school_name: 'Lincoln High School 20',
      school_level: 'High',
      student_count: 155,
      female_count: 62,
      english_learner_count: 18,
      iep_count: 23,
    });
    expect(rows).toEqual(normalized(model.perSchool, perSchoolNumeric));
  });

  it('reports the district summary', async () => {
    const rows = await rowsOf(db.knex, 'rpt_district_summary', perDistrictNumeric);
    expect(rows).toHaveLength(8);
    expect(
      rows
        .filter((r) => r.school_year === 2024)
        .map((r) => [r.district_name, r.school_count, r.student_count, r.charter_student_count]),
    ).toEqual([
      ['District 1', 5, 770, 155],
      ['District 2', 5, 727, 173],
      ['District 3', 5, 730, 116],
      ['District 4', 5, 773, 155],
    ]);
    expect(rows).toEqual(normalized(model.perDistrict, perDistrictNumeric));
  });
});
