import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DialectName } from '../../config/dialect-name.js';
import { UsageError } from '../errors.js';

/** One task file of a stage. */
export interface Task {
  readonly stage: string;
  /** File name without dialect suffix and extension: the id written to DataMigrationTaskList. */
  readonly name: string;
  readonly file: string;
  readonly kind: 'sql' | 'module';
}

const dialects: readonly string[] = ['postgres', 'mysql', 'mssql', 'sqlite'];
const moduleExtensions = new Set(['.ts', '.mts', '.js', '.mjs']);

/**
 * Tasks of each stage from `<sqlDir>/<stage>/` in file-name order. `name.<dialect>.ext` wins
 * over `name.ext` on that dialect; other dialects' variants are ignored.
 */
export function discoverTasks(sqlDir: string, stages: readonly string[], dialect: DialectName): Map<string, Task[]> {
  if (!existsSync(sqlDir) || !statSync(sqlDir).isDirectory()) {
    throw new UsageError(`task directory not found: ${sqlDir}`, 'pass --sql-dir, or run from the project folder that holds sql/<stage>/');
  }
  const result = new Map<string, Task[]>();
  for (const stage of stages) {
    const dir = path.join(sqlDir, stage);
    result.set(stage, existsSync(dir) ? tasksIn(dir, stage, dialect) : []);
  }
  return result;
}

function tasksIn(dir: string, stage: string, dialect: DialectName): Task[] {
  const chosen = new Map<string, { file: string; specific: boolean; kind: Task['kind'] }>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.d.ts')) continue;
    const ext = path.extname(entry.name);
    const kind = ext === '.sql' ? 'sql' : moduleExtensions.has(ext) ? 'module' : null;
    if (!kind) continue;
    const stem = entry.name.slice(0, -ext.length);
    const variant = path.extname(stem).slice(1);
    const specific = dialects.includes(variant);
    if (specific && variant !== dialect) continue;
    const name = specific ? stem.slice(0, -(variant.length + 1)) : stem;
    const existing = chosen.get(name);
    if (existing && (existing.specific || !specific)) {
      if (existing.specific === specific) throw new UsageError(`two tasks named ${name} in ${dir}`, 'rename one of them');
      continue;
    }
    chosen.set(name, { file: path.join(dir, entry.name), specific, kind });
  }
  return [...chosen.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, c]) => ({ stage, name, file: c.file, kind: c.kind }));
}
