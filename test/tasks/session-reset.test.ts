import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { stageStatuses, target } from '../support/status-rows.js';
import { taskDir } from './task-support.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql']);

/** A first task that leaves its session read-only and pointed elsewhere; every later task creates a table. */
function leftBehind(db: TestDatabase): string {
  if (db.dialect === 'postgres')
    return (
      'create schema if not exists elsewhere;\nset search_path to elsewhere;\nset session ' +
      'characteristics as transaction read only;\n'
    );
  if (db.dialect === 'mysql') return `set session transaction read only;\nuse \`${db.schema}\`;\n`;
  // SQLite: query_only takes effect at once, so the task runs without a transaction (its own bookkeeping would be
  // refused).
  return '-- dmr:no-transaction\npragma query_only = 1;\n';
}

describe.each(dialects)('each task starts from a clean session (%s)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'reset');
  });
  afterAll(async () => db?.drop());

  const leftoverSessionStateTitle =
    'read-only and search_path left behind by a task: runs complete and later tables land in the default schema';
  it(leftoverSessionStateTitle, async () => {
    const dir = taskDir({
      'ods/010_leave.sql': leftBehind(db),
      'ods/020_create.sql': 'create table if not exists landed_ods (x int);\n',
      'ods/030_leave_again.sql': leftBehind(db),
      'rds/010_create.sql': 'create table if not exists landed_rds (x int);\n',
      'report/010_create.sql':
        'create table if not exists landed_report (x int);\ninsert into landed_report values (1);\n',
    });
    // Pooled connections are handed out in varying order: several runs give the leftovers many chances.
    for (let run = 0; run < 4; run++) {
      const result = await runCli([run === 0 ? 'migrate' : 'restart', ...target(db), '--sql-dir', dir]);
      expect(result.code, `run ${run}: ${result.stderr}`).toBe(0);
      expect(await stageStatuses(db)).toEqual({ 1: 5, 2: 5, 3: 5 });
    }
    for (const table of ['landed_ods', 'landed_rds', 'landed_report'])
      expect(await db.knex.schema.hasTable(table), table).toBe(true);
    expect(Number((await db.knex('landed_report').count({ n: '*' }))[0]?.n)).toBe(4);
    if (dialect === 'postgres') {
      const elsewhere = await db.knex.raw(
        "select count(*)::int as n from information_schema.tables where table_schema = 'elsewhere'",
      );
      expect(elsewhere.rows[0].n).toBe(0);
    }
    if (dialect === 'mysql') {
      const [rows] = await db.knex.raw(
        "select count(*) as n from information_schema.tables where table_schema = ? and table_name like 'landed%'",
        [db.schema],
      );
      expect(Number(rows[0].n)).toBe(0);
    }
  });
});
