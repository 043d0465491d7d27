import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestDatabase } from '../support/databases.js';
import { historyMessages, stageStatuses, statusTable } from '../support/status-rows.js';

/** Writes a task folder: `{ 'ods/010_a.sql': 'select 1;', 'rds/': null }` (null makes an empty folder). */
export function taskDir(files: Record<string, string | Buffer | null>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-tasks-'));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    if (content === null) {
      mkdirSync(file, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

/** A pipeline whose three stages each run one trivial task. */
export const trivialStages = {
  'ods/010_ok.sql': 'select 1;\n',
  'rds/010_ok.sql': 'select 1;\n',
  'report/010_ok.sql': 'select 1;\n',
};

/** What a run that changed nothing must leave as it was: statuses, history and run records. */
export async function statusSnapshot(
  db: TestDatabase,
): Promise<{ statuses: Record<number, number>; history: string[]; runs: number }> {
  const runs = await statusTable(db, 'DataMigrationRuns').count({ n: '*' });
  return { statuses: await stageStatuses(db), history: await historyMessages(db), runs: Number(runs[0]?.n) };
}

/** Whether a table exists in the test database (its default schema). */
export async function tableExists(db: TestDatabase, table: string): Promise<boolean> {
  return db.knex.schema.hasTable(table);
}
