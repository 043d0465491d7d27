import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { DialectAdapter, DialectName, ScriptStatement } from '../../adapters/dialect-adapter.js';
import { dialectNamed } from '../../adapters/dialects.js';
import { copyTaskNonAtomic, readCopyTask } from './copy-task-spec.js';
import type { Task } from './discover-tasks.js';
import { readTaskText, TaskEncodingError } from './read-task-text.js';
import { StatementIndex } from './statement-index.js';

/** A reason a task must not run, with the place in its file. */
export interface TaskRefusal {
  readonly line: number;
  readonly message: string;
}

/** A statement that commits on its own on this engine (MySQL/MariaDB DDL). */
interface ImplicitCommit {
  /** 0-based statement number in the file. */
  readonly statement: number;
  readonly line: number;
  readonly keyword: string;
}

/** What reading a task file once found: its checksum, its statements, and whether it may run. */
export interface TaskScan {
  readonly task: Task;
  /** sha256 (hex) of the file's bytes as stored. */
  readonly checksum: string;
  readonly bytes: number;
  readonly mtimeMs: number;
  /** SQL tasks: where each statement is (module tasks: null). */
  readonly statements: StatementIndex | null;
  /** false for a SQL task whose header says `-- dmr:no-transaction`. */
  readonly transactional: boolean;
  /** Why a failure can leave part of the task committed; null when it is all or nothing. */
  readonly nonAtomic: string | null;
  readonly implicitCommits: readonly ImplicitCommit[];
  /** Why it must not run (transaction control in a transactional task, bad bytes, unknown directive). */
  readonly refusals: readonly TaskRefusal[];
}

/** The header comment that runs a SQL task without a transaction (as Flyway and Liquibase allow). */
const noTransactionDirective = 'no-transaction';

/**
 * Reads a task file once, streaming: checksum of its bytes and, for SQL, every statement's
 * place and what it does to the task's transaction. Never throws for the file's content: bad
 * bytes and forbidden statements come back as refusals.
 */
export async function scanTask(task: Task, adapter: DialectAdapter, encoding: string): Promise<TaskScan> {
  const { size, mtimeMs } = statSync(task.file);
  const hash = createHash('sha256');
  const base = { task, bytes: size, mtimeMs };
  if (task.kind === 'copy') {
    const { checksum, refusals } = readCopyTask(task.file);
    return {
      ...base,
      checksum,
      statements: null,
      transactional: false,
      nonAtomic: copyTaskNonAtomic,
      implicitCommits: [],
      refusals,
    };
  }
  if (task.kind !== 'sql') {
    for await (const chunk of createReadStream(task.file)) hash.update(chunk as Buffer);
    return {
      ...base,
      checksum: hash.digest('hex'),
      statements: null,
      transactional: true,
      nonAtomic: null,
      implicitCommits: [],
      refusals: [],
    };
  }

  const statements = new StatementIndex();
  const refusals: TaskRefusal[] = [];
  const implicitCommits: ImplicitCommit[] = [];
  const savepoints = new Set<string>();
  const splitter = adapter.scriptSplitter();
  let header: Header | null = null;
  const controlStatements: { line: number; keyword: string }[] = [];
  const take = (found: readonly ScriptStatement[]) => {
    for (const s of found) {
      const index = statements.count;
      statements.push(s.offset ?? 0, s.sql.length, s.line);
      for (const f of adapter.classifyStatement(s.sql)) {
        const line = s.line + f.lineInStatement - 1;
        if (f.kind === 'implicit-commit') implicitCommits.push({ statement: index, line, keyword: f.keyword });
        else if (f.kind === 'control') controlStatements.push({ line, keyword: f.keyword });
        else if (f.savepoint?.action === 'define') savepoints.add(f.savepoint.name.toLowerCase());
        else if (f.savepoint && !savepoints.has(f.savepoint.name.toLowerCase())) {
          controlStatements.push({
            line,
            keyword: `${f.keyword} ${f.savepoint.name} (a savepoint this task did not create)`,
          });
        }
      }
    }
  };
  try {
    for await (const text of readTaskText(task.file, encoding, hash)) {
      header ??= readHeader(text);
      take(splitter.push(text));
    }
    take(splitter.end());
  } catch (error) {
    if (!(error instanceof TaskEncodingError)) throw error;
    refusals.push({
      line: error.line,
      message: `${error.message}; save it as UTF-8, or pass --encoding with the file's encoding (e.g. latin1)`,
    });
    return { ...base, checksum: '', statements, transactional: true, nonAtomic: null, implicitCommits, refusals };
  }
  header ??= readHeader('');
  refusals.push(...header.refusals);
  const transactional = !header.directives.has(noTransactionDirective);
  if (transactional) {
    for (const c of controlStatements) {
      const message =
        `${c.keyword} controls the transaction dmr runs each task in (dmr commits the task itself); ` +
        `remove it, or put "-- dmr:${noTransactionDirective}" at the top of the file ` +
        'to run the task without a transaction';
      refusals.push({ line: c.line, message });
    }
  }
  const nonAtomic = !transactional
    ? `runs without a transaction (-- dmr:${noTransactionDirective}): ` +
      'a failure leaves the statements before it committed'
    : implicitCommits.length > 0 && statements.count > 1
      ? implicitCommitReason(adapter.name, implicitCommits)
      : null;
  return { ...base, checksum: hash.digest('hex'), statements, transactional, nonAtomic, implicitCommits, refusals };
}

function implicitCommitReason(engine: DialectName, commits: readonly ImplicitCommit[]): string {
  const where = commits.slice(0, 3).map((c) => `line ${c.line} (${c.keyword})`);
  const name = dialectNamed(engine).title;
  return (
    `commits implicitly at ${where.join(', ')}${commits.length > 3 ? ', ...' : ''}: ${name} commits at each DDL ` +
    'statement, so a failure after one leaves the statements before it committed'
  );
}

interface Header {
  readonly directives: ReadonlySet<string>;
  readonly refusals: readonly TaskRefusal[];
}

const knownDirectives = new Set([noTransactionDirective]);

/** `-- dmr:<directive>` lines in the comment block at the top of the file (before the first statement). */
function readHeader(text: string): Header {
  const directives = new Set<string>();
  const refusals: TaskRefusal[] = [];
  const lines = text.split('\n', 200);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    const match = /^--\s*dmr:\s*(\S+)\s*$/i.exec(line);
    if (!match) continue;
    const name = (match[1] as string).toLowerCase();
    if (knownDirectives.has(name)) directives.add(name);
    else {
      const known = [...knownDirectives].map((d) => `dmr:${d}`).join(', ');
      refusals.push({ line: i + 1, message: `unknown directive "-- dmr:${match[1]}" (dmr knows: ${known})` });
    }
  }
  return { directives, refusals };
}
