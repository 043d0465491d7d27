import type { DigestColumn } from '../row-hash-dialect.js';

/**
 * A PostgreSQL row's 64-bit digest from its columns' own extended hash functions (those behind hash indexes), without
 * rendering the row as text: a chain, each column's hash seeded with the digest of the columns before it (and one more
 * hash when the last column's may return its seed).
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
 * - NULL: each column's hash takes a stand-in value (0, '', ...) and its seed XOR a constant.
 * Two different rows then get equal digests with a chance of about 2^-64, a hash of 64 random bits.
 * Equal values hash alike where the type says they are equal: numeric 1.0 and 1.00, double 0 and -0.
 */
export function postgresRowDigest(columns: readonly DigestColumn[]): string {
  let digest = '0::int8';
  for (const c of columns) digest = columnHash(c, digest);
  const last = columns[columns.length - 1];
  // A numeric or float hash returns its seed for some values (NaN, 0): one more hash, so the chain ends mixed.
  return last && mixesSeed(last.dataType) ? digest : `hashint4extended(${columns.length}, ${digest})`;
}

/**
 * The hash of one value seeded with the digest so far. NULL: the value's stand-in, and the seed XOR a constant
 * (a CASE and an XOR: a bitmap of NULL columns built with casts and shifts cost 90 ns a row).
 */
function columnHash(c: DigestColumn, seed: string): string {
  const type = baseType(c.dataType);
  const v = c.notNull ? c.sql : `coalesce(${c.sql}, ${standIn(type)})`;
  const flagged = (cases: string[]) => {
    const all = [...(c.notNull ? [] : [`when ${c.sql} is null then ${nullFlag}`]), ...cases];
    return all.length ? `(${seed} # case ${all.join(' ')} else 0 end)` : seed;
  };
  switch (type) {
    case 'smallint':
    case 'integer':
      return c.notNull ? `hashint4extended(${v}, ${seed})` : `hashint4extended(${v}, ${flagged([])})`;
    case 'bigint':
      // The value whole in the seed: hashint8extended would fold it to 32 bits.
      return `hashint4extended(0, ${flagged([])} # ${v})`;
    case 'boolean':
      return `hashint4extended(case when ${c.sql} then 1 when not ${c.sql} then 0 else 2 end, ${seed})`;
    case 'numeric':
      return `hash_numeric_extended(${v}, ${flagged(numericCodes(c))})`;
    case 'real':
      return `hashfloat4extended(${v}, ${flagged([])})`;
    case 'double precision':
      return `hashfloat8extended(${v}, ${flagged([])})`;
    case 'date':
      // The date's own integer (days from 2000-01-01, the infinities at the ends of int4), as date_ops hashes it.
      return (
        `hashint4extended(case when isfinite(${v}) then ${v} - '2000-01-01'::date when ${v} > '2000-01-01'::date ` +
        `then 2147483647 else -2147483648 end, ${flagged([])})`
      );
    case 'timestamp without time zone':
      return `hashfloat8extended(date_part('epoch', ${v}), timestamp_hash_extended(${v}, ${flagged([])}))`;
    case 'timestamp with time zone':
      return `hashfloat8extended(date_part('epoch', ${v}), hash_record_extended(row(${v}), ${flagged([])}))`;
    case 'bytea':
      return `hash_record_extended(row(${v}), ${flagged([])})`;
    case 'uuid':
      return `uuid_hash_extended(${v}, ${flagged([])})`;
    case 'character varying':
    case 'text':
      return `hashtextextended(${v}, ${flagged([])})`;
    default:
      throw new Error(`no row digest for type ${c.dataType}`);
  }
}

/** XORed into a seed for a NULL value (any constant but 0). */
const nullFlag = '-7046029254386353131';

/**
 * hash_numeric_extended ignores the sign, and returns its seed for NaN, Infinity and -Infinity: a code for negative
 * and (where Infinity can be stored: no typmod) for NaN.
 */
function numericCodes(c: DigestColumn): string[] {
  const negative = `when ${c.sql} < 0 then 1`;
  return c.dataType === 'numeric' ? [negative, `when ${c.sql} = 'NaN'::numeric then 2`] : [negative];
}

/** Whether the type's hash mixes its seed for every value (numeric and float hashes return it for some). */
const mixesSeed = (dataType: string) => !['numeric', 'real', 'double precision'].includes(baseType(dataType));

/** A value of the type for a NULL to hash as (the NULL flag in the seed tells them apart). */
function standIn(type: string): string {
  switch (type) {
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

/** numeric(12,2) -> numeric. */
const baseType = (dataType: string) => dataType.replace(/\(.*\)$/, '');
