import { accessSync, constants, lstatSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { dialectAliases, dialectNames } from '../../adapters/dialects.js';
import type { DialectName } from '../../adapters/dialect-name.js';
import { copyTaskExtension } from './copy-task-spec.js';

/** One task file of a stage: the file this dialect runs for that task name. */
export interface Task {
  readonly stage: string;
  /** File name without dialect suffix and extension: the id written to DataMigrationTaskList. */
  readonly name: string;
  readonly file: string;
  /** copy: a `.copy.json` file holding `dmr copy` options (see copy-task.ts). */
  readonly kind: 'sql' | 'module' | 'copy';
  /** The dialect this file is written for (`name.<dialect>.sql`); null for the generic file. */
  readonly variant?: DialectName | null;
  /** Every file of this task name in the folder: the generic one and each dialect's variant. */
  readonly variants?: readonly TaskVariant[];
}

/** A file of a task name and whether this dialect runs it. */
export interface TaskVariant {
  readonly file: string;
  /** null for the generic file. */
  readonly dialect: DialectName | null;
  readonly used: boolean;
}

/** A file in a stage folder that is not run on this dialect, and why. */
export interface IgnoredFile {
  readonly file: string;
  readonly reason:
    'unknown-extension' | 'other-dialect' | 'replaced-by-variant' | 'type-declaration' | 'hidden' | 'not-a-file';
  /** One line for people, e.g. "unknown extension .txt (tasks are .sql, .ts, .mts, .js, .mjs)". */
  readonly message: string;
}

/** One stage's folder as found on disk. */
export interface StageFolder {
  readonly stage: string;
  readonly dir: string;
  /** ok: has tasks; empty: exists without tasks (the stage runs as empty); missing and unreadable stop a run. */
  readonly state: 'ok' | 'empty' | 'missing' | 'unreadable';
  readonly tasks: readonly Task[];
  readonly ignored: readonly IgnoredFile[];
}

/** The task tree of a task folder for one dialect: what `migrate --plan` and `dmr check` show. */
export interface TaskTree {
  readonly sqlDir: string;
  readonly dialect: DialectName;
  readonly stages: readonly StageFolder[];
  /** What stops a run before anything is written (exit 2): missing or unreadable folders, no task anywhere, clashes. */
  readonly problems: readonly string[];
  /** Worth saying, never blocking: a stage folder without tasks, a task with no file for this dialect. */
  readonly warnings: readonly string[];
}

const dialects = dialectNames;
/** Suffixes people write for a dialect that dmr spells differently: such a file would run everywhere. */
const dialectLookalikes = new Set(dialectAliases());
const moduleExtensions = new Set(['.ts', '.mts', '.js', '.mjs']);
const knownExtensions = '.sql, .ts, .mts, .js, .mjs, .copy.json';

/**
 * Reads `<sqlDir>/<stage>/` for each stage, in file-name order. `name.<dialect>.ext` wins over
 * `name.ext` on that dialect. Every file not run here is listed with the reason; never throws.
 */
export function readTaskTree(sqlDir: string, stages: readonly string[], dialect: DialectName): TaskTree {
  const problem = folderProblem(sqlDir);
  if (problem) {
    const message =
      problem === 'missing' ? `task directory not found: ${show(sqlDir)}` : `--sql-dir ${show(sqlDir)} is ${problem}`;
    return { sqlDir, dialect, stages: [], problems: [message], warnings: [] };
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const folders = stages.map((stage) => readStage(sqlDir, stage, dialect, problems, warnings));
  if (problems.length === 0 && folders.every((f) => f.tasks.length === 0)) {
    problems.push(`no task found in ${stages.map((s) => show(path.join(sqlDir, s))).join(', ')}: nothing would run`);
  }
  return { sqlDir, dialect, stages: folders, problems, warnings };
}

/** A path as people see it: relative to the working directory unless that climbs out of it. */
export function show(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

function readStage(
  sqlDir: string,
  stage: string,
  dialect: DialectName,
  problems: string[],
  warnings: string[],
): StageFolder {
  const dir = path.join(sqlDir, stage);
  const problem = folderProblem(dir);
  if (problem) {
    problems.push(
      problem === 'missing'
        ? `stage folder ${show(dir)} not found (stage ${stage})`
        : `stage folder ${show(dir)} is ${problem}`,
    );
    return { stage, dir, state: problem === 'missing' ? 'missing' : 'unreadable', tasks: [], ignored: [] };
  }
  const ignored: IgnoredFile[] = [];
  const groups = new Map<string, { file: string; variant: DialectName | null; kind: Task['kind'] }[]>();
  const names = readdirSync(dir).sort();
  for (const entry of names) {
    const file = path.join(dir, entry);
    const ignore = (reason: IgnoredFile['reason'], message: string) => ignored.push({ file, reason, message });
    if (entry.startsWith('.')) {
      ignore('hidden', 'hidden file');
      continue;
    }
    if (entry.endsWith('.d.ts')) {
      ignore('type-declaration', 'a TypeScript declaration file, not a task');
      continue;
    }
    const ext = entry.endsWith(copyTaskExtension) ? copyTaskExtension : path.extname(entry);
    const kind =
      ext === '.sql' ? 'sql' : moduleExtensions.has(ext) ? 'module' : ext === copyTaskExtension ? 'copy' : null;
    const type = entryType(file);
    if (type !== 'file') {
      if (kind && type !== 'directory') problems.push(`task file ${show(file)} cannot be read: ${type}`);
      else
        ignore(
          'not-a-file',
          type === 'directory' ? 'a folder: tasks are the files directly in the stage folder' : type,
        );
      continue;
    }
    if (!kind) {
      ignore('unknown-extension', `unknown extension ${ext || '(none)'} (tasks are ${knownExtensions})`);
      continue;
    }
    try {
      accessSync(file, constants.R_OK);
    } catch (error) {
      problems.push(
        `task file ${show(file)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
      continue;
    }
    const stem = entry.slice(0, -ext.length);
    const suffix = path.extname(stem).slice(1);
    const variant = dialects.includes(suffix as DialectName) ? (suffix as DialectName) : null;
    if (!variant && dialectLookalikes.has(suffix.toLowerCase())) {
      warnings.push(
        `${show(file)}: .${suffix} is not a dialect name dmr knows (${dialects.join(', ')}), ` +
          `so it runs on every dialect as task ${stem}`,
      );
    }
    const name = variant ? stem.slice(0, -(suffix.length + 1)) : stem;
    groups.set(name, [...(groups.get(name) ?? []), { file, variant, kind }]);
  }

  const tasks: Task[] = [];
  for (const [name, files] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const mine = files.filter((f) => f.variant === dialect);
    const generic = files.filter((f) => f.variant === null);
    for (const clash of [mine, generic]) {
      if (clash.length > 1)
        problems.push(
          `two tasks named ${name} in ${show(dir)}: ${clash.map((f) => path.basename(f.file)).join(', ')} (rename one)`,
        );
    }
    const chosen = mine[0] ?? generic[0];
    for (const f of files) {
      if (f === chosen) continue;
      if (f.variant && f.variant !== dialect)
        ignored.push({
          file: f.file,
          reason: 'other-dialect',
          message: `variant for ${f.variant} (this database is ${dialect})`,
        });
      else if (chosen && f.variant === null && chosen.variant)
        ignored.push({
          file: f.file,
          reason: 'replaced-by-variant',
          message: `replaced by ${path.basename(chosen.file)} on ${dialect}`,
        });
    }
    if (!chosen) {
      const others = files.map((f) => f.variant).join(', ');
      warnings.push(
        `task ${name} in ${show(dir)} has variants for ${others} but none for ${dialect} ` +
          'and no generic file: it does not run here',
      );
      continue;
    }
    const variants = files.map((f) => ({ file: f.file, dialect: f.variant, used: f === chosen }));
    tasks.push({ stage, name, file: chosen.file, kind: chosen.kind, variant: chosen.variant, variants });
  }
  if (tasks.length === 0)
    warnings.push(`stage folder ${show(dir)} has no tasks for ${dialect}: stage ${stage} runs as empty`);
  ignored.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { stage, dir, state: tasks.length > 0 ? 'ok' : 'empty', tasks, ignored };
}

/** null for a readable directory, 'missing', or why it cannot be used (a symlink loop, permission denied, a file). */
function folderProblem(dir: string): string | null {
  try {
    if (!statSync(dir).isDirectory()) return 'not a directory';
    readdirSync(dir);
    return null;
  } catch (error) {
    return describeFsError(dir, error as NodeJS.ErrnoException);
  }
}

function entryType(file: string): 'file' | 'directory' | string {
  try {
    const stat = statSync(file);
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'not a regular file';
  } catch (error) {
    return describeFsError(file, error as NodeJS.ErrnoException);
  }
}

function describeFsError(file: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return isSymlink(file) ? 'a symlink to nothing' : 'missing';
    case 'ELOOP':
      return 'a symlink loop';
    case 'EACCES':
    case 'EPERM':
      return 'not readable (permission denied)';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return `not readable (${error.code ?? error.message})`;
  }
}

function isSymlink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
