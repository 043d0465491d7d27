import type { CatalogColumn, FieldRule } from '../row-hash-dialect.js';
import { floatCanonicalSql, type FloatFunctions } from '../row-hash-float.js';
import { pow10 } from '../row-hash-sql.js';

/** One log10 in the near-integer test (MariaDB evaluates a subexpression once per use). */
const mysqlFloatFunctions: FloatFunctions = {
  log10: (x) => `log10(${x})`,
  pow10: (j) => `pow(10e0, ${j})`,
  num: (literal) => literal,
  toInt: (x) => `cast(${x} as signed)`,
  odd: (x) => `mod(${x}, 2) = 1`,
  round: (x) => `round(${x})`,
  nearInteger: (t, eps) => `abs(mod(abs(${t}), 1e0) - 5e-1) >= 5e-1 - ${eps}`,
  concat: (parts) => `concat(${parts.join(', ')})`,
  specials: '',
};

/** Digits after the point a column's text always has: DECIMAL(p,s) s, an integer type 0. */
function declaredScale(column: CatalogColumn): number | null {
  if (/^(tiny|small|medium|big)?int\b|^year\b/.test(column.dataType)) return 0;
  const decimal = /^decimal\(\d+,(\d+)\)/.exec(column.dataType);
  return decimal ? Number(decimal[1]) : null;
}

/**
 * The canonical text of a MySQL/MariaDB column, as cheap as its declared type allows. The hash session reads
 * every value as the server's text, and concat renders a value as that same text, so a value whose text is
 * already canonical is the column itself (no cast): integers, booleans, DATE, a DECIMAL of scale 0, a utf8mb4
 * string, and every column compared in the engine's own text (passthrough; not an instant, whose text depends
 * on the session's time zone).
 */
export function mysqlCanonicalField(c: string, column: CatalogColumn, rule: FieldRule): string {
  if (rule.passthrough && !column.instant) return c;
  switch (rule.category) {
    case 'integer':
    case 'boolean':
    case 'date':
      return c;
    case 'decimal': {
      const scale = declaredScale(column);
      if (scale === 0) return c;
      // A DECIMAL's text has exactly `scale` digits after the point, and MariaDB stores no negative zero.
      if (scale !== null) return `trim(trailing '.' from trim(trailing '0' from ${c}))`;
      const s = `cast(${c} as char)`;
      const trimmed = `trim(trailing '.' from trim(trailing '0' from ${s}))`;
      const dotted = `when locate('.', ${s}) > 0 then ${trimmed}`;
      return `(case when ${c} is null then null when ${c} = 0 then '0' ${dotted} else ${s} end)`;
    }
    case 'float': {
      const x = /^double/.test(column.dataType) ? c : `cast(${c} as double)`;
      return floatCanonicalSql(x, rule.floatDigits, mysqlFloatFunctions);
    }
    case 'timestamp': {
      const micros = column.instant
        ? `cast(unix_timestamp(${c}) * 1000000 as signed)`
        : `timestampdiff(microsecond, '1970-01-01 00:00:00', ${c})`;
      if (rule.timestampPrecision >= 6) return micros;
      const b = pow10(6 - rule.timestampPrecision);
      // Declared with no more digits than compared: the microseconds are a multiple of b, div is exact.
      if (column.timestampPrecision !== undefined && column.timestampPrecision <= rule.timestampPrecision) {
        return `(${micros} div ${b})`;
      }
      return `((${micros} - mod(mod(${micros}, ${b}) + ${b}, ${b})) div ${b})`;
    }
    case 'binary':
      return `lower(hex(${c}))`;
    case 'string': {
      let text = column.nativeType?.endsWith(' character set utf8mb4') ? c : `convert(${c} using utf8mb4)`;
      if (rule.trimTrailingSpaces) text = `trim(trailing ' ' from ${text})`;
      if (rule.ignoreCase) text = `lower(${text})`;
      return text;
    }
  }
}
