/**
 * What a top-level statement does to the transaction a task runs in. Only the words a statement
 * starts with are read (T-SQL: every word of a GO batch outside strings and comments), so a
 * COMMIT inside a PL/pgSQL body, a procedure body or a string is never mistaken for one.
 */
export interface StatementFinding {
  /**
   * control: starts, ends or switches off the task's transaction (COMMIT, ROLLBACK, BEGIN, SET
   * autocommit, LOCK TABLES on MySQL); savepoint: SAVEPOINT, ROLLBACK TO, RELEASE (fine when the
   * task itself defined the name); implicit-commit: commits on its own on this engine (MySQL DDL).
   */
  readonly kind: 'control' | 'savepoint' | 'implicit-commit';
  /** The words that decided it, upper case: "COMMIT", "CREATE TABLE". */
  readonly keyword: string;
  /** 1-based line of the keyword inside the statement. */
  readonly lineInStatement: number;
  /** For savepoints: defined here, or used (rolled back to, released). */
  readonly savepoint?: { readonly action: 'define' | 'use'; readonly name: string };
}

interface Word {
  readonly text: string;
  /** Upper case for keyword matching; empty for a quoted name, which is never a keyword. */
  readonly upper: string;
  readonly line: number;
}

/** The engine-specific part: which leading words mean what. */
export interface HeadRules {
  /** First words (upper case) that control the transaction, unless `notControl` says otherwise. */
  readonly control: ReadonlySet<string>;
  /** Two-word heads that control it ("START TRANSACTION", "LOCK TABLES"). */
  readonly controlPairs: ReadonlySet<string>;
  /** Heads that commit implicitly (MySQL DDL); null where DDL is transactional. */
  readonly implicitCommit: ReadonlySet<string> | null;
  /** A BEGIN that opens a block, not a transaction (MariaDB BEGIN NOT ATOMIC). */
  readonly beginBlock?: (next: string | undefined) => boolean;
}

export const postgresHeadRules: HeadRules = {
  control: new Set(['BEGIN', 'COMMIT', 'END', 'ABORT', 'ROLLBACK']),
  controlPairs: new Set(['START TRANSACTION', 'PREPARE TRANSACTION']),
  implicitCommit: null,
};

export const sqliteHeadRules: HeadRules = {
  control: new Set(['BEGIN', 'COMMIT', 'END', 'ROLLBACK']),
  controlPairs: new Set(),
  implicitCommit: null,
};

/** https://dev.mysql.com/doc/refman/8.0/en/implicit-commit.html */
export const mysqlHeadRules: HeadRules = {
  control: new Set(['BEGIN', 'COMMIT', 'ROLLBACK', 'XA']),
  controlPairs: new Set([
    'START TRANSACTION',
    'LOCK TABLE',
    'LOCK TABLES',
    'UNLOCK TABLE',
    'UNLOCK TABLES',
    'SET AUTOCOMMIT',
  ]),
  implicitCommit: new Set([
    'CREATE',
    'ALTER',
    'DROP',
    'RENAME',
    'TRUNCATE',
    'GRANT',
    'REVOKE',
    'ANALYZE',
    'OPTIMIZE',
    'REPAIR',
    'FLUSH',
    'RESET',
    'CACHE',
    'LOAD INDEX',
    'INSTALL',
    'UNINSTALL',
    'SET PASSWORD',
  ]),
  beginBlock: (next) => next === 'NOT',
};

/** Classifies a statement by its leading words (PostgreSQL, MySQL/MariaDB, SQLite). */
export function classifyByHead(sql: string, rules: HeadRules): StatementFinding[] {
  // Most statements (INSERT, UPDATE, SELECT...) are decided by their first word alone.
  const [head1] = readWords(sql, 0, 1);
  if (!head1 || !headsOf(rules).has(head1.upper)) return [];
  const words = readWords(sql, 0, 5);
  const [first, second, third] = words;
  if (!first) return [];
  const found = (
    kind: StatementFinding['kind'],
    keyword: string,
    savepoint?: StatementFinding['savepoint'],
  ): StatementFinding[] => [{ kind, keyword, lineInStatement: first.line, ...(savepoint ? { savepoint } : {}) }];
  const head = first.upper;
  if (head === 'SAVEPOINT' && second) return found('savepoint', 'SAVEPOINT', { action: 'define', name: second.text });
  if (head === 'RELEASE') {
    const name = second?.upper === 'SAVEPOINT' ? third : second;
    if (name) return found('savepoint', 'RELEASE SAVEPOINT', { action: 'use', name: name.text });
  }
  if (head === 'ROLLBACK') {
    const rest = words.slice(1).filter((w) => w.upper !== 'WORK' && w.upper !== 'TRANSACTION');
    if (rest[0]?.upper === 'TO') {
      const name = rest[1]?.upper === 'SAVEPOINT' ? rest[2] : rest[1];
      if (name) return found('savepoint', 'ROLLBACK TO SAVEPOINT', { action: 'use', name: name.text });
    }
  }
  if (head === 'BEGIN' && rules.beginBlock?.(second?.upper)) return [];
  if (rules.control.has(head)) return found('control', head);
  const target = second && ['SESSION', 'LOCAL', 'GLOBAL'].includes(second.upper) ? third : second;
  const pair = `${head} ${setTarget(target)}`;
  if (rules.controlPairs.has(pair)) return found('control', pair);
  if (rules.implicitCommit) {
    const temporary = (head === 'CREATE' || head === 'DROP') && second?.upper === 'TEMPORARY';
    if (!temporary && (rules.implicitCommit.has(head) || rules.implicitCommit.has(pair))) {
      return found('implicit-commit', second ? `${head} ${second.upper}` : head);
    }
  }
  return [];
}

