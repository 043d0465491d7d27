import { TableName } from '../status/status-tables.js';
import { UsageError } from '../errors.js';
import type { SideContext, TablePair } from './verify-table.js';
import type { TableMapping, VerifyOptions } from './verify-types.js';

/** A table that could not even be described, with why. */
interface SkippedTable {
  readonly table: string;
  readonly targetTable: string;
  readonly reason: string;
}

/** What a verify compares: described pairs, tables on one side only, and tables it cannot read. */
export interface TableSelection {
  readonly pairs: readonly TablePair[];
  readonly onlyInSource: readonly string[];
  readonly onlyInTarget: readonly string[];
  readonly skipped: readonly SkippedTable[];
}

const dmrTables = new Set(Object.values(TableName).map((n) => n.toLowerCase()));

/**
 * dmr's status tables and Generate's (DataMigrations, DataMigrationHistories, DataMigrationRuns,
 * DataMigrationVerifications, ...: every name starting with DataMigration): the state of a
 * migration, never data to compare, whatever schema they share with the data.
 */
function isStatusTable(name: string): boolean {
  return dmrTables.has(name.toLowerCase()) || /^datamigration/i.test(name);
}

const globText = /^[\p{L}\p{N}_$*?[\]!-]{1,128}$/u;

/** `--exclude-table` glob: letters, digits, `_ $` and `* ? [...]` (`[!...]` negates); anything else is refused. */
export function tableGlob(pattern: string): RegExp {
  if (!globText.test(pattern))
    throw new UsageError(
      `--exclude-table ${JSON.stringify(pattern)} is not a table name pattern`,
      'use letters, digits, _ and $, with * (any run), ? (one character) and [abc] classes',
    );
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0)
        throw new UsageError(
          `--exclude-table ${JSON.stringify(pattern)}: unclosed [`,
          'close the character class with ]',
        );
      const body = pattern.slice(i + 1, end);
      source += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
      i = end;
    } else source += c === '$' || c === ']' ? `\\${c}` : c;
  }
  return new RegExp(`^${source}$`, 'iu');
}

/**
 * The tables to compare: the --table list, or every table of both schemas (matched by name,
 * case-insensitively), less dmr's status tables and --exclude-table matches. Nothing left to
 * compare is a usage error: verify never passes on nothing.
 */
export async function selectTables(
  options: VerifyOptions,
  src: SideContext,
  tgt: SideContext,
): Promise<TableSelection> {
  const globs = (options.excludeTables ?? []).map(tableGlob);
  const excluded = (name: string) => globs.some((g) => g.test(name));
  const leftOut = { status: new Set<string>(), excluded: new Set<string>() };
  const keep = (source: string, target = source) => {
    if (isStatusTable(source) || isStatusTable(target)) leftOut.status.add(source.toLowerCase());
    else if (excluded(source) || excluded(target)) leftOut.excluded.add(source.toLowerCase());
    else return true;
    return false;
  };
  if (options.tables?.length) {
    const status = options.tables.find((t) => isStatusTable(t.source) || isStatusTable(t.target));
    if (status)
      throw new UsageError(
        `--table ${status.source}: dmr's status tables are not data and are never compared`,
        'name the tables that hold data',
      );
    const mappings = options.tables.filter((t) => keep(t.source, t.target));
    if (!mappings.length) throw nothingToCompare(src, tgt, leftOut);
    return { pairs: await describePairs(mappings, src, tgt), onlyInSource: [], onlyInTarget: [], skipped: [] };
  }
  const [s, t] = await Promise.all([
    src.dialect.listTables(src.side.knex, src.schema),
    tgt.dialect.listTables(tgt.side.knex, tgt.schema),
  ]);
  const [sKept, tKept] = [s.filter((x) => keep(x.name)), t.filter((x) => keep(x.name))];
  const tByLower = new Map(tKept.map((x) => [x.name.toLowerCase(), x]));
  const matched = sKept.flatMap((x) => {
    const other = tByLower.get(x.name.toLowerCase());
    return other ? [{ source: x, target: other }] : [];
  });
  const matchedTargets = new Set(matched.map((m) => m.target.name));
  const unreadable = matched.filter((m) => !m.source.readable || !m.target.readable);
  const skipped = unreadable.map((m) => ({
    table: m.source.name,
    targetTable: m.target.name,
    reason: `no SELECT privilege on the ${!m.source.readable ? 'source' : 'target'} table`,
  }));
  const readable = matched
    .filter((m) => m.source.readable && m.target.readable)
    .map((m) => ({ source: m.source.name, target: m.target.name }));
  const onlyInSource = sKept.filter((x) => !tByLower.has(x.name.toLowerCase())).map((x) => x.name);
  const onlyInTarget = tKept.filter((x) => !matchedTargets.has(x.name)).map((x) => x.name);
  if (!matched.length && !onlyInSource.length && !onlyInTarget.length) throw nothingToCompare(src, tgt, leftOut);
  const pairs = await describePairs(readable, src, tgt, skipped);
  return { pairs, onlyInSource, onlyInTarget, skipped };
}

async function describePairs(
  mappings: readonly TableMapping[],
  src: SideContext,
  tgt: SideContext,
  skipped?: SkippedTable[],
): Promise<TablePair[]> {
  const pairs: TablePair[] = [];
  for (const m of mappings) {
    const [source, target] = await Promise.all([
      src.dialect.describeTable(src.side.knex, src.schema, m.source),
      tgt.dialect.describeTable(tgt.side.knex, tgt.schema, m.target),
    ]);
    if (source && target) pairs.push({ source, target });
    else if (skipped)
      skipped.push({
        table: m.source,
        targetTable: m.target,
        reason: `the ${source ? 'target' : 'source'} table disappeared while verify read the catalogs`,
      });
    else if (!source)
      throw new UsageError(
        `table ${JSON.stringify(m.source)} not found in the source${src.schema ? ` schema ${src.schema}` : ''}`,
        'check --table and --source-schema',
      );
    else
      throw new UsageError(
        `table ${JSON.stringify(m.target)} not found in the target${tgt.schema ? ` schema ${tgt.schema}` : ''}`,
        'check --table (SOURCE=TARGET) and --target-schema',
      );
  }
  return pairs;
}

function nothingToCompare(
  src: SideContext,
  tgt: SideContext,
  leftOut: { status: ReadonlySet<string>; excluded: ReadonlySet<string> },
): UsageError {
  const where = (c: SideContext, label: string) =>
    `${label} ${c.schema ? `schema ${c.schema}` : '(no schema selected)'}`;
  const notes = [
    leftOut.status.size ? `${leftOut.status.size} of dmr's status tables left out` : '',
    leftOut.excluded.size ? `${leftOut.excluded.size} left out by --exclude-table` : '',
  ].filter(Boolean);
  return new UsageError(
    `nothing to compare: no table in the ${where(src, 'source')} or the ${where(tgt, 'target')}` +
      (notes.length ? ` (${notes.join(', ')})` : ''),
    'check --source-schema, --target-schema, --table and --exclude-table; ' +
      'a role sees only the tables it has a privilege on',
  );
}
