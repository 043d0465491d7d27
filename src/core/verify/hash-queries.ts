import type { RowHashDialect } from '../../adapters/row-hash-dialect.js';
import type { TablePlan } from './column-plan.js';

/** Rows whose key hash falls in `residues` modulo `modulus`. */
export interface SegmentSet {
  readonly modulus: number;
  readonly residues: readonly number[];
}

/**
 * The SQL one side runs. Three levels: canonical fields (f*, key parts g*), then key hash and
 * row digest computed once from them, then the aggregate or the ordered download. Only names
 * from the catalog (quoted) and numbers dmr generated appear in the text; --where is the user's own SQL.
 */
export class HashQueries {
  private readonly fields: string;
  private readonly algorithm: TablePlan['algorithm'];

  constructor(
    private readonly dialect: RowHashDialect,
    plan: TablePlan,
    side: 'source' | 'target',
    private readonly table: string,
    private readonly where: string | undefined,
  ) {
    this.algorithm = plan.algorithm;
    const q = (n: string) => dialect.quoteIdentifier(n);
    const keys = plan.keys.map((k, i) => `${dialect.canonicalField(q(k[side].name), k[side], k.rule)} as g${i}`);
    const columns = plan.columns.map((c, i) => `${dialect.canonicalField(q(c[side].name), c[side], c.rule)} as f${i}`);
    this.fields = `select ${[...keys, ...columns].join(', ')} from ${table}${this.whereClause()}`;
    const g = plan.keys.map((_, i) => `g${i}`);
    const f = plan.columns.map((_, i) => `f${i}`);
    this.keyEncoding = dialect.encodeFields(g, 'portable');
    this.keyHash = dialect.keyHash(g, plan.algorithm);
    this.rowDigest = dialect.rowDigest(dialect.encodeFields(f, plan.algorithm), plan.algorithm);
    this.parts = dialect.digestParts('d', plan.algorithm);
    this.keyColumns = g;
    this.fieldColumns = f;
  }

  private readonly keyEncoding: string;
  private readonly keyHash: string;
  private readonly rowDigest: string;
  private readonly parts: readonly [string, string];
  private readonly keyColumns: string[];
  private readonly fieldColumns: string[];

  count(): string {
    return `select count(*) as n from ${this.table}${this.whereClause()}`;
  }

  /** Per segment (key hash modulo `modulus`): row count and two sums of 32-bit digest parts. */
  segments(modulus: number, within?: readonly SegmentSet[]): string {
    const seg = `(kh % ${modulus})`;
    const inner = `select ${this.keyHash} as kh, ${this.rowDigest} as d from (${this.fields}${this.fence()}) q1${this.fence()}`;
    return `select ${seg} as seg, count(*) as n, sum(${this.parts[0]}) as s1, sum(${this.parts[1]}) as s2 from (${inner}) q2${filter(within)} group by ${seg}`;
  }

  /** Key hash, encoded key, key parts and canonical fields of the rows in `within` (all rows when absent), ordered by key hash. */
  rows(within?: readonly SegmentSet[]): string {
    const inner = `select ${this.keyHash} as kh, ${this.keyEncoding} as ke, ${[...this.keyColumns, ...this.fieldColumns].join(', ')} from (${this.fields}${this.fence()}) q1${this.fence()}`;
    return `select * from (${inner}) q2${filter(within)} order by kh`;
  }

  private whereClause(): string {
    return this.where ? ` where (${this.where})` : '';
  }

  /** PostgreSQL would inline the canonical fields into every use; a portable digest uses each twice (length and text). */
  private fence(): string {
    return this.dialect.name === 'postgres' && this.algorithm === 'portable' ? ' offset 0' : '';
  }
}

function filter(within: readonly SegmentSet[] | undefined): string {
  if (!within?.length) return '';
  const terms = within.map((s) => `(kh % ${s.modulus}) in (${s.residues.map((r) => String(Math.trunc(r))).join(', ')})`);
  return ` where ${terms.join(' or ')}`;
}
