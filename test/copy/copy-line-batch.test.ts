import { describe, expect, it } from 'vitest';
import { countLines, forLoadData, LineBatch, needsLoadDataRewrite } from '../../src/adapters/copy-line.js';
import { RawLineBuilder } from '../../src/adapters/mysql/mysql-copy-raw.js';

/** A text-protocol row packet's payload: length-encoded strings, 0xFB for NULL. */
function rowPayload(values: readonly (string | Buffer | null)[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) {
    if (v === null) {
      parts.push(Buffer.from([0xfb]));
      continue;
    }
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    if (b.length < 0xfb) parts.push(Buffer.from([b.length]));
    else if (b.length < 0x10000) parts.push(Buffer.from([0xfc, b.length & 0xff, b.length >> 8]));
    else parts.push(Buffer.from([0xfd, b.length & 0xff, (b.length >> 8) & 0xff, b.length >> 16]));
    parts.push(b);
  }
  return Buffer.concat(parts);
}

describe('RawLineBuilder (MySQL row packets to COPY text)', () => {
  it('escapes text fields byte by byte, keeps verbatim fields and UTF-8, writes \\N for NULL', () => {
    const builder = new RawLineBuilder(['verbatim', 'escape', 'escape', 'verbatim'], 16);
    const header = Buffer.alloc(4);
    const row = Buffer.concat([header, rowPayload(['42', 'tab\there\nnl\\bs\rcr', 'Grüße 😀 𝄞', null])]);
    builder.add(row, 4, row.length);
    const empty = rowPayload(['-1', '', null, '1.5e-7']);
    builder.add(empty, 0, empty.length);
    const batch = builder.take();
    expect(batch.count).toBe(2);
    expect(batch.data.toString('utf8')).toBe('42\ttab\\there\\nnl\\\\bs\\rcr\tGrüße 😀 𝄞\t\\N\n-1\t\t\\N\t1.5e-7\n');
    expect(batch.lines()).toEqual(['42\ttab\\there\\nnl\\\\bs\\rcr\tGrüße 😀 𝄞\t\\N', '-1\t\t\\N\t1.5e-7']);
    expect(builder.take().count).toBe(0);
  });

  it('reads 2- and 3-byte lengths and grows its buffer', () => {
    const builder = new RawLineBuilder(['escape', 'verbatim'], 8);
    const mid = 'x'.repeat(300);
    const big = 'y'.repeat(70_000);
    const payload = rowPayload([mid, big]);
    builder.add(payload, 0, payload.length);
    expect(builder.take().lines()).toEqual([`${mid}\t${big}`]);
  });

  it('refuses a packet with bytes left over (a column list that does not match the row)', () => {
    const builder = new RawLineBuilder(['verbatim'], 8);
    const payload = rowPayload(['1', '2']);
    expect(() => builder.add(payload, 0, payload.length)).toThrow(/bytes more/);
  });
});

describe('LineBatch', () => {
  it('gives the last line without decoding the batch, and counts line ends', () => {
    const data = Buffer.from('a\tb\n\nc\\td\n', 'utf8');
    const batch = new LineBatch(data, countLines(data));
    expect(batch.count).toBe(3);
    expect(batch.last()).toBe('c\\td');
    expect(batch.lines()).toEqual(['a\tb', '', 'c\\td']);
    expect(new LineBatch(Buffer.from('only\n'), 1).last()).toBe('only');
    expect(new LineBatch(Buffer.from('\n'), 1).last()).toBe('');
    const of = LineBatch.of(['x', 'é']);
    expect(of.data.toString('utf8')).toBe('x\né\n');
    expect(of.bytes).toBe(5);
    expect(LineBatch.of([]).count).toBe(0);
    expect(LineBatch.of([]).last()).toBeNull();
  });
});

describe('needsLoadDataRewrite', () => {
  it('keeps bytes whose escapes LOAD DATA reads as COPY does, and finds \\f, \\v, \\b', () => {
    const same = ['1\t\\N\ta\\tb', 'x\\\\f\t\\n\\r', 'plain'];
    for (const text of same) {
      expect(needsLoadDataRewrite(Buffer.from(`${text}\n`))).toBe(false);
      expect(forLoadData(text)).toBe(text);
    }
    for (const text of ['a\\fb', 'a\\vb', '\\\\\\b', 'x\\N\t\\f']) {
      expect(needsLoadDataRewrite(Buffer.from(`${text}\n`))).toBe(true);
      expect(forLoadData(text)).not.toBe(text);
    }
  });
});
