import type { FastifyInstance } from 'fastify';
import { onlyParams, sendError, sendJson } from './answer.js';
import type { EventStreams } from './event-stream.js';
import { verifyRecordCommand } from '../hints/verify-record-command.js';
import { parseHistoryQuery, readHistoryPage } from './history-page.js';
import { readLiveStatus } from './live-status.js';
import type { ServeOptions } from './serve-options.js';
import type { StatusFeed } from './status-feed.js';

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
      return sendJson(reply, 200, await o.statusDocument(store));
    } catch (error) {
      return sendError(reply, error, adapter);
    }
  });
  app.get('/api/doctor', async (request, reply) => {
    try {
      onlyParams(request);
      return sendJson(reply, 200, await o.doctorDocument(store));
    } catch (error) {
      return sendError(reply, error, adapter);
    }
  });
  app.get('/api/history', async (request, reply) => {
    try {
      return sendJson(
        reply,
        200,
        await readHistoryPage(store, parseHistoryQuery(onlyParams(request, ['stage', 'before', 'limit']))),
      );
    } catch (error) {
      return sendError(reply, error, adapter);
    }
  });
  app.get('/api/live', async (request, reply) => {
    try {
      onlyParams(request);
      return sendJson(reply, 200, await readLiveStatus(store, o.probeProcess));
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
