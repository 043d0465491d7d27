import type { DigestColumn } from '../row-hash-dialect.js';

/**
 * A PostgreSQL row's 64-bit digest from its columns' own extended hash functions (those behind hash indexes), without
 * rendering the row as text: a chain, each column's hash seeded with the digest of the columns before it, and a last
 * hash of the whole chain.
 *
 * Why not hash_record_extended, which hashes a record the same way: it combines its columns' hashes linearly
 * (h * 31 + next), so a sum of row digests is a sum of per-column sums, blind to a value moved to another row of the
 * same segment. And some types' hash functions fold values together, which a chain of them would inherit:
 * - bigint and timestamps hash their 64 bits folded to 32 (low half XOR high half): 24 and 24 << 32 hash alike. A
 *   bigint goes into the seed whole instead; a timestamp adds its epoch as a double (hashed with all its 64 bits),
 *   which separates what the fold joins: values of equal fold are at least 2^31 microseconds apart, values of equal
 *   epoch double less than 4,096.
 * - numeric ignores the sign, and NaN, Infinity and -Infinity all hash to the seed: a code for negative and NaN goes
 *   into the seed.
 * - NULL: each column's hash takes a stand-in value (0, '', ...), and a mask of which columns are NULL goes first.
 * Two different rows then get equal digests with a chance of about 2^-64, a hash of 64 random bits.
 * Equal values hash alike where the type says they are equal: numeric 1.0 and 1.00, double 0 and -0.
 */
export function postgresRowDigest(columns: readonly DigestColumn[]): string {
  let digest = nullMasks(columns).reduce((seed, mask) => `hashint4extended(${mask}, ${seed})`, '0::int8');
  for (const c of columns) {
    const value = c.notNull ? c.sql : `coalesce(${c.sql}, ${standIn(c.dataType)})`;
    digest = columnHash(c.dataType, value, digest);
  }
  return `hashint4extended(${columns.length}, ${digest})`;
}

/** The hash of one value seeded with the digest so far. */
function columnHash(dataType: string, v: string, seed: string): string {
  switch (baseType(dataType)) {
    case 'smallint':
    case 'integer':
      return `hashint4extended(${v}, ${seed})`;
    case 'bigint':
      return `hashint4extended(0, ${seed} # ${v})`;
    case 'boolean':
      return `hashint4extended((${v})::int4, ${seed})`;
    case 'numeric':
      return `hash_numeric_extended(${v}, ${seed} # ((${v} < 0)::int4 | ((${v} = 'NaN'::numeric)::int4 << 1)))`;
    case 'real':
      return `hashfloat4extended(${v}, ${seed})`;
    case 'double precision':
      return `hashfloat8extended(${v}, ${seed})`;
    case 'date':
      // The date's own integer (days from 2000-01-01, the infinities at the ends of int4), as date_ops hashes it.
      return (
        `hashint4extended(case when isfinite(${v}) then ${v} - '2000-01-01'::date when ${v} > '2000-01-01'::date ` +
        `then 2147483647 else -2147483648 end, ${seed})`
      );
    case 'timestamp without time zone':
      return `hashfloat8extended(date_part('epoch', ${v}), timestamp_hash_extended(${v}, ${seed}))`;
    case 'timestamp with time zone':
      return `hashfloat8extended(date_part('epoch', ${v}), hash_record_extended(row(${v}), ${seed}))`;
    case 'bytea':
      return `hash_record_extended(row(${v}), ${seed})`;
    case 'uuid':
      return `uuid_hash_extended(${v}, ${seed})`;
    case 'character varying':
    case 'text':
      return `hashtextextended(${v}, ${seed})`;
    default:
      throw new Error(`no row digest for type ${dataType}`);
  }
}

/** A value of the type for a NULL to hash as (the mask tells them apart). */
function standIn(dataType: string): string {
  switch (baseType(dataType)) {
    case 'boolean':
      return 'false';
    case 'date':
      return `'2000-01-01'::date`;
    case 'timestamp without time zone':
      return `'epoch'::timestamp`;
    case 'timestamp with time zone':
      return `'epoch'::timestamptz`;
    case 'bytea':
      return `''::bytea`;
    case 'uuid':
      return `'00000000-0000-0000-0000-000000000000'::uuid`;
    case 'character varying':
    case 'text':
      return `''::text`;
    default:
      return '0';
  }
}

/** Which nullable columns are NULL: a bit each, 31 to an int4. */
function nullMasks(columns: readonly DigestColumn[]): string[] {
  const nullable = columns.filter((c) => !c.notNull);
  const masks: string[] = [];
  for (let i = 0; i < nullable.length; i += 31) {
    const bits = nullable.slice(i, i + 31).map((c, b) => `((${c.sql} is null)::int4 << ${b})`);
    masks.push(`(${bits.join(' | ')})`);
  }
  return masks;
}

/** numeric(12,2) -> numeric. */
const baseType = (dataType: string) => dataType.replace(/\(.*\)$/, '');
