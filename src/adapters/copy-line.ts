/**
 * PostgreSQL's COPY text format, the line format rows travel in between a source and a target
 * (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2): tab between fields,
 * `\N` for NULL, backslash escapes. MySQL's LOAD DATA reads the same format except `\f` and `\v`.
 */

const needsEscape = /[\\\t\n\r]/;

/** One field value in COPY text form (null is `\N`). */
export function escapeField(value: string | null): string {
  if (value === null) return '\\N';
  if (!needsEscape.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

const unescapes: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

function unescapeField(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, c: string) => {
    if (c.length > 1 || /[0-7]/.test(c)) return String.fromCharCode(c.startsWith('x') ? parseInt(c.slice(1), 16) : parseInt(c, 8));
    return unescapes[c] ?? c;
  });
}

/** The fields of a line, unescaped (null for `\N`). */
export function splitLine(line: string): (string | null)[] {
  return line.split('\t').map(unescapeField);
}

/** A line from field values. */
export function joinLine(values: readonly (string | null)[]): string {
  return values.map(escapeField).join('\t');
}

/** A binary value in its neutral text form: `\x` and lowercase hex (PostgreSQL's bytea hex format). */
export function binaryText(value: Buffer): string {
  return `\\x${value.toString('hex')}`;
}

/** The bytes of a neutral binary text; null when it is not one. */
export function binaryFromText(text: string): Buffer | null {
  if (!/^\\x(?:[0-9a-fA-F]{2})*$/.test(text)) return null;
  return Buffer.from(text.slice(2), 'hex');
}

/** MySQL's LOAD DATA has no `\f` and `\v` escapes (it reads them as the letters): write the characters instead. */
export function forLoadData(line: string): string {
  if (!line.includes('\\')) return line;
  return line.replace(/\\(.)/g, (all, c: string) => (c === 'f' ? '\f' : c === 'v' ? '\v' : c === 'b' ? '\b' : all));
}
