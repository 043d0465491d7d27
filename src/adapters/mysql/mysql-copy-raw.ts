import type mysql from 'mysql2';
import { LineBatch } from '../copy-line.js';

/**
 * How a selected value's text becomes a COPY field: `verbatim` when the server's text needs no
 * escaping (numbers, dates, times, and expressions that render an escaped field themselves),
 * `escape` for text that may hold a backslash, tab, newline or carriage return.
 */
export type RawField = 'verbatim' | 'escape';

const backslash = 92;
const tab = 9;
const newline = 10;
const carriageReturn = 13;
/** Escaped characters: what follows the backslash (COPY text: `\\`, `\t`, `\n`, `\r`). */
const escapeOf = new Uint8Array(256);
escapeOf[backslash] = backslash;
escapeOf[tab] = 116; // t
escapeOf[newline] = 110; // n
escapeOf[carriageReturn] = 114; // r

/**
 * Builds COPY text lines from MySQL text-protocol row packets, byte for byte: each value is a
 * length-encoded string (0xFB for NULL) in the connection's character set (utf8mb4), so a
 * field is the value's bytes, escaped where it is text. No JavaScript string is made per value.
 */
export class RawLineBuilder {
  private out: Buffer;
  private pos = 0;
  count = 0;

  constructor(
    private readonly fields: readonly RawField[],
    private readonly capacity = 1 << 18,
  ) {
    this.out = Buffer.allocUnsafe(capacity);
  }

  get bytes(): number {
    return this.pos;
  }

  private ensure(more: number): void {
    if (this.pos + more <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.pos + more));
    this.out.copy(bigger, 0, 0, this.pos);
    this.out = bigger;
  }

  /** Appends the row in `buf[start, end)` (a row packet's payload) as one line. */
  add(buf: Buffer, start: number, end: number): void {
    const { fields } = this;
    let p = start;
    for (let i = 0; i < fields.length; i += 1) {
      const first = buf[p] ?? 0;
      let len: number;
      if (first < 0xfb) {
        len = first;
        p += 1;
      } else if (first === 0xfb) {
        this.ensure(3);
        if (i) this.out[this.pos++] = tab;
        this.out[this.pos++] = backslash;
        this.out[this.pos++] = 78; // N
        p += 1;
        continue;
      } else if (first === 0xfc) {
        len = buf.readUInt16LE(p + 1);
        p += 3;
      } else if (first === 0xfd) {
        len = buf.readUIntLE(p + 1, 3);
        p += 4;
      } else {
        len = buf.readUInt32LE(p + 1) + buf.readUInt32LE(p + 5) * 0x1_0000_0000;
        p += 9;
      }
      this.ensure(len * 2 + 1);
      const out = this.out;
      let o = this.pos;
      if (i) out[o++] = tab;
      const stop = p + len;
      if (fields[i] === 'escape') {
        for (let j = p; j < stop; j += 1) {
          const b = buf[j] as number;
          const e = escapeOf[b] as number;
          if (e) {
            out[o++] = backslash;
            out[o++] = e;
          } else out[o++] = b;
        }
      } else if (len < 32) {
        for (let j = p; j < stop; j += 1) out[o++] = buf[j] as number;
      } else o += buf.copy(out, o, p, stop);
      this.pos = o;
      p = stop;
    }
    if (p !== end) throw new Error(`a MySQL row packet held ${end - p} bytes more than its ${fields.length} values`);
    this.ensure(1);
    this.out[this.pos++] = newline;
    this.count += 1;
  }

  /** The lines built so far, as a batch; the builder starts a new buffer. */
  take(): LineBatch {
    const batch = new LineBatch(this.out.subarray(0, this.pos), this.count);
    this.out = Buffer.allocUnsafe(Math.max(this.capacity, this.pos));
    this.pos = 0;
    this.count = 0;
    return batch;
  }
}

interface RowPacket {
  readonly buffer: Buffer;
  readonly offset: number;
  readonly end: number;
  isEOF(): boolean;
}

type RowState = (packet: RowPacket, connection: unknown) => unknown;

/**
 * Runs a query whose rows arrive as raw packets turned into COPY lines by a RawLineBuilder,
 * in batches of about `batchBytes`, through mysql2's streaming (so the socket pauses while the
 * consumer is behind). mysql2 has no public raw-row API: its Query reads rows in the state its
 * field-list step returns as `this.row`, which this replaces on the one query object; a result
 * that is not a LineBatch means mysql2 changed, and fails the read instead of guessing.
 */
export async function* rawLines(
  connection: mysql.Connection,
  sql: string,
  values: readonly unknown[],
  fields: readonly RawField[],
  batchBytes = 1 << 18,
): AsyncGenerator<LineBatch> {
  const query = connection.query(sql, values as unknown[]) as unknown as mysql.Query & {
    row: RowState;
    emit(event: string, ...args: unknown[]): boolean;
  };
  const parsed = Object.getPrototypeOf(query) as { row: RowState };
  const builder = new RawLineBuilder(fields, batchBytes + (batchBytes >> 2));
  const raw: RowState = function (this: typeof query, packet, conn) {
    if (packet.isEOF()) {
      if (builder.count) this.emit('result', builder.take(), 0);
      return parsed.row.call(this, packet, conn);
    }
    builder.add(packet.buffer, packet.offset, packet.end);
    if (builder.bytes >= batchBytes) this.emit('result', builder.take(), 0);
    return raw;
  };
  query.row = raw;
  const stream = query.stream({ highWaterMark: 4 });
  for await (const batch of stream as AsyncIterable<unknown>) {
    if (!(batch instanceof LineBatch)) {
      stream.destroy();
      throw new Error('mysql2 delivered parsed rows: its Query internals changed (dmr copy reads raw row packets)');
    }
    yield batch;
  }
}
