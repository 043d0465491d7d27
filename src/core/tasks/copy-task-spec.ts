import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connectionSpecProblem } from '../../config/connection-spec.js';
import { parseCast } from '../copy/cast-spec.js';
import type { CastSpec, CopyMode, TableMapping } from '../copy/copy-types.js';
import { DmrError } from '../errors.js';
import { assertName, parseTableMapping } from '../verify/verify-names.js';
import type { TaskRefusal } from './scan-task.js';

/** The file name ending of a copy task: `<stage>/NNN_name.copy.json` (or `NNN_name.<dialect>.copy.json`). */
export const copyTaskExtension = '.copy.json';

/** A copy task's options, checked: the `dmr copy` flags, named like them in camelCase. */
export interface CopyTaskSpec {
  /** URL, knexfile environment name, or `env:NAME`. */
  readonly source: string;
  /** Same forms; absent: the database `dmr migrate` runs on. */
  readonly target?: string;
  /** Empty: every table of the source schema. */
  readonly tables: readonly TableMapping[];
  readonly sourceSchema?: string;
  readonly targetSchema?: string;
  readonly where?: string;
  readonly mode: CopyMode;
  readonly chunkRows: number;
  readonly parallel: number;
  readonly casts: readonly CastSpec[];
  /** CSV file for refused rows (relative paths: to the task file's folder). */
  readonly rejects?: string;
  readonly retryRejects: boolean;
  readonly verify: boolean;
}

type Kind = 'string' | 'strings' | 'boolean' | 'count';

const keys: Readonly<Record<string, Kind>> = {
  source: 'string',
  target: 'string',
  tables: 'strings',
  sourceSchema: 'string',
  targetSchema: 'string',
  where: 'string',
  create: 'boolean',
  truncate: 'boolean',
  append: 'boolean',
  chunkRows: 'count',
  parallel: 'count',
  casts: 'strings',
  rejects: 'string',
  retryRejects: 'boolean',
  verify: 'boolean',
  description: 'string',
};

const kindText: Readonly<Record<Kind, string>> = {
  string: 'a non-empty string',
  strings: 'an array of non-empty strings',
  boolean: 'true or false',
  count: 'a positive integer',
};

/** Keys people write for a flag under another spelling. */
const aliases: Readonly<Record<string, string>> = { table: 'tables', cast: 'casts' };

/** Reads and checks a copy task's JSON; every problem is a refusal naming the key and its line. */
export function parseCopyTask(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
): { spec: CopyTaskSpec | null; refusals: TaskRefusal[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message);
    const line = at ? lineAt(text, Number(at[1])) : 1;
    return { spec: null, refusals: [{ line, message: `not valid JSON: ${(error as Error).message}` }] };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {
      spec: null,
      refusals: [
        {
          line: 1,
          message: 'a copy task is a JSON object of copy options, e.g. {"source": "env:LEGACY_URL", "tables": ["a"]}',
        },
      ],
    };
  }
  const o = value as Record<string, unknown>;
  const refusals: TaskRefusal[] = [];
  const refuse = (key: string, message: string) =>
    refusals.push({ line: keyLine(text, key), message: `key "${key}": ${message}` });
  for (const [key, v] of Object.entries(o)) {
    const kind = keys[key];
    if (!kind) {
      const guess =
        aliases[key] ?? Object.keys(keys).find((k) => k.toLowerCase() === key.replace(/[-_]/g, '').toLowerCase());
      refuse(
        key,
        `unknown key${guess ? ` (did you mean "${guess}"?)` : ''}; copy task keys are ${Object.keys(keys).join(', ')}`,
      );
    } else if (!hasKind(v, kind)) refuse(key, `must be ${kindText[kind]}, not ${JSON.stringify(v)}`);
  }
  if (!('source' in o))
    refusals.push({ line: 1, message: 'key "source" is missing: a URL, a knexfile environment name or env:NAME' });
  if (refusals.length) return { spec: null, refusals };

  const str = (key: string) => o[key] as string | undefined;
  const checked = <T>(key: string, make: () => T): T | undefined => {
    try {
      return make();
    } catch (error) {
      if (!(error instanceof DmrError)) throw error;
      refuse(key, error.message);
      return undefined;
    }
  };
  for (const key of ['source', 'target'] as const) {
    const problem = o[key] === undefined ? null : connectionSpecProblem(o[key] as string, env);
    if (problem) refuse(key, problem);
  }
  const tables = ((o.tables ?? []) as string[]).map((t) => checked('tables', () => parseTableMapping(t)));
  const casts = ((o.casts ?? []) as string[]).map((c) => checked('casts', () => parseCast(c)));
  for (const key of ['sourceSchema', 'targetSchema'] as const)
    if (str(key)) checked(key, () => assertName(str(key) as string, key));
  const modes = (['create', 'truncate', 'append'] as const).filter((m) => o[m] === true);
  if (modes.length > 1) refuse(modes[1] as string, `${modes.join(' and ')} cannot be combined: choose one`);
  if (refusals.length) return { spec: null, refusals };
  const spec: CopyTaskSpec = {
    source: o.source as string,
    ...(str('target') ? { target: str('target') } : {}),
    tables: tables as TableMapping[],
    ...(str('sourceSchema') ? { sourceSchema: str('sourceSchema') } : {}),
    ...(str('targetSchema') ? { targetSchema: str('targetSchema') } : {}),
    ...(str('where') ? { where: str('where') } : {}),
    mode: modes[0] ?? 'append',
    chunkRows: (o.chunkRows as number | undefined) ?? 100_000,
    parallel: (o.parallel as number | undefined) ?? 2,
    casts: casts as CastSpec[],
    ...(str('rejects') ? { rejects: str('rejects') } : {}),
    retryRejects: o.retryRejects === true,
    verify: o.verify === true,
  };
  return { spec, refusals };
}

function hasKind(v: unknown, kind: Kind): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string' && v.trim() !== '';
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x === 'string' && x.trim() !== '');
    case 'boolean':
      return typeof v === 'boolean';
    case 'count':
      return typeof v === 'number' && Number.isInteger(v) && v >= 1;
  }
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** The line a key is written on (its first `"key":`), 1 when it cannot be found. */
function keyLine(text: string, key: string): number {
  const at = text.indexOf(`${JSON.stringify(key)}`);
  return at < 0 ? 1 : lineAt(text, at);
}

/** A copy task file read once: its sha256 and its checked options (or the refusals). */
export function readCopyTask(file: string): {
  checksum: string;
  bytes: number;
  spec: CopyTaskSpec | null;
  refusals: TaskRefusal[];
} {
  const bytes = readFileSync(file);
  const checksum = createHash('sha256').update(bytes).digest('hex');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
  return { checksum, bytes: bytes.length, ...parseCopyTask(text) };
}

/** What `--plan` and `dmr check` say about a copy task: it commits chunk by chunk. */
export const copyTaskNonAtomic =
  'copies in chunks, each committed on its own: a failure leaves the chunks before it copied, ' +
  'and a rerun rolls forward';
