import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLoopback } from './bind-address.js';
import { HttpError } from './http-error.js';
import { bearerOf, findToken, type ServeToken } from './serve-tokens.js';

/** The token a request presented, once checked (its label is who asked). */
export const requestToken = new WeakMap<FastifyRequest, ServeToken>();

interface GuardOptions {
  readonly tokens: readonly ServeToken[];
  /** The server listens on loopback only: refuse Host names that are not (DNS rebinding). */
  readonly loopbackOnly: boolean;
}

/**
 * Runs before every route. Loopback servers answer only to loopback Host names, so a web page
 * elsewhere cannot rebind its name to 127.0.0.1 and read the API. POSTs from another origin are
 * refused (403) before anything else. With tokens, every /api request needs a valid
 * `Authorization: Bearer` token (401 otherwise); the page itself holds no data and stays open.
 */
export function guardRequest(o: GuardOptions, request: FastifyRequest, reply: FastifyReply): void {
  const host = hostnameOf(request.headers.host);
  if (o.loopbackOnly && (host === null || !isLoopback(host))) {
    throw new HttpError(
      403,
      `Host ${JSON.stringify(request.headers.host ?? '')} is not this server's name`,
      'open the page as http://127.0.0.1:PORT/ or http://localhost:PORT/',
    );
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') assertSameOrigin(request);
  if (o.tokens.length === 0 || !request.url.startsWith('/api/')) return;
  const token = findToken(o.tokens, bearerOf(request.headers.authorization));
  if (!token) {
    void reply.header('www-authenticate', 'Bearer realm="dmr"');
    const why = request.headers.authorization
      ? 'the token is not one this server accepts'
      : 'this server needs a token';
    throw new HttpError(401, why, 'send it as `Authorization: Bearer TOKEN` (the page asks for it)');
  }
  requestToken.set(request, token);
}

function assertSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  // Host and port must match; the scheme may differ behind a proxy that terminates TLS.
  const foreign = origin !== undefined && originHost(origin) !== (request.headers.host ?? '').toLowerCase();
  if (foreign || site === 'cross-site' || site === 'same-site') {
    throw new HttpError(
      403,
      `request from another origin (${origin ?? String(site)}) refused`,
      'send actions from the dmr serve page itself, or without an Origin header',
    );
  }
}

function originHost(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host.toLowerCase() : null;
  } catch {
    return null;
  }
}

function hostnameOf(header: string | undefined): string | null {
  if (!header) return null;
  try {
    return new URL(`http://${header}`).hostname;
  } catch {
    return null;
  }
}
