import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes text to a stream and waits for 'drain' when its buffer is full, so memory stays
 * bounded by the stream's high-water mark; an error on the stream rejects the write.
 */
export async function writeBounded(stream: Writable, text: string | Buffer): Promise<void> {
  if (stream.errored) throw stream.errored;
  if (stream.write(text)) return;
  await Promise.race([once(stream, 'drain'), once(stream, 'error').then(([error]) => Promise.reject(error as Error))]);
}

/** Ends a writable stream and waits until it finished (or failed). */
export async function endStream(stream: Writable): Promise<void> {
  if (stream.errored) throw stream.errored;
  if (stream.writableFinished) return;
  const done = Promise.race([
    once(stream, 'finish'),
    once(stream, 'error').then(([error]) => Promise.reject(error as Error)),
  ]);
  stream.end();
  await done;
}
