import type { Knex } from 'knex';
import type { DialectName } from '../dialect-name.js';
import type {
  CatalogColumn,
  CatalogTable,
  DigestColumn,
  EncodedField,
  FieldRule,
  HashAlgorithm,
  HashSession,
  ListedTable,
  QueryFailure,
  RowHashDialect,
  StoragePositions,
} from '../row-hash-dialect.js';
import { floatCanonicalSql, type FloatFunctions } from '../row-hash-float.js';
import { encodedFieldSql, pow10 } from '../row-hash-sql.js';
import { quoteIdentifierFor } from '../quote-identifier.js';
import { postgresRowDigest } from './postgres-row-digest.js';
import { describeTable, listSchemas, listTables, schemaExists } from './postgres-row-hash-catalog.js';
import { describePostgresFailure, postgresHashSession } from './postgres-row-hash-session.js';

/**
 * PostgreSQL: md5 (https://www.postgresql.org/docs/current/functions-string.html) for
 * cross-engine pairs; hashtextextended (the hash behind hash indexes and partitioning) of the
 * row's record text for PostgreSQL-to-PostgreSQL pairs.
 */
export class PostgresRowHash implements RowHashDialect {
  readonly name = 'postgres' as const;
  readonly storagePositions: StoragePositions = tidPositions;

  quoteIdentifier(name: string): string {
    return quoteIdentifierFor.postgres(name);
  }

  tableReference(schema: string | undefined, table: string): string {
    return schema ? `${this.quoteIdentifier(schema)}.${this.quoteIdentifier(table)}` : this.quoteIdentifier(table);
  }

  async currentSchema(knex: Knex): Promise<string | undefined> {
    const result = await knex.raw('select current_schema() as s');
    return (result.rows[0] as { s: string }).s;
  }

  schemaExists(knex: Knex, schema: string): Promise<boolean> {
    return schemaExists(knex, schema);
  }

  listSchemas(knex: Knex): Promise<string[]> {
    return listSchemas(knex);
  }

  listTables(knex: Knex, schema: string | undefined): Promise<ListedTable[]> {
    return listTables(knex, schema);
  }

  describeTable(knex: Knex, schema: string | undefined, table: string): Promise<CatalogTable | null> {
    return describeTable(knex, schema, table);
  }

  canonicalField(c: string, column: CatalogColumn, rule: FieldRule): string {
    if (rule.passthrough) return `(${c})::text`;
    if (column.category === 'boolean') return `(${c})::int::text`;
    switch (rule.category) {
      case 'integer':
      case 'boolean':
        return `(${c})::text`;
      case 'decimal':
        return `trim_scale((${c})::numeric)::text`;
      case 'float':
        return floatCanonicalSql(`(${c})::float8`, rule.floatDigits, postgresFloatFunctions);
      case 'timestamp': {
        // A date against a timestamp: the date as its midnight (a date has no ::time).
        const t = column.instant ? `(${c} at time zone 'UTC')` : column.category === 'date' ? `(${c})::timestamp` : c;
        // infinity and -infinity as their own text: the epoch arithmetic cannot subtract them.
        return `case when isfinite(${t}) then ${epochUnits(t, rule.timestampPrecision)}::text else (${t})::text end`;
      }
      case 'date':
        // to_char gives NULL for infinity and -infinity (their own text instead), and a BC year without its era.
        return (
          `case when not isfinite(${c}) then (${c})::text when ${c} < '0001-01-01'::date ` +
          `then to_char(${c}, 'YYYY-MM-DD') || ' BC' else to_char(${c}, 'YYYY-MM-DD') end`
        );
      case 'binary':
        return `encode(${c}, 'hex')`;
      case 'string': {
        let text = `(${c})::text`;
        if (rule.trimTrailingSpaces) text = `rtrim(${text}, ' ')`;
        if (rule.ignoreCase) text = `lower(${text})`;
        return text;
      }
    }
  }

  encodeFields(encoded: readonly EncodedField[], algorithm: HashAlgorithm): string {
    const fields = encoded.map((f) => f.sql);
    if (algorithm === 'native') return `(row(${fields.join(', ')}))::text`;
    const join = (pieces: string[]) => `(${pieces.join(' || ')})`;
    return `concat(${encoded.map((f) => encodedFieldSql(f, (x) => `length(${x})`, join)).join(', ')})`;
  }

  keyHash(encoded: readonly EncodedField[], algorithm: HashAlgorithm): string {
    const fields = encoded.map((f) => f.sql);
    if (algorithm === 'native') {
      const text = fields.length === 1 ? `coalesce(${fields[0]}, '')` : `concat_ws(chr(1), ${fields.join(', ')})`;
      return `(hashtextextended(${text}, 0) & 4503599627370495)`;
    }
    return hexPrefix(`md5(convert_to(${this.encodeFields(encoded, 'portable')}, 'UTF8'))`, 13);
  }

