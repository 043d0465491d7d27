import type { CatalogTable, EncodedField, RowHashDialect } from '../../adapters/row-hash-dialect.js';
import type { PlannedColumn, TablePlan } from './column-plan.js';

/** Rows whose key hash falls in `residues` modulo `modulus`. */
export interface SegmentSet {
  readonly modulus: number;
  readonly residues: readonly number[];
}

/**
 * Rows stored from position `from` (null: the first) up to before `to` (null: the end), whose own key range (segment
 * `segment` of the first scan) is [keyFrom, keyTo].
 */
export interface StorageChunk {
  readonly segment: number;
  readonly from: string | null;
  readonly to: string | null;
  readonly keyFrom: bigint;
  readonly keyTo: bigint;
}

/** Rows whose integer key lies in [from, to]. */
export interface KeyRange {
  readonly from: bigint;
  readonly to: bigint;
}

/**
 * The SQL one side runs. Three levels: canonical fields (f*, key parts g*; or the engine's
 * hash or text of the whole row, r), then key hash or key range and row digest computed once
 * from them, then the aggregate or the ordered download. Only names from the catalog (quoted)
 * and numbers dmr generated appear in the text; --where is the user's own SQL.
 */
export class HashQueries {
  private readonly algorithm: TablePlan['algorithm'];
  private readonly multiset: boolean;
  private readonly canonicalParts: readonly { readonly column: string; readonly sql: string }[];
  private readonly canonical: string;
  private readonly rawKey: string;
  private readonly keyText: (sql: string) => string;
  private readonly record: string | null;
  private readonly keyEncoding: string;
  private readonly keyHash: string;
  private readonly rowDigest: string;
  private readonly parts: readonly [string, string];
  private readonly keyColumns: string[];
  private readonly fieldColumns: string[];
  private readonly keyNotNull: boolean;

  /**
   * `wholeRow`: a native pair compares every column in table order (see wholeRowForm), so the row is hashed as a
   * whole.
   */
  constructor(
    private readonly dialect: RowHashDialect,
    plan: TablePlan,
    side: 'source' | 'target',
    private readonly table: string,
    private readonly where: string | undefined,
    wholeRow?: { readonly table: string; readonly form: WholeRowForm },
    private readonly primaryKeyed = false,
  ) {
    this.algorithm = plan.algorithm;
    this.multiset = plan.comparison === 'multiset';
    const q = (n: string) => dialect.quoteIdentifier(n);
    const part = (c: PlannedColumn, alias: string) => ({
      column: c.name,
      sql: `${dialect.canonicalField(q(c[side].name), c[side], c.rule)} as ${alias}`,
    });
    this.canonicalParts = [
      ...plan.keys.map((k, i) => part(k, `g${i}`)),
      ...plan.columns.map((c, i) => part(c, `f${i}`)),
    ];
    this.canonical = this.canonicalParts.map((p) => p.sql).join(', ');
    const key = plan.keys[0];
    this.rawKey = key ? q(key[side].name) : '';
    this.keyText = (sql) => (key ? dialect.canonicalField(sql, key[side], key.rule) : sql);
    this.record = wholeRowSql(dialect, plan, side, wholeRow);
    const g = plan.keys.map((_, i) => `g${i}`);
    const f = plan.columns.map((_, i) => `f${i}`);
    // Both sides must encode a field alike: bare only when each side's canonical value is its column (a native pair
    // is one engine, so this side's dialect speaks for both).
    const bareOn = (c: PlannedColumn, s: 'source' | 'target') =>
      dialect.canonicalField(q(c[s].name), c[s], c.rule) === q(c[s].name);
    const bare = (c: PlannedColumn) => plan.algorithm === 'native' && bareOn(c, 'source') && bareOn(c, 'target');
    const encodedKeys = plan.keys.map((k, i) => encodedField(`g${i}`, k, bare(k)));
    this.keyEncoding = g.length ? dialect.encodeFields(encodedKeys, 'portable') : '';
    this.keyHash = g.length ? dialect.keyHash(encodedKeys, plan.algorithm) : '';
    const fields = plan.columns.map((c, i) => encodedField(`f${i}`, c, bare(c)));
    const encoded = this.record ? 'r' : dialect.encodeFields(fields, plan.algorithm);
    this.rowDigest = this.record && wholeRow?.form === 'hash' ? 'r' : dialect.rowDigest(encoded, plan.algorithm);
    this.parts = dialect.digestParts('d', plan.algorithm);
    this.keyColumns = g;
    this.fieldColumns = f;
    this.keyNotNull = plan.keys.length === 1 && Boolean(key?.[side].notNull);
  }

