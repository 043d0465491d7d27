import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DialectAdapter } from '../../adapters/dialect-adapter.js';
import { badRequest, errorBody, toHttpError } from './http-error.js';
import { safeJson } from './redact-answer.js';

/** Sends a JSON document (every string value redacted). */
export function sendJson(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(safeJson(value));
}

/** Sends any error as `{error: {status, message, hint}}` with its HTTP status. */
export function sendError(
  reply: FastifyReply,
  error: unknown,
  adapter: DialectAdapter,
  conflict = false,
): FastifyReply {
  const http = toHttpError(error, adapter, conflict);
  return sendJson(reply, http.status, errorBody(http));
}

/** Refuses query parameters a route does not take (400, one line). */
export function onlyParams(request: FastifyRequest, allowed: readonly string[] = []): Record<string, unknown> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const extra = Object.keys(query).filter((k) => !allowed.includes(k));
  if (extra.length)
    throw badRequest(
      `unknown parameter ${JSON.stringify(extra[0])}` +
        (allowed.length ? `: use ${allowed.join(', ')}` : ': this endpoint takes none'),
    );
  return query;
}
