import { badRequest } from './http-error.js';

const maxReasonLength = 500;

/** The body of an action: `{"reason": "..."}`, the why written in history (one line, at most 500 characters). */
export function parseActionBody(body: unknown): { reason: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('send a JSON object {"reason": "why"}');
  const extra = Object.keys(body).filter((k) => k !== 'reason');
  if (extra.length) throw badRequest(`unknown field ${JSON.stringify(extra[0])}: send only "reason"`);
  const reason = (body as { reason?: unknown }).reason;
  if (typeof reason !== 'string' || reason.trim() === '')
    throw badRequest('reason is required: say why, it is written in history');
  // eslint-disable-next-line no-control-regex -- a reason is one line of text: control characters become spaces
  const line = reason.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (line.length > maxReasonLength) throw badRequest(`reason is longer than ${maxReasonLength} characters`);
  return { reason: line };
}