  count(): string {
    return `select count(*) as n from ${this.table}${this.whereClause()}`;
  }

  /**
   * Per segment (key hash, or row digest hash for a multiset, modulo `modulus`): row count and two sums of
   * digest parts.
   */
  segments(modulus: number, within?: readonly SegmentSet[]): string {
    const seg = `(kh % ${modulus})`;
    const fence = this.aggregateFence();
    const inner = this.multiset
      ? `select ${this.digestHash()} as kh, d from (${this.digests()}) q2${this.digestFence()}`
      : `select ${this.keyHash} as kh, ${this.rowDigest} as d from (${this.fields()}${fence}) q1${fence}`;
    return `select ${seg} as seg, ${this.sums()} from (${inner}) q2${filter(within)} group by ${seg}`;
  }

  /** One aggregate of the whole table (segment 0): row count and digest sums, what an equal table costs. */
  totals(): string {
    return `select 0 as seg, ${this.sums()} from (${this.digests()}) q2`;
  }

  /**
   * totals() with the distinct key hashes (nk) as well, in the same scan: fewer than the rows when a key repeats
   * (or, rarely, two keys' hashes collide; repeatedKeys() then finds none).
   */
  keyTotals(): string {
    const fence = this.aggregateFence();
    const inner = `select ${this.keyHash} as kh, ${this.rowDigest} as d from (${this.fields()}${fence}) q1${fence}`;
    return `select 0 as seg, ${this.sums()}, count(distinct kh) as nk from (${inner}) q2`;
  }

  /**
   * Key values held by more than one row (canonical key parts g*), the first `limit` in key text order, each row
   * with how many values repeat in all (repeated).
   */
  repeatedKeys(limit: number): string {
    const g = this.keyColumns.join(', ');
    const parts = this.canonicalParts.slice(0, this.keyColumns.length).map((p) => p.sql);
    const keys = `select ${parts.join(', ')} from ${this.table}${this.whereClause()}`;
    const grouped =
      `select ${g}, count(*) over () as repeated, row_number() over (order by ${g}) as rn ` +
      `from (${keys}) q1 group by ${g} having count(*) > 1`;
    return `select ${g}, repeated from (${grouped}) q2 where rn <= ${Math.max(1, Math.trunc(limit))} order by rn`;
  }

  /**
   * Keyed: key hash, encoded key, key parts and canonical fields of the rows in `within` (all rows
   * when absent), ordered by key hash. Multiset: one row per distinct digest with its count (n),
   * counted in the database, ordered by the digest's hash.
   */
  rows(within?: readonly SegmentSet[]): string {
    if (this.multiset) {
      const f = this.fieldColumns.map((x) => `, ${x}`).join('');
      // A digest of the engine's own row needs no canonical field: only the rows of the segments asked for get them.
      const alg = this.algorithm;
      const raw = this.record && (this.rowDigest === 'r' ? this.record : this.dialect.rowDigest(this.record, alg));
      const only = raw && within?.length ? segmentCondition(this.dialect.digestKeyHash(raw, alg), within) : undefined;
      const rows = `${this.fields(false, undefined, only)}${this.fence()}`;
      const digested = `select ${this.rowDigest} as d${f} from (${rows}) q1${this.fence()}`;
      const hashed = `select ${this.digestHash()} as kh, d${f} from (${digested}) q2${this.digestFence()}`;
      const fields = this.fieldColumns.map((x) => `min(${x}) as ${x}`).join(', ');
      const grouped = `select kh, d as ke, ${fields}, count(*) as n from (${hashed}) q3`;
      return `${grouped}${filter(within)} group by kh, d order by kh`;
    }
    const inner =
      `select ${this.keyHash} as kh, ${this.keyEncoding} as ke, ` +
      `${[...this.keyColumns, ...this.fieldColumns].join(', ')} from (${this.fields()}` +
      `${this.fence()}) q1${this.fence()}`;
    return `select * from (${inner}) q2${filter(within)} order by kh`;
  }

  /** The dialect can segment an integer key by key ranges. */
  canRangeSegment(): boolean {
    return Boolean(this.dialect.rangeSegment);
  }

