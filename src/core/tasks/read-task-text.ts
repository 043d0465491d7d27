import { isUtf8 } from 'node:buffer';
import type { Hash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { completeUtf8End, firstInvalidUtf8 } from './utf8-check.js';

/** Below V8's large-object size (128 KB), so chunks die young instead of growing the old generation. */
const chunkBytes = 48 * 1024;
const bom = [0xef, 0xbb, 0xbf];

/** A task file whose bytes are not text in the encoding it is read in. */
export class TaskEncodingError extends Error {
  constructor(
    readonly file: string,
    /** 0-based offset of the first bad byte in the file. */
    readonly byteOffset: number,
    readonly line: number,
    readonly byte: number,
  ) {
    super(
      `not valid UTF-8: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} ` +
        `at byte offset ${byteOffset} (line ${line})`,
    );
  }
}

/** The WHATWG name of an encoding label (utf-8, windows-1252 for latin1, ...); a UsageError for an unknown one. */
export function encodingName(label: string | undefined): string {
  try {
    return new TextDecoder(label ?? 'utf-8').encoding;
  } catch {
    throw new UsageError(
      `--encoding ${JSON.stringify(label)} is not an encoding this Node.js knows`,
      'use e.g. utf-8, latin1, windows-1252, utf-16le',
    );
  }
}

/**
 * The text of a task file, streamed in chunks of 48 KB. Every byte goes through `hash`
 * (the checksum is of the file as stored). UTF-8 (the default) is checked strictly: the first
 * invalid byte throws a TaskEncodingError naming its offset and line; a leading BOM is dropped;
 * CR and LF pass unchanged. Other encodings (`--encoding`) are decoded by TextDecoder.
 */
export async function* readTaskText(
  file: string,
  encoding: string,
  hash?: Hash,
): AsyncGenerator<string, void, undefined> {
  const utf8 = encoding === 'utf-8';
  const decoder = utf8 ? null : new TextDecoder(encoding);
  let carry: Buffer = Buffer.alloc(0);
  let consumed = 0;
  let first = true;
  for await (const chunk of createReadStream(file, { highWaterMark: chunkBytes })) {
    const data = chunk as Buffer;
    hash?.update(data);
    if (decoder) {
      yield decoder.decode(data, { stream: true });
      continue;
    }
    const bytes = carry.length > 0 ? Buffer.concat([carry, data]) : data;
    let start = 0;
    if (first && bytes.length >= 3) {
      first = false;
      if (bom.every((b, i) => bytes[i] === b)) start = 3;
    }
    const end = completeUtf8End(bytes);
    const body = bytes.subarray(start, end);
    if (!isUtf8(body)) throw invalidAt(file, consumed + start + firstInvalidUtf8(body));
    if (body.length > 0) yield body.toString('utf8');
    carry = Buffer.from(bytes.subarray(end));
    consumed += end;
  }
  if (decoder) {
    const rest = decoder.decode();
    if (rest) yield rest;
    return;
  }
  // Bytes left over at the end are a character cut off by the end of the file.
  if (carry.length > 0) throw invalidAt(file, consumed + Math.max(0, firstInvalidUtf8(carry)));
}

/** The error for a bad byte, with its line (counted only now, on the way out). */
function invalidAt(file: string, offset: number): TaskEncodingError {
  const bytes = readFileSync(file);
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return new TaskEncodingError(file, offset, line, bytes[offset] ?? 0);
}