const heads = new WeakMap<HeadRules, ReadonlySet<string>>();

/** Every first word a rule can start with. */
function headsOf(rules: HeadRules): ReadonlySet<string> {
  let set = heads.get(rules);
  if (!set) {
    const pairs = [...rules.controlPairs, ...(rules.implicitCommit ?? [])].map((p) => p.split(' ')[0] as string);
    set = new Set(['SAVEPOINT', 'RELEASE', 'ROLLBACK', 'BEGIN', ...rules.control, ...pairs]);
    heads.set(rules, set);
  }
  return set;
}

/** SET @@session.autocommit and SET SESSION autocommit read as SET AUTOCOMMIT. */
function setTarget(word: Word | undefined): string {
  if (!word) return '';
  return word.upper.replace(/^@@(SESSION\.|LOCAL\.|GLOBAL\.)?/, '');
}

const routineHead = /^(CREATE|ALTER)( OR ALTER)? (PROC|PROCEDURE|FUNCTION|TRIGGER)$/;

/**
 * T-SQL: a GO batch holds many statements without separators, so every word outside strings,
 * comments and [names] is read. A batch that creates a procedure, function or trigger is its
 * body and is left alone. https://learn.microsoft.com/sql/t-sql/language-elements/transactions-transact-sql
 */
export function classifyTsqlBatch(sql: string): StatementFinding[] {
  const words = readWords(sql, 0, Number.POSITIVE_INFINITY);
  const head = words.slice(0, 4).map((w) => w.upper);
  if (routineHead.test(head.slice(0, 2).join(' ')) || routineHead.test(head.join(' '))) return [];
  const findings: StatementFinding[] = [];
  const isTran = (w: Word | undefined) => w?.upper === 'TRAN' || w?.upper === 'TRANSACTION';
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as Word;
    const next = words[i + 1];
    const add = (kind: StatementFinding['kind'], keyword: string, savepoint?: StatementFinding['savepoint']) =>
      findings.push({ kind, keyword, lineInStatement: w.line, ...(savepoint ? { savepoint } : {}) });
    if (w.upper === 'BEGIN' && (isTran(next) || next?.upper === 'DISTRIBUTED')) add('control', 'BEGIN TRANSACTION');
    else if (w.upper === 'COMMIT') add('control', 'COMMIT');
    else if (w.upper === 'SAVE' && isTran(next) && words[i + 2])
      add('savepoint', 'SAVE TRANSACTION', { action: 'define', name: (words[i + 2] as Word).text });
    else if (w.upper === 'ROLLBACK') {
      const name = isTran(next) ? words[i + 2] : undefined;
      if (name && !name.text.startsWith('@'))
        add('savepoint', 'ROLLBACK TRANSACTION', { action: 'use', name: name.text });
      else add('control', 'ROLLBACK');
    } else if (w.upper === 'SET' && next?.upper === 'IMPLICIT_TRANSACTIONS')
      add('control', 'SET IMPLICIT_TRANSACTIONS');
  }
  return findings;
}

/** Letters, digits and _ @ # $ . (T-SQL variables and temp tables, qualified names). */
function isWordChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 95 ||
    c === 64 ||
    c === 35 ||
    c === 36 ||
    c === 46 ||
    c > 127
  );
}

/**
 * Words of a statement from `start`, skipping whitespace, comments and string literals; quoted
 * names ("x", `x`, [x]) are words without their quotes. Stops after `max` words.
 */
function readWords(sql: string, start: number, max: number): Word[] {
  const words: Word[] = [];
  let line = 1;
  let i = start;
  const n = sql.length;
  while (i < n && words.length < max) {
    const c = sql[i] as string;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      line += countLines(sql, i, stop);
      i = stop;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      while (j < n && !(sql[j] === close && sql[j + 1] !== close)) j += sql[j] === close ? 2 : 1;
      if (c !== "'") {
        const text = sql.slice(i + 1, j);
        words.push({ text, upper: '', line });
      }
      line += countLines(sql, i, j);
      i = j + 1;
    } else if (isWordChar(sql.charCodeAt(i))) {
      let j = i + 1;
      while (j < n && isWordChar(sql.charCodeAt(j))) j++;
      const text = sql.slice(i, j);
      words.push({ text, upper: text.toUpperCase(), line });
      i = j;
    } else i++;
  }
  return words;
}

function countLines(sql: string, from: number, to: number): number {
  let lines = 0;
  for (let k = from; k < to; k++) if (sql.charCodeAt(k) === 10) lines++;
  return lines;
}