  /** Smallest and largest value of the single integer key, as text (an index lookup each). */
  bounds(): string {
    return (
      `select ${this.keyText(`min(${this.rawKey})`)} as lo, ${this.keyText(`max(${this.rawKey})`)}` +
      ` as hi from ${this.table}${this.whereClause()}`
    );
  }

  /**
   * Per key range of `width` keys from `lo` (segment = (key - lo) div width; -1 for a NULL key), only inside
   * `within` when given: row count and digest sums.
   */
  rangeSegments(lo: bigint, width: bigint, within?: readonly KeyRange[]): string {
    const segment = this.dialect.rangeSegment?.('k', lo, width);
    if (!segment) throw new Error(`${this.dialect.name} has no key range segments`);
    const fence = this.aggregateFence();
    const rows = `${this.fields(true, within)}${fence}`;
    const inner = `select coalesce(${segment}, -1) as seg, ${this.rowDigest} as d from (${rows}) q1${fence}`;
    return `select seg, ${this.sums()} from (${inner}) q2 group by seg`;
  }

  /**
   * Per key range segment of `width` keys from `lo` among `segments`, each summed by its own index range read of the
   * primary key in one branch of a union (RowHashDialect.clusteredByPrimaryKey): row count and digest sums. null
   * where the dialect does not read ranges so or the single key is not this side's primary key.
   */
  rangeSums(lo: bigint, width: bigint, segments: readonly number[]): string | null {
    if (!this.dialect.clusteredByPrimaryKey || !this.primaryKeyed || !this.keyNotNull) return null;
    // A user variable in --where keeps MariaDB from merging the shared rows: each branch would read the whole table.
    if (this.where?.includes('@')) return null;
    const range = (seg: number) => `k between ${lo + BigInt(seg) * width} and ${lo + BigInt(seg + 1) * width - 1n}`;
    return this.sumsPerBranch(segments.map((seg) => ({ seg, condition: range(seg) })));
  }

  /**
   * SQL: where the rows of each of `keys` are stored (StoragePositions.sample), or null where the dialect cannot
   * read storage ranges, the single key may be NULL (no range holds it) or the aggregate is fenced (it would run
   * in one process).
   */
  storageSamples(keys: readonly bigint[], sample: number): string | null {
    const positions = this.dialect.storagePositions;
    if (!positions || !this.keyNotNull || !keys.length || this.aggregateFence()) return null;
    return positions.sample(this.table, this.rawKey, keys, sample);
  }

  /** Orders two storage positions the samples returned. */
  comparePositions(a: string, b: string): number {
    if (!this.dialect.storagePositions) throw new Error(`${this.dialect.name} has no storage positions`);
    return this.dialect.storagePositions.compare(a, b);
  }

  /**
   * Per storage chunk, all of its rows whatever their keys (one range read each, the chunks under one union that
   * PostgreSQL runs as a parallel append): row count and digest sums.
   */
  chunkSums(chunks: readonly StorageChunk[]): string {
    return chunks
      .map((c) => `select ${c.segment} as seg, ${this.sums()} from (${this.chunkRows(c)}) q2`)
      .join(' union all ');
  }

  /**
   * Per chunk (as chunk) and key range segment of `width` keys from `lo` (seg): the sums of the chunk's rows whose
   * key lies outside the chunk's own key range, stored away from their neighbours in key order.
   */
  chunkStrays(chunks: readonly StorageChunk[], lo: bigint, width: bigint): string {
    const segment = this.dialect.rangeSegment?.('k', lo, width);
    if (!segment) throw new Error(`${this.dialect.name} has no key range segments`);
    return chunks
      .map(
        (c) =>
          `select ${c.segment} as chunk, seg, ${this.sums()} from (select ${segment} as seg, d from ` +
          `(${this.chunkRows(c, true)}) q2) q3 group by seg`,
      )
      .join(' union all ');
  }

  /**
   * The key (as kh), encoded key, key parts and canonical fields of the rows in the key ranges, ordered by key:
   * index range scans.
   */
  rangeRows(within: readonly KeyRange[]): string {
    return (
      `select g0 as kh, ${this.keyEncoding} as ke, ` +
      `${[...this.keyColumns, ...this.fieldColumns].join(', ')} from (${this.fields(true, within)}` +
      `${this.fence()}) q1 order by k`
    );
  }

