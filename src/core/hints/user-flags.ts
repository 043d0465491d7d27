/**
 * The connection and path flags a user gave, to be carried into every command dmr suggests, so
 * that a suggestion pasted into the same shell works.
 */
export interface UserFlags {
  /** --url as given. A URL with a password is never repeated: the suggestion points to DMR_DATABASE_URL or --env. */
  readonly url?: string;
  readonly env?: string;
  readonly knexfile?: string;
  /** --schema, when it is not the default. */
  readonly schema?: string;
  /** --sql-dir, when it is not the default. */
  readonly sqlDir?: string;
}

/** Which flags each dmr command accepts of those carried. */
const accepts: Readonly<Record<string, readonly (keyof UserFlags)[]>> = {
  migrate: ['url', 'env', 'knexfile', 'schema', 'sqlDir'],
  resume: ['url', 'env', 'knexfile', 'schema', 'sqlDir'],
  restart: ['url', 'env', 'knexfile', 'schema', 'sqlDir'],
  status: ['url', 'env', 'knexfile', 'schema', 'sqlDir'],
  check: ['url', 'env', 'knexfile', 'schema', 'sqlDir'],
  doctor: ['url', 'env', 'knexfile', 'schema', 'sqlDir'],
  stop: ['url', 'env', 'knexfile', 'schema'],
  reset: ['url', 'env', 'knexfile', 'schema'],
  init: ['url', 'env', 'knexfile', 'schema'],
  verify: ['url', 'env', 'knexfile', 'schema'],
};

/**
 * Commands that use the carried flags only together with one of their own: verify compares --source and
 * --target, and reaches the status database (--url/--env, --schema) only to store its verdict with --record.
 */
const onlyWith: Readonly<Record<string, string>> = { verify: '--record' };

const flagName: Readonly<Record<keyof UserFlags, string>> = {
  url: '--url',
  env: '--env',
  knexfile: '--knexfile',
  schema: '--schema',
  sqlDir: '--sql-dir',
};

/** Words after a flag that end a suggested command instead of being the flag's value. */
const prose = new Set(['then', 'or', 'and', 'to', 'first', 'after', 'once', 'for', 'again', 'if', 'when', 'with']);

const commandPattern = new RegExp(`\\bdmr (${Object.keys(accepts).join('|')})\\b((?: +(?!dmr\\b)[^\\s\`,;()]+)*)`, 'g');

/** True when the URL carries a password (which dmr never prints). */
export function urlHasPassword(url: string): boolean {
  const at = url.indexOf('@');
  const scheme = url.indexOf('://');
  if (at < 0 || scheme < 0) return /(?:^|[?&;])password=/i.test(url);
  return url.slice(scheme + 3, at).includes(':') || /(?:^|[?&;])password=/i.test(url);
}

/** A value as a POSIX shell word. */
export function shellWord(value: string): string {
  return /^[\w/.:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Where to say that the password was left out of the suggestions, once per text. */
export const passwordNote =
  '(connection: set DMR_DATABASE_URL to your URL or pass --env NAME; dmr does not repeat the password)';

/**
 * Rewrites every `dmr <command> ...` in a hint or finding action so it carries the user's flags
 * that command accepts (and does not already name). copy, and verify without --record, are left alone:
 * their databases are --source and --target, which the suggestion names (or leaves as placeholders).
 */
export function withUserFlags(text: string, flags: UserFlags): string {
  let rewrote = false;
  const result = text.replace(commandPattern, (_match, command: string, rest: string) => {
    const words = rest.split(' ').filter(Boolean);
    const kept: string[] = [];
    for (const word of words) {
      const previous = kept[kept.length - 1];
      const isFlag = word.startsWith('-');
      const isValue = !isFlag && previous?.startsWith('--') && !prose.has(word) && !word.startsWith('dmr');
      if (!isFlag && !isValue) break;
      kept.push(word);
    }
    const tail = rest.split(' ').filter(Boolean).slice(kept.length);
    const added: string[] = [];
    const needs = onlyWith[command];
    for (const key of needs && !kept.includes(needs) ? [] : (accepts[command] ?? [])) {
      const value = flags[key];
      if (value === undefined || value === '' || kept.includes(flagName[key])) continue;
      if (key === 'url' && urlHasPassword(value)) {
        rewrote = true;
        continue;
      }
      added.push(flagName[key], shellWord(value));
    }
    const head = ['dmr', command, ...kept, ...added].join(' ');
    return tail.length ? `${head} ${tail.join(' ')}` : head;
  });
  return rewrote && !result.includes(passwordNote) ? `${result} ${passwordNote}` : result;
}
