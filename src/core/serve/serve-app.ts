import Fastify, { type FastifyInstance } from 'fastify';
import { registerActionRoutes } from './action-routes.js';
import { sendError } from './answer.js';
import { registerApiRoutes } from './api-routes.js';
import { assertBindAllowed, bindsLoopbackOnly } from './bind-address.js';
import { UsageError } from '../errors.js';
import { EventStreams } from './event-stream.js';
import { HttpError } from './http-error.js';
import { loadPage } from './page-file.js';
import { guardRequest } from './request-guard.js';
import type { ServeOptions } from './serve-options.js';
import { StatusFeed } from './status-feed.js';

/** A running `dmr serve`. */
interface DmrServer {
  readonly app: FastifyInstance;
  readonly feed: StatusFeed;
  readonly streams: EventStreams;
  /** http://host:port of the listening socket. */
  readonly url: string;
  /**
   * Ends the event streams, stops the feed and closes the listener (the store stays open: its owner closes it).
   * Waits at most `closeGraceMs` for a statement in flight: a database that stopped answering must not hold
   * a SIGINT. False when something was still waiting then.
   */
  close(): Promise<boolean>;
}

/** How long shutdown waits for a statement in flight (a read: nothing is lost by not waiting longer). */
export const closeGraceMs = 2000;

/** True when `work` settled within `ms`, false when it was still pending (it is left to finish by itself). */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the server, starts the one feed loop and listens. */
export async function startServer(o: ServeOptions): Promise<DmrServer> {
  const loopbackOnly = await bindsLoopbackOnly(o.host);
  assertBindAllowed(o.host, loopbackOnly, o.tokens.length > 0, o.allowActions);
  const page = loadPage();
  const feed = new StatusFeed({
    store: o.store,
    pollMs: o.pollMs,
    doctorMs: o.doctorMs ?? 2000,
    probeProcess: o.probeProcess,
    diagnose: o.diagnose,
    suggestions: o.suggestions,
  });
  const streams = new EventStreams(feed);
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024, forceCloseConnections: true, return503OnClosing: true });
  const { adapter } = o.store.database;
  const guard = { tokens: o.tokens, loopbackOnly };
  app.addHook('onRequest', async (request, reply) => {
    try {
      guardRequest(guard, request, reply);
    } catch (error) {
      return sendError(reply, error, adapter);
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY');
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return sendError(reply, new HttpError(status, error.message.split('\n')[0] ?? 'bad request'), adapter);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new HttpError(404, `no such page: ${request.method} ${request.url.split('?')[0]}`), adapter),
  );
  app.get('/', (_request, reply) =>
    reply
      .header('content-security-policy', page.csp)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(page.html),
  );
  app.get('/favicon.ico', (_request, reply) => reply.code(204).send());
  registerApiRoutes(app, o, feed, streams);
  registerActionRoutes(app, o);
  feed.start();
  try {
    await app.listen({ host: o.host, port: o.port });
  } catch (error) {
    streams.close();
    await feed.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new UsageError(`cannot listen on ${o.host}:${o.port}: ${code}`, 'pass another --port or --host');
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  let closing: Promise<boolean> | null = null;
  return {
    app,
    feed,
    streams,
    url: `http://${host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        streams.close();
        return settledWithin(Promise.all([feed.stop(), app.close()]), closeGraceMs);
      })()),
  };
}