  /**
   * One column's canonical value over every row (count forces each to be computed), or with no
   * column the --where alone: finds what a database refuses when its error does not say.
   */
  probe(column?: string): string | null {
    if (column === undefined) return `select count(*) as n from ${this.table}${this.whereClause()}`;
    const part = this.canonicalParts.find((p) => p.column === column);
    if (!part) return null;
    return `select count(${part.sql.replace(/ as [fg]\d+$/, '')}) as n from ${this.table}${this.whereClause()}`;
  }

  /** The compared column (or --where) whose SQL holds the 1-based character `position` of `sql`, when it is one. */
  columnAt(sql: string, position: number): string | undefined {
    const at = position - 1;
    const start = sql.indexOf(this.canonical);
    if (start >= 0 && at >= start && at < start + this.canonical.length) {
      let offset = start;
      for (const p of this.canonicalParts) {
        if (at < offset + p.sql.length + 2) return p.column;
        offset += p.sql.length + 2;
      }
    }
    const where = this.where ? sql.indexOf(`(${this.where})`) : -1;
    if (this.where && where >= 0 && at >= where && at <= where + this.where.length + 1) return '--where';
    return undefined;
  }

  /** Column names in the order the canonical fields are listed (keys first). */
  columns(): string[] {
    return this.canonicalParts.map((p) => p.column);
  }

  /**
   * Row count and digest sums of each branch's rows (segment `seg`, rows meeting `condition`), under one union that
   * defines the canonical fields once (RowHashDialect.sharedRows). The digest goes straight into the sums (MariaDB
   * computes a derived table with a user variable into a temporary table). null where the dialect cannot share rows,
   * the aggregate is fenced, or the sums would compute the digest twice (they use it more than once).
   */
  private sumsPerBranch(branches: readonly { seg: number; condition: string }[]): string | null {
    if (!this.dialect.sharedRows || !branches.length || this.aggregateFence()) return null;
    const parts = this.dialect.digestParts(this.rowDigest, this.algorithm);
    if (this.rowDigest !== 'r' && parts.join(' ').split(this.rowDigest).length > 2) return null;
    const rows = this.dialect.sharedRows(sharedRows, this.fields(true));
    const branch = ({ seg, condition }: { seg: number; condition: string }) =>
      `select ${seg} as seg, ${this.sums(parts)} from ${sharedRows} where ${condition}`;
    return `with ${rows} ${branches.map(branch).join(' union all ')}`;
  }

  /** The raw key (k) and row digest (d) of a chunk's rows; only those outside its key range when `strays`. */
  private chunkRows(chunk: StorageChunk, strays = false): string {
    const range = this.dialect.storagePositions?.range(chunk.from, chunk.to);
    if (!range) throw new Error(`${this.dialect.name} has no storage positions`);
    const outside = strays ? ` and not (${this.rawKey} between ${chunk.keyFrom} and ${chunk.keyTo})` : '';
    return `select k, ${this.rowDigest} as d from (${this.fields(true, undefined, `${range}${outside}`)}) q1`;
  }

  /** The integer a multiset segments by, from the row digest d. */
  private digestHash(): string {
    return this.dialect.digestKeyHash('d', this.algorithm);
  }

  /** The row digest of every row (d), from the canonical fields. */
  private digests(): string {
    const fence = this.aggregateFence();
    return `select ${this.rowDigest} as d from (${this.fields()}${fence}) q1${fence}`;
  }

  /**
   * Canonical fields (the engine's row text as r, the raw key as k when `keyed`) of the rows, inside the key
   * ranges when given.
   */
  private fields(keyed = false, within?: readonly KeyRange[], only?: string): string {
    const extra = `${this.record ? `, ${this.record} as r` : ''}${keyed ? `, ${this.rawKey} as k` : ''}`;
    const ranges = within?.length
      ? within.map((r) => `${this.rawKey} between ${r.from} and ${r.to}`).join(' or ')
      : within
        ? '1 = 0'
        : '';
    const conditions = [this.where, ranges, only].filter(Boolean).map((c) => `(${c})`);
    return (
      `select ${this.canonical}${extra} from ${this.table}` +
      `${conditions.length ? ` where ${conditions.join(' and ')}` : ''}`
    );
  }

  private sums(parts = this.parts): string {
    const sum = (part: string, name: string) => (part === '0' ? `0 as ${name}` : `sum(${part}) as ${name}`);
    return `count(*) as n, ${sum(parts[0], 's1')}, ${sum(parts[1], 's2')}`;
  }