  derivedTableFence(algorithm: HashAlgorithm): string {
    return algorithm === 'portable' ? ' offset 0' : '';
  }

  rowDigest(encoded: string, algorithm: HashAlgorithm): string {
    return algorithm === 'native' ? `hashtextextended(${encoded}, 1)` : `md5(convert_to(${encoded}, 'UTF8'))`;
  }

  /** Portable: the digest's first 60 bits, one use of it (see RowHashDialect.digestParts). */
  digestParts(d: string, algorithm: HashAlgorithm): readonly [string, string] {
    if (algorithm === 'native') return [d, '0'];
    return ['0', hexPrefix(d, 15)];
  }

  digestKeyHash(d: string, algorithm: HashAlgorithm): string {
    if (algorithm === 'native') return `(${d} & 4503599627370495)`;
    return hexPrefix(d, 13);
  }

  describeFailure(error: unknown): QueryFailure {
    return describePostgresFailure(error);
  }

  rangeSegment(key: string, lo: bigint, width: bigint): string {
    return `(((${key})::bigint - (${lo})) / ${width})`;
  }

  recordText(table: string): string {
    return `(${table})::text`;
  }

  recordDigest(columns: readonly DigestColumn[]): string {
    return postgresRowDigest(columns);
  }

  algorithmFor(other: DialectName): HashAlgorithm {
    return other === 'postgres' ? 'native' : 'portable';
  }

  session(knex: Knex): Promise<HashSession> {
    return postgresHashSession(knex);
  }
}

const postgresFloatFunctions: FloatFunctions = {
  log10: (x) => `log(${x})`,
  pow10: (j) => `power(10::float8, ${j})`,
  num: (literal) => `'${literal}'::float8`,
  toInt: (x) => `(${x})::bigint::text`,
  odd: (x) => `(${x})::bigint % 2 = 1`,
  round: (x) => `round(${x})`,
  nearInteger: (t, eps) => `abs(${t} - round(${t})) <= ${eps}`,
  concat: (parts) => parts.join(' || '),
  specials:
    `when x = 'NaN'::float8 then 'nan' when x = 'Infinity'::float8 then 'inf' when x = ` +
    `'-Infinity'::float8 then '-inf'`,
};

/** The number the first `digits` hex digits of an md5 text spell (at most 15: below 2^60, a bigint). */
function hexPrefix(md5: string, digits: number): string {
  return `('x' || substr(${md5}, 1, ${digits}))::bit(${digits * 4})::bigint`;
}

/**
 * A timestamp as whole units of 10^-precision s since 1970-01-01, floored, in bigint arithmetic: the days from
 * the date, the microseconds of the day from the time (below 2^37, so the double date_part gives is exact once
 * rounded). extract(epoch) would give the same number through numeric arithmetic, at about twice the cost.
 */
function epochUnits(timestamp: string, precision: number): string {
  const days = `((${timestamp})::date - date '1970-01-01')::bigint * ${86400n * 10n ** BigInt(precision)}`;
  const micros = `round(date_part('epoch', (${timestamp})::time) * 1e6)::bigint`;
  return `(${days} + ${precision >= 6 ? micros : `${micros} / ${pow10(6 - precision)}`})`;
}

const tidText = /^\((\d{1,10}),(\d{1,5})\)$/;

/** A tid as the server prints it, `(block,offset)`, as numbers; throws on anything else. */
function tidParts(text: string): [number, number] {
  const match = tidText.exec(text);
  if (!match) throw new Error(`not a storage position: ${JSON.stringify(text)}`);
  return [Number(match[1]), Number(match[2])];
}

/** A tid literal from a position the server printed (checked, never the text as given). */
function tidLiteral(text: string): string {
  const [block, offset] = tidParts(text);
  return `'(${block},${offset})'::tid`;
}

/**
 * ctid ranges (https://www.postgresql.org/docs/current/ddl-system-columns.html), read by a TID Range Scan from
 * PostgreSQL 14 on; an older server would filter a whole sequential scan per range, so the sample returns no rows
 * there.
 */
const tidPositions: StoragePositions = {
  sample(table, keySql, keys, sample) {
    const values = keys.map((k, i) => `(${i}, ${k}::bigint)`).join(', ');
    const first =
      `select t.ctid::text as c from ${table} t where t.${keySql} >= v.k order by t.${keySql} ` +
      `limit ${Math.max(1, Math.trunc(sample))}`;
    return (
      `select v.i, array_to_string(array(${first}), ' ') as p from (values ${values}) v(i, k) ` +
      `where current_setting('server_version_num')::int >= 140000 order by v.i`
    );
  },
  compare(a, b) {
    const [x, y] = [tidParts(a), tidParts(b)];
    return x[0] - y[0] || x[1] - y[1];
  },
  range(from, to) {
    const bounds = [from === null ? '' : `ctid >= ${tidLiteral(from)}`, to === null ? '' : `ctid < ${tidLiteral(to)}`];
    return bounds.filter(Boolean).join(' and ') || 'true';
  },
};
