import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseActionBody } from './action-body.js';
import { sendError, sendJson } from './answer.js';
import { HttpError } from './http-error.js';
import { requestToken } from './request-guard.js';
import { fixAction, runAction, stopAction, type ActionRequest } from './run-actions.js';
import type { ServeOptions } from './serve-options.js';

const actions = ['stop', 'resume', 'restart', 'fix'] as const;

/**
 * POST /api/actions/stop|resume|restart|fix. Without --allow-actions they answer 404 saying how
 * to enable them. The request guard has already refused other origins (403) and missing or
 * wrong tokens (401); refusals of the job's state are 409, as the CLI's exit 3 or its refusal.
 */
export function registerActionRoutes(app: FastifyInstance, o: ServeOptions): void {
  const { adapter } = o.store.database;
  app.post('/api/actions/:action', async (request, reply) => {
    const action = (request.params as { action: string }).action;
    try {
      if (!actions.includes(action as (typeof actions)[number])) {
        throw new HttpError(404, `no action ${JSON.stringify(action)}: actions are ${actions.join(', ')}`);
      }
      if (!o.allowActions)
        throw new HttpError(
          404,
          'actions are off on this server',
          'start it with `dmr serve --allow-actions --token LABEL:SECRET`',
        );
      const who = asker(request);
      const result =
        action === 'stop'
          ? await stopAction(o, who)
          : action === 'fix'
            ? await fixAction(o, who)
            : await runAction(o, action as 'resume' | 'restart', who);
      return sendJson(reply, 202, result);
    } catch (error) {
      return sendError(reply, error, adapter, true);
    }
  });
}

function asker(request: FastifyRequest): ActionRequest {
  const token = requestToken.get(request);
  if (!token) throw new HttpError(401, 'actions need a token', 'send it as `Authorization: Bearer TOKEN`');
  return { label: token.label, ...parseActionBody(request.body) };
}
