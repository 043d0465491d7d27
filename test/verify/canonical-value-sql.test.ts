import { describe, expect, it } from 'vitest';
import { dialectNamed } from '../../src/adapters/dialects.js';
import type { CatalogColumn, EncodedField, FieldRule, ValueCategory } from '../../src/adapters/row-hash-dialect.js';
import { encodedFieldSql } from '../../src/adapters/row-hash-sql.js';
import { sqliteCategory } from '../../src/adapters/sqlite/sqlite-row-hash.js';
import {
  canonicalDate,
  canonicalDecimal,
  canonicalTimestamp,
  canonicalValue,
  encodeFields,
  fieldSpec,
  keyHashOf,
} from '../../src/adapters/sqlite/sqlite-row-hash-functions.js';

/**
 * verify compares rows across engines by hashing one canonical text per value, computed inside each
 * database. These tests show that SQL as text, per engine, for representative column types; the
 * live tests (verify-type-matrix, verify-encoding, verify-extreme-doubles) check that the engines
 * then produce the same text. The mssql segment query is in verify-mssql-sql.test.ts, the MySQL
 * no-cast shortcuts in verify-encoding.test.ts.
 */

type Category = Exclude<ValueCategory, 'unsupported'>;

const base: Omit<FieldRule, 'category'> = {
  floatDigits: 15,
  timestampPrecision: 6,
  trimTrailingSpaces: false,
  ignoreCase: false,
  passthrough: false,
};
const rule = (category: Category, extra: Partial<FieldRule> = {}): FieldRule => ({ ...base, category, ...extra });
const column = (dataType: string, category: ValueCategory, extra: Partial<CatalogColumn> = {}): CatalogColumn => ({
  name: 'c',
  dataType,
  category,
  ...extra,
});
const field = (sql: string, category: Category, notNull: boolean): EncodedField => ({ sql, category, notNull });

/** A nullable string and a NOT NULL integer: the two shapes of the portable encoding. */
const twoFields = [field('f0', 'string', false), field('f1', 'integer', true)];

describe('the portable encoding, the same on every engine', () => {
  const sql = (f: EncodedField) =>
    encodedFieldSql(
      f,
      (x) => `len(${x})`,
      (pieces) => `(${pieces.join(' || ')})`,
    );

  it('a string is <characters>:<text>, any other value <text>, and NULL ~ (no NULL branch when NOT NULL)', () => {
    expect(sql(field('s', 'string', false))).toBe("coalesce((len(s) || ':' || s), '~')");
    expect(sql(field('s', 'string', true))).toBe("(len(s) || ':' || s)");
    expect(sql(field('n', 'decimal', false))).toBe("coalesce((n || ','), '~')");
    expect(sql(field('n', 'decimal', true))).toBe("(n || ',')");
  });

  it('is a prefix code: fields cannot run into each other, NULL differs from empty (SQLite computes it in JS)', () => {
    const spec = fieldSpec([field('a', 'string', false), field('b', 'integer', true), field('c', 'string', true)]);
    expect(spec).toBe('sVS');
    expect(encodeFields(spec, ['ab', '1', 'c'])).toBe('2:ab1,1:c');
    expect(encodeFields(spec, ['a', '1', 'bc'])).toBe('1:a1,2:bc');
    expect(encodeFields(spec, [null, '1', ''])).toBe('~1,0:');
    expect(encodeFields(spec, ['', '1', ''])).toBe('0:1,0:');
    // Characters are code points, as PostgreSQL length() and MySQL char_length() count them.
    expect(encodeFields('s', ['😀é'])).toBe('2:😀é');
  });

  it('a key hash is the first 13 hex digits of the md5: below 2^52, exact in a double', () => {
    // md5('2:ab1,1:c') = d662bc0f4349c5ec42443d9b32ba9a53
    const hash = keyHashOf('2:ab1,1:c');
    expect(hash).toBe(0xd662bc0f4349c);
    expect(hash).toBeLessThan(2 ** 52);
  });
});

