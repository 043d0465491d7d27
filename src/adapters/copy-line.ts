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

const unescapes: Readonly<Record<string, string>> = {
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

function unescapeField(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, c: string) => {
    if (c.length > 1 || /[0-7]/.test(c))
      return String.fromCharCode(c.startsWith('x') ? parseInt(c.slice(1), 16) : parseInt(c, 8));
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

/**
 * Whether lines need forLoadData: a backslash escape other than `\\`, `\t`, `\n`, `\r` and `\N`
 * (which LOAD DATA reads as COPY does). Looks only at the backslashes, so `\N` for NULL, common in
 * PostgreSQL's output, keeps the bytes as they are.
 */
export function needsLoadDataRewrite(data: Buffer): boolean {
  for (let i = data.indexOf(92); i >= 0; i = data.indexOf(92, i + 2)) {
    const next = data[i + 1];
    if (next !== 92 && next !== 116 && next !== 110 && next !== 114 && next !== 78) return true;
  }
  return false;
}

/** MySQL's LOAD DATA has no `\f` and `\v` escapes (it reads them as the letters): write the characters instead. */
export function forLoadData(line: string): string {
  if (!line.includes('\\')) return line;
  return line.replace(/\\(.)/g, (all, c: string) => (c === 'f' ? '\f' : c === 'v' ? '\v' : c === 'b' ? '\b' : all));
}

/**
 * A batch of lines as UTF-8 bytes, each line ended by `\n`: the form rows travel in between a
 * reader and a writer. Bulk paths that take the text format (PostgreSQL COPY, LOAD DATA) write
 * the bytes as they are; the lines as strings are decoded only when something needs them (the
 * last key of a keyset chunk, reject isolation, the SQLite and SQL Server writers).
 */
export class LineBatch {
  private decoded: string[] | null = null;

  constructor(
    /** The lines, each followed by `\n`. */
    readonly data: Buffer,
    /** How many lines. */
    readonly count: number,
  ) {}

  /** A batch from lines as strings. */
  static of(lines: readonly string[]): LineBatch {
    const batch = new LineBatch(
      lines.length ? Buffer.from(`${lines.join('\n')}\n`, 'utf8') : Buffer.alloc(0),
      lines.length,
    );
    batch.decoded = [...lines];
    return batch;
  }

  /** Bytes in the batch (line ends included). */
  get bytes(): number {
    return this.data.length;
  }

  /** The lines as strings (decoded once). */
  lines(): readonly string[] {
    if (!this.decoded) this.decoded = this.count ? this.data.toString('utf8', 0, this.data.length - 1).split('\n') : [];
    return this.decoded;
  }

  /** The last line; null in an empty batch. */
  last(): string | null {
    if (!this.count) return null;
    if (this.decoded) return this.decoded[this.decoded.length - 1] ?? null;
    const end = this.data.length - 1;
    return this.data.toString('utf8', this.data.lastIndexOf(10, end - 1) + 1, end);
  }
}

/** Counts the line ends in bytes of lines. */
export function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) n += 1;
  return n;
}
