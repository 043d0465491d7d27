import type {
  CatalogColumn,
  CatalogTable,
  FieldRule,
  HashAlgorithm,
  ValueCategory,
} from '../../adapters/row-hash-dialect.js';
import { UsageError } from '../errors.js';
import type { CanonicalOptions, Comparison, VerifyOptions } from './verify-types.js';

/** One column compared on both sides with the rule both canonicalise it by. */
export interface PlannedColumn {
  readonly name: string;
  readonly source: CatalogColumn;
  readonly target: CatalogColumn;
  readonly rule: FieldRule;
}

/** What is compared for a table pair and how. */
export interface TablePlan {
  /** Key columns (also the first of `columns`); empty for a multiset comparison. */
  readonly keys: readonly PlannedColumn[];
  readonly columns: readonly PlannedColumn[];
  readonly algorithm: HashAlgorithm;
  readonly comparison: Comparison;
  /** The key is a primary or unique key declared on both sides: its repeats need no check. */
  readonly keyDeclaredUnique: boolean;
}

const defaultFloatDigits = 15;
const passthroughCategories: ReadonlySet<ValueCategory> = new Set(['integer', 'decimal', 'string', 'boolean']);

/** The category both sides are canonicalised as, or null when the pair cannot be compared. */
function commonCategory(a: ValueCategory, b: ValueCategory): FieldRule['category'] | null {
  if (a === 'unsupported' || b === 'unsupported') return null;
  if (a === b) return a;
  const pair = new Set([a, b]);
  const within = (...set: ValueCategory[]) => [...pair].every((c) => set.includes(c));
  if (within('integer', 'boolean')) return 'integer';
  if (within('integer', 'decimal', 'boolean')) return 'decimal';
  if (pair.has('float') && within('float', 'integer', 'decimal')) return 'float';
  if (within('date', 'timestamp')) return 'timestamp';
  return null;
}

/** Matches columns by name (exactly, else case-insensitively), picks rules, and refuses what cannot be compared. */
export function planTable(
  source: CatalogTable,
  target: CatalogTable,
  options: VerifyOptions,
  algorithm: HashAlgorithm,
): TablePlan {
  const where = `${source.name}${source.name === target.name ? '' : ` / ${target.name}`}`;
  const find = (table: CatalogTable, column: string, side: string): CatalogColumn => {
    const found =
      table.columns.find((c) => c.name === column) ??
      table.columns.find((c) => c.name.toLowerCase() === column.toLowerCase());
    if (!found)
      throw new UsageError(
        `column ${JSON.stringify(column)} not found in ${side} table ${table.name}`,
        `columns there: ${table.columns.map((c) => c.name).join(', ')}`,
      );
    return found;
  };
  const keyNames = options.key?.length ? options.key : chooseKey(source, target);

  const excluded = new Set(
    (options.excludeColumns ?? [])
      .flatMap((e) =>
        e.includes('.') ? (e.startsWith(`${source.name}.`) ? [e.slice(source.name.length + 1)] : []) : [e],
      )
      .map((e) => e.toLowerCase()),
  );
  const wanted = options.columns?.length
    ? options.columns.map((c) => find(source, c, 'source').name)
    : source.columns.map((c) => c.name);
  const plan = (name: string): PlannedColumn => {
    const s = find(source, name, 'source');
    const t = find(target, name, 'target');
    return { name: s.name, source: s, target: t, rule: ruleFor(s, t, options, source.name, algorithm, where) };
  };
  const keys = keyNames.map((k) => plan(find(source, k, 'source').name));
  const keySet = new Set(keys.map((k) => k.name));
  const columns = wanted.filter((c) => !keySet.has(c) && !excluded.has(c.toLowerCase())).map(plan);
  if (keys.length + columns.length === 0) {
    throw new UsageError(`table ${where}: no column left to compare`, 'check --columns and --exclude-columns');
  }
  const declared = (table: CatalogTable, side: 'source' | 'target') => {
    const names = keys.map((k) => k[side].name.toLowerCase()).sort();
    return [table.primaryKey, ...(table.uniqueKeys ?? [])].some(
      (u) =>
        u.length === names.length &&
        [...u]
          .map((n) => n.toLowerCase())
          .sort()
          .every((n, i) => n === names[i]),
    );
  };
  return {
    keys,
    columns: [...keys, ...columns],
    algorithm,
    comparison: keys.length ? 'key' : 'multiset',
    keyDeclaredUnique: keys.length > 0 && declared(source, 'source') && declared(target, 'target'),
  };
}

/**
 * What identifies a row: the source's primary key, else its first unique NOT NULL key, else the
 * target's (when the source has those columns); none: the table is compared as a multiset.
 */
function chooseKey(source: CatalogTable, target: CatalogTable): readonly string[] {
  const names = new Set(source.columns.map((c) => c.name.toLowerCase()));
  const has = (key: readonly string[]) => key.every((n) => names.has(n.toLowerCase()));
  const candidates = [source.primaryKey, ...(source.uniqueKeys ?? []), target.primaryKey, ...(target.uniqueKeys ?? [])];
  return candidates.find((k) => k.length > 0 && has(k)) ?? [];
}

function reasonOf(s: CatalogColumn, t: CatalogColumn): string {
  const reason = s.unsupportedReason ?? t.unsupportedReason;
  return reason ? `: ${reason}` : '';
}

function ruleFor(
  s: CatalogColumn,
  t: CatalogColumn,
  options: VerifyOptions,
  table: string,
  algorithm: HashAlgorithm,
  where: string,
): FieldRule {
  const category = commonCategory(s.category, t.category);
  if (!category) {
    throw new UsageError(
      `column ${where}.${s.name} cannot be compared: source type ${s.dataType} (${s.category}), ` +
        `target type ${t.dataType} (${t.category})${reasonOf(s, t)}`,
      `leave it out with --exclude-columns ${table}.${s.name}; dmr never coerces such values silently`,
    );
  }
  const override = [...(options.overrides ?? [])]
    .reverse()
    .find((o) => o.column.toLowerCase() === s.name.toLowerCase() && (o.table === undefined || o.table === table));
  const pick = <K extends keyof CanonicalOptions>(k: K): CanonicalOptions[K] => override?.[k] ?? options[k];
  const rule = {
    category,
    floatDigits: Math.min(15, Math.max(1, pick('floatDigits') ?? defaultFloatDigits)),
    timestampPrecision: Math.min(
      6,
      Math.max(0, pick('timestampPrecision') ?? Math.min(s.timestampPrecision ?? 6, t.timestampPrecision ?? 6)),
    ),
    trimTrailingSpaces: category === 'string' && (pick('trimTrailingSpaces') ?? false),
    ignoreCase: category === 'string' && (pick('ignoreCase') ?? false),
  };
  const declared = (c: CatalogColumn) => c.nativeType ?? c.dataType;
  const sameType =
    algorithm === 'native' && declared(s) === declared(t) && !rule.trimTrailingSpaces && !rule.ignoreCase;
  // Same engine, same declared type: the engine's own text is canonical. A float is then compared
  // exactly (a copy between identical types keeps every bit) unless digits were asked for; a
  // timestamp only when no precision is dropped.
  const passthrough =
    sameType &&
    (passthroughCategories.has(category) ||
      (category === 'float' && pick('floatDigits') === undefined) ||
      (category === 'timestamp' &&
        s.timestampPrecision === t.timestampPrecision &&
        rule.timestampPrecision >= (s.timestampPrecision ?? 6) &&
        s.instant === t.instant));
  return { ...rule, passthrough };
}