describe('PostgreSQL canonical SQL', () => {
  const d = dialectNamed('postgres').rowHash;

  it('integers and decimals as numbers print them; booleans as 0/1; trailing zeros trimmed', () => {
    expect(d.canonicalField('c', column('integer', 'integer'), rule('integer'))).toBe('(c)::text');
    expect(d.canonicalField('c', column('boolean', 'boolean'), rule('boolean'))).toBe('(c)::int::text');
    // A boolean column compared with an integer one (the pair's common category) is still 0/1.
    expect(d.canonicalField('c', column('boolean', 'boolean'), rule('integer'))).toBe('(c)::int::text');
    expect(d.canonicalField('c', column('numeric(12,4)', 'decimal'), rule('decimal'))).toBe(
      'trim_scale((c)::numeric)::text',
    );
  });

  it('timestamps as epoch units of the compared precision, floored; dates as YYYY-MM-DD; bytes as hex', () => {
    const ts = column('timestamp(3)', 'timestamp', { timestampPrecision: 3 });
    const micros = (t: string) => `round(date_part('epoch', (${t})::time) * 1e6)::bigint`;
    const finite = (t: string, epoch: string) => `case when isfinite(${t}) then ${epoch}::text else (${t})::text end`;
    expect(d.canonicalField('c', ts, rule('timestamp', { timestampPrecision: 3 }))).toBe(
      finite('c', `(((c)::date - date '1970-01-01')::bigint * 86400000 + ${micros('c')} / 1000)`),
    );
    expect(d.canonicalField('c', ts, rule('timestamp', { timestampPrecision: 0 }))).toBe(
      finite('c', `(((c)::date - date '1970-01-01')::bigint * 86400 + ${micros('c')} / 1000000)`),
    );
    const instant = column('timestamp(6) with time zone', 'timestamp', { timestampPrecision: 6, instant: true });
    const utc = "(c at time zone 'UTC')";
    expect(d.canonicalField('c', instant, rule('timestamp', { timestampPrecision: 6 }))).toBe(
      finite(utc, `(((${utc})::date - date '1970-01-01')::bigint * 86400000000 + ${micros(utc)})`),
    );
    expect(d.canonicalField('c', column('date', 'date'), rule('date'))).toBe(
      "case when not isfinite(c) then (c)::text when c < '0001-01-01'::date then to_char(c, 'YYYY-MM-DD') || ' BC' " +
        "else to_char(c, 'YYYY-MM-DD') end",
    );
    expect(d.canonicalField('c', column('bytea', 'binary'), rule('binary'))).toBe("encode(c, 'hex')");
  });

  it('strings as text, --trim-trailing-spaces and --ignore-case applied in that order', () => {
    const text = column('text', 'string');
    expect(d.canonicalField('c', text, rule('string'))).toBe('(c)::text');
    expect(d.canonicalField('c', text, rule('string', { trimTrailingSpaces: true }))).toBe("rtrim((c)::text, ' ')");
    expect(d.canonicalField('c', text, rule('string', { trimTrailingSpaces: true, ignoreCase: true }))).toBe(
      "lower(rtrim((c)::text, ' '))",
    );
  });

  it('doubles rounded to the significant digits asked, with NaN and the infinities named', () => {
    const sql = d.canonicalField('c', column('double precision', 'float'), rule('float', { floatDigits: 6 }));
    expect(sql).toMatch(/^\(case when \(c\)::float8 is null then null when \(c\)::float8 = 0 then '0' /);
    expect(sql).toContain("when (c)::float8 = 'NaN'::float8 then 'nan'");
    expect(sql).toContain("when (c)::float8 = '-Infinity'::float8 then '-inf'");
    // D = digits - 1 = 5: the mantissa has six digits, the exponent is the decade minus five.
    expect(sql).toContain('power(10::float8, 5 - floor(log(abs((c)::float8))))');
    expect(sql).toContain("|| 'e' || (floor(log(abs((c)::float8))) - 5)::bigint::text");
  });

  it('same engine, same type, no option: the engine rendering as is (passthrough)', () => {
    const numeric = column('numeric', 'decimal');
    expect(d.canonicalField('c', numeric, rule('decimal', { passthrough: true }))).toBe('(c)::text');
  });

  it('rows: portable md5 of the encoding; native hashtextextended of the record text', () => {
    expect(d.encodeFields(twoFields, 'portable')).toBe("concat(coalesce((length(f0) || ':' || f0), '~'), (f1 || ','))");
    expect(d.encodeFields(twoFields, 'native')).toBe('(row(f0, f1))::text');
    expect(d.rowDigest('e', 'portable')).toBe("md5(convert_to(e, 'UTF8'))");
    expect(d.rowDigest('e', 'native')).toBe('hashtextextended(e, 1)');
    expect(d.keyHash(twoFields, 'portable')).toBe(
      `('x' || substr(md5(convert_to(${d.encodeFields(twoFields, 'portable')}, 'UTF8')), 1, 13))::bit(52)::bigint`,
    );
    expect(d.keyHash(twoFields, 'native')).toBe('(hashtextextended(concat_ws(chr(1), f0, f1), 0) & 4503599627370495)');
    expect(d.digestParts('d', 'portable')).toEqual(['0', "('x' || substr(d, 1, 15))::bit(60)::bigint"]);
    expect(d.rangeSegment?.('k', 100n, 1000n)).toBe('(((k)::bigint - (100)) / 1000)');
  });
});

describe('MySQL/MariaDB canonical SQL', () => {
  const d = dialectNamed('mysql').rowHash;

  it('a DECIMAL of unknown scale: trailing zeros and a bare point trimmed, zero as 0', () => {
    expect(d.canonicalField('c', column('decimal', 'decimal'), rule('decimal'))).toBe(
      "(case when c is null then null when c = 0 then '0' when locate('.', cast(c as char)) > 0 then " +
        "trim(trailing '.' from trim(trailing '0' from cast(c as char))) else cast(c as char) end)",
    );
  });

  it('an instant (TIMESTAMP) through unix_timestamp, a wall-clock DATETIME through timestampdiff', () => {
    const instant = column('timestamp', 'timestamp', { timestampPrecision: 6, instant: true });
    expect(d.canonicalField('c', instant, rule('timestamp'))).toBe('cast(unix_timestamp(c) * 1000000 as signed)');
    expect(d.canonicalField('c', column('datetime(6)', 'timestamp'), rule('timestamp'))).toBe(
      "timestampdiff(microsecond, '1970-01-01 00:00:00', c)",
    );
    // An instant's text depends on the session time zone: never passed through.
    expect(d.canonicalField('c', instant, rule('timestamp', { passthrough: true }))).toBe(
      'cast(unix_timestamp(c) * 1000000 as signed)',
    );
  });

  it('bytes as lower-case hex; strings in utf8mb4, trimmed and lowered when asked', () => {
    expect(d.canonicalField('c', column('varbinary(16)', 'binary'), rule('binary'))).toBe('lower(hex(c))');
    const latin1 = column('varchar(9)', 'string', { nativeType: 'varchar(9) character set latin1' });
    expect(d.canonicalField('c', latin1, rule('string', { trimTrailingSpaces: true, ignoreCase: true }))).toBe(
      "lower(trim(trailing ' ' from convert(c using utf8mb4)))",
    );
  });

  it('a DOUBLE as is, a FLOAT widened to double first', () => {
    expect(d.canonicalField('c', column('double', 'float'), rule('float'))).toMatch(/^\(case when c is null/);
    expect(d.canonicalField('c', column('float', 'float'), rule('float'))).toMatch(
      /^\(case when cast\(c as double\) is null/,
    );
  });

  it('rows: md5 of the encoding, prefixes read with conv(); NOT NULL fields go straight into the concat', () => {
    const encoded = "concat(coalesce(concat(char_length(f0), ':', f0), '~'), f1, ',')";
    expect(d.encodeFields(twoFields, 'portable')).toBe(encoded);
    expect(d.keyHash(twoFields, 'portable')).toBe(`cast(conv(substring(md5(${encoded}), 1, 13), 16, 10) as unsigned)`);
    expect(d.digestParts('d', 'portable')).toEqual(['0', 'cast(conv(substring(d, 1, 15), 16, 10) as unsigned)']);
    expect(d.rangeSegment?.('k', 100n, 1000n)).toBe('((k - (100)) div 1000)');
  });
});

describe('SQL Server canonical SQL (beyond the segment query of verify-mssql-sql.test.ts)', () => {
  const d = dialectNamed('mssql').rowHash;

  it('integers and bits as bigint text; decimals through decimal(38,10) with trailing zeros trimmed', () => {
    expect(d.canonicalField('c', column('bit', 'boolean'), rule('boolean'))).toBe(
      'convert(varchar(40), convert(bigint, c))',
    );
    const decimal = d.canonicalField('c', column('decimal(12,4)', 'decimal'), rule('decimal'));
    expect(decimal).toMatch(/^\(case when c is null then null when c = 0 then '0' else replace\(rtrim\(/);
    expect(decimal).toContain('convert(varchar(60), convert(decimal(38, 10), c))');
  });

  const datetimeTitle =
    'datetimeoffset in UTC; timestamps floored (also before 1970) to the compared precision; dates by style 23';
  it(datetimeTitle, () => {
    const offset = column('datetimeoffset', 'timestamp', { timestampPrecision: 6, instant: true });
    const micros =
      "(convert(bigint, datediff_big(microsecond, '1970-01-01', convert(datetime2(7), switchoffset(c, 0)))))";
    expect(d.canonicalField('c', offset, rule('timestamp', { timestampPrecision: 0 }))).toBe(
      `convert(varchar(30), (${micros} - ((${micros} % 1000000) + 1000000) % 1000000) / 1000000)`,
    );
    expect(d.canonicalField('c', column('date', 'date'), rule('date'))).toBe('convert(char(10), c, 23)');
  });

  it('strings as nvarchar, with rtrim and lower when asked', () => {
    expect(
      d.canonicalField(
        'c',
        column('nvarchar', 'string'),
        rule('string', { trimTrailingSpaces: true, ignoreCase: true }),
      ),
    ).toBe('lower(rtrim(convert(nvarchar(max), c)))');
  });
});

describe('SQLite: canonical values computed by dmr functions registered on the connection', () => {
  const d = dialectNamed('sqlite').rowHash;

  it('the SQL names the function and carries the rule as JSON', () => {
    expect(d.canonicalField('c', column('boolean', 'boolean'), rule('integer'))).toBe(
      `dmr_canon('${JSON.stringify({ ...rule('integer'), declaredBoolean: true })}', c)`,
    );
    expect(d.encodeFields(twoFields, 'portable')).toBe("dmr_encode('sV', f0, f1)");
    expect(d.keyHash(twoFields, 'portable')).toBe("dmr_key_hash(dmr_encode('sV', f0, f1))");
    expect(d.rowDigest('e', 'portable')).toBe('dmr_md5(e)');
    expect(d.digestParts('d', 'portable')).toEqual(['dmr_hex_int(d, 0, 7)', 'dmr_hex_int(d, 7, 8)']);
    // Integer keys are not strictly typed in SQLite: segments by key hash, never by key range.
    expect(d.rangeSegment).toBeUndefined();
  });

  it('declared types to categories by SQLite affinity, refined for dates, booleans and JSON', () => {
    const cases: [string, ReturnType<typeof sqliteCategory>][] = [
      ['INTEGER', { category: 'integer' }],
      ['VARCHAR(20)', { category: 'string' }],
      ['UUID', { category: 'string' }],
      ['DECIMAL(10,2)', { category: 'decimal' }],
      ['REAL', { category: 'float' }],
      ['DOUBLE', { category: 'float' }],
      ['BOOLEAN', { category: 'boolean' }],
      ['TINYINT(1)', { category: 'boolean' }],
      ['DATETIME(3)', { category: 'timestamp', precision: 3 }],
      ['TIMESTAMP', { category: 'timestamp', precision: 6 }],
      ['DATE', { category: 'date' }],
      ['BLOB', { category: 'binary' }],
      ['json text', { category: 'string' }],
      ['JSON', { category: 'unsupported' }],
      ['JSONB', { category: 'unsupported' }],
      ['', { category: 'unsupported' }],
    ];
    for (const [declared, expected] of cases) expect(sqliteCategory(declared), declared).toEqual(expected);
  });

  it('the canonical forms the server engines compute in SQL', () => {
    expect(['1.50', '-0.00', '+007.10', '-12.340', 1e21].map((v) => canonicalDecimal(v))).toEqual([
      '1.5',
      '0',
      '7.1',
      '-12.34',
      '1000000000000000000000',
    ]);
    expect(canonicalTimestamp('2024-02-29 13:45:12.123456', 3)).toBe('1709214312123');
    expect(canonicalTimestamp('2024-02-29T13:45:12+02:00', 0)).toBe('1709207112');
    expect(canonicalTimestamp('1969-12-31 23:59:59.9995', 3)).toBe('-1');
    expect(canonicalTimestamp(1_700_000_000_123, 3)).toBe('1700000000123');
    expect(canonicalTimestamp('yesterday', 3)).toBeNull();
    expect(canonicalDate('2024-02-29 10:00:00')).toBe('2024-02-29');
    expect(canonicalDate(Date.UTC(2024, 1, 29))).toBe('2024-02-29');
  });

  it('canonicalValue: booleans stored as text, bytes, strings with the options, floats to the digits asked', () => {
    expect(canonicalValue('true', rule('boolean'), true)).toBe('1');
    expect(canonicalValue(1n, rule('integer'), false)).toBe('1');
    expect(canonicalValue(Buffer.from([0xde, 0xad]), rule('binary'), false)).toBe('dead');
    expect(canonicalValue('AbC  ', rule('string', { trimTrailingSpaces: true, ignoreCase: true }), false)).toBe('abc');
    expect(canonicalValue(0.1, rule('float'), false)).toBe('100000000000000e-15');
    expect(canonicalValue(0.1, rule('float', { floatDigits: 6 }), false)).toBe('100000e-6');
    expect(canonicalValue(null, rule('string'), false)).toBeNull();
  });
});
