import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeJson } from './redact-answer.js';
import type { FeedEvent, StatusFeed } from './status-feed.js';

const keepAliveMs = 15_000;

/**
 * The server-sent event streams open now. Each one is a subscriber of the single feed: an
 * event is serialised once and written to every stream, so 20 pages cost one poll loop.
 */
export class EventStreams {
  private readonly open = new Set<ServerResponse>();
  private readonly keepAlive: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(private readonly feed: StatusFeed) {
    this.unsubscribe = feed.subscribe((event) => this.broadcast(event));
    this.keepAlive = setInterval(() => this.writeAll(': keep-alive\n\n'), keepAliveMs);
    this.keepAlive.unref();
  }

  get size(): number {
    return this.open.size;
  }

  /** Answers GET /api/events: the latest state at once, then every change. */
  attach(request: FastifyRequest, reply: FastifyReply): void {
    void reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    res.write('retry: 1000\n\n');
    for (const event of this.feed.latest()) res.write(frame(event));
    this.open.add(res);
    const drop = () => this.open.delete(res);
    request.raw.on('close', drop);
    res.on('close', drop);
  }

  /** Ends every stream (shutdown): the pages see the connection drop and say so. */
  close(): void {
    clearInterval(this.keepAlive);
    this.unsubscribe();
    for (const res of this.open) res.end();
    this.open.clear();
  }

  private broadcast(event: FeedEvent): void {
    this.writeAll(frame(event));
  }

  private writeAll(text: string): void {
    for (const res of this.open) {
      // A page that stopped reading is dropped rather than buffered without end.
      if (res.writableLength > 1_000_000) res.destroy();
      else res.write(text);
    }
  }
}

/** One SSE message: `event: status|doctor|database`, the JSON (redacted) on one data line. */
function frame(event: FeedEvent): string {
  return `event: ${event.type}\ndata: ${safeJson(event.data)}\n\n`;
}