  private whereClause(): string {
    return this.where ? ` where (${this.where})` : '';
  }

  /**
   * The fences of an aggregate's derived tables: none when the digest is summed as one part (each canonical
   * field is then used once, a string's twice, and the digest once), so that PostgreSQL aggregates in its
   * parallel workers; a fence would leave every digest to the leader.
   */
  private aggregateFence(): string {
    return this.parts.includes('0') ? '' : this.fence();
  }

  private fence(): string {
    return this.dialect.derivedTableFence?.(this.algorithm) ?? '';
  }

  /**
   * A multiset uses each row digest twice (its hash and the sums): fenced as a portable digest's fields are, so
   * it is computed once.
   */
  private digestFence(): string {
    return this.dialect.derivedTableFence?.('portable') ?? '';
  }
}

/** The common table expression of canonical fields that each branch of a union reads its range of. */
const sharedRows = 'q0';

/** hash: the engine hashes the row value by value (types' own hash functions); text: it hashes the row's text. */
export type WholeRowForm = 'hash' | 'text';

/**
 * How both sides may hash whole rows, or null: only when each side compares every column of its
 * table, in table order, no column is named like the table (it would shadow the row), and both
 * dialects can. 'hash' when every column is hashable and compared exactly; 'text' when every
 * column is compared by the engine's own text (passthrough).
 */
export function wholeRowForm(
  plan: TablePlan,
  source: CatalogTable,
  target: CatalogTable,
  dialects: readonly RowHashDialect[],
): WholeRowForm | null {
  const covers = (side: 'source' | 'target', catalog: CatalogTable) => {
    const names = plan.columns.map((c) => c[side].name);
    return (
      names.length === catalog.columns.length &&
      names.every((n, i) => catalog.columns[i]?.name === n) &&
      !catalog.columns.some((c) => c.name === catalog.name)
    );
  };
  if (plan.algorithm !== 'native' || !covers('source', source) || !covers('target', target)) return null;
  // A value hash is equal exactly when the values are: what the canonical text of a date or binary
  // value also says, and the engine's text of a passthrough column.
  const byValue = (c: PlannedColumn) =>
    c.source.hashable &&
    c.target.hashable &&
    c.source.dataType === c.target.dataType &&
    (c.rule.passthrough ||
      ((c.rule.category === 'date' || c.rule.category === 'binary') && !c.rule.trimTrailingSpaces));
  if (dialects.every((d) => d.recordDigest) && plan.columns.every(byValue)) return 'hash';
  return dialects.every((d) => d.recordText) && plan.columns.every((c) => c.rule.passthrough) ? 'text' : null;
}

/** The whole row's digest (hash form) or text (text form), or null. */
function wholeRowSql(
  dialect: RowHashDialect,
  plan: TablePlan,
  side: 'source' | 'target',
  wholeRow: { readonly table: string; readonly form: WholeRowForm } | undefined,
): string | null {
  if (wholeRow?.form === 'text') return dialect.recordText?.(dialect.quoteIdentifier(wholeRow.table)) ?? null;
  if (wholeRow?.form !== 'hash' || !dialect.recordDigest) return null;
  return dialect.recordDigest(
    plan.columns.map((c) => ({
      sql: dialect.quoteIdentifier(c[side].name),
      dataType: c[side].dataType,
      notNull: Boolean(c.source.notNull && c.target.notNull),
    })),
  );
}

/** A field as the encoding sees it: the pair's rule category, NOT NULL only when both sides declare it. */
function encodedField(sql: string, column: PlannedColumn, bare: boolean): EncodedField {
  const notNull = Boolean(column.source.notNull && column.target.notNull);
  return { sql, category: column.rule.category, notNull, ...(bare ? { bare } : {}) };
}

function filter(within: readonly SegmentSet[] | undefined): string {
  if (!within?.length) return '';
  return ` where ${segmentCondition('kh', within)}`;
}

/** `hash` falls in one of the segments: `(hash % modulus) in (residues)`, or'ed. */
function segmentCondition(hash: string, within: readonly SegmentSet[]): string {
  const residues = (s: SegmentSet) => s.residues.map((r) => String(Math.trunc(r))).join(', ');
  return within.map((s) => `(${hash} % ${s.modulus}) in (${residues(s)})`).join(' or ');
}
