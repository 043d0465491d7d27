import type { FastifyInstance } from 'fastify';
import { onlyParams, sendError, sendJson } from './answer.js';
import { HttpError } from './http-error.js';
import type { EventStreams } from './event-stream.js';
import { verifyRecordCommand } from '../hints/verify-record-command.js';
import { parseHistoryQuery, readHistoryPage } from './history-page.js';
import { readLiveStatus } from './live-status.js';
import type { ServeOptions } from './serve-options.js';
import { databaseAnswerMs, type StatusFeed } from './status-feed.js';

/**
 * The read API. Each request reads the database through the core, as `dmr status --json`,
 * `dmr doctor --json` and history do; only /api/events is served from the one feed loop.
 */
export function registerApiRoutes(
  app: FastifyInstance,
  o: ServeOptions,
  feed: StatusFeed,
  streams: EventStreams,
): void {
  const { store } = o;
  const { adapter } = store.database;
  app.get('/api/status', async (request, reply) => {
    try {
      onlyParams(request);
      return sendJson(reply, 200, await answered(o.statusDocument(store)));
    } catch (error) {
      return sendError(reply, error, adapter);
    }
  });
  app.get('/api/doctor', async (request, reply) => {
    try {
      onlyParams(request);
      return sendJson(reply, 200, await answered(o.doctorDocument(store)));
    } catch (error) {
      return sendError(reply, error, adapter);
    }
  });
  app.get('/api/history', async (request, reply) => {
    try {
      return sendJson(
        reply,
        200,
        await answered(readHistoryPage(store, parseHistoryQuery(onlyParams(request, ['stage', 'before', 'limit'])))),
      );
    } catch (error) {
      return sendError(reply, error, adapter);
    }
  });
  app.get('/api/live', async (request, reply) => {
    try {
      onlyParams(request);
      return sendJson(reply, 200, await answered(readLiveStatus(store, o.probeProcess)));
    } catch (error) {
      return sendError(reply, error, adapter);
    }
  });
  app.get('/api/server', async (request, reply) => {
    try {
      onlyParams(request);
      const database = feed.latest().find((e) => e.type === 'database')?.data ?? null;
      return sendJson(reply, 200, {
        database: store.database.display,
        schema: store.schema,
        actions: o.allowActions,
        tokenRequired: o.tokens.length > 0,
        pollMs: o.pollMs,
        pages: streams.size,
        feedQueries: feed.queries,
        databaseState: database,
        verifyCommand: verifyRecordCommand(o.suggestions?.flags ?? {}),
      });
    } catch (error) {
      return sendError(reply, error, adapter);
    }
  });
  app.get('/api/events', (request, reply) => {
    try {
      onlyParams(request);
    } catch (error) {
      return sendError(reply, error, adapter);
    }
    streams.attach(request, reply);
    return reply;
  });
}

/**
 * A read the database has not answered within databaseAnswerMs: 503 now, as the feed says at the same moment,
 * instead of a request that waits as long as the database hangs (a lock, a stopped server). The query runs on.
 */
function answered<T>(read: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HttpError(
            503,
            `the database has not answered for ${databaseAnswerMs / 1000} s`,
            'check the database server (a lock on the status tables, a hung session); the page reconnects by itself',
          ),
        ),
      databaseAnswerMs,
    );
  });
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}
