import type { DialectAdapter } from '../../adapters/dialect-adapter.js';
import { DmrError, ExitCode, LockHeldError } from '../errors.js';

/** An answer other than 200, with the words the CLI would print. */
export class HttpError extends Error {
  constructor(
    /** The HTTP status sent. */
    readonly status: number,
    message: string,
    /** What to do next, as the CLI's hint line. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A request parameter is wrong: 400 with one line saying which and why. */
export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

/** The JSON body of every error answer. */
interface ErrorBody {
  readonly error: { readonly status: number; readonly message: string; readonly hint?: string };
}

/**
 * Maps what a core call threw to an HTTP answer: a live run holding the lock 409, a refused
 * action (`conflict`) 409, a refused request 400, the database unreachable or failing 503,
 * anything else (a bug) 500. Messages are the CLI's; driver errors go through the adapter.
 */
export function toHttpError(error: unknown, adapter: DialectAdapter, conflict = false): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof LockHeldError) return new HttpError(409, error.message, error.hint);
  if (error instanceof DmrError) {
    if (conflict && error.exitCode === ExitCode.usage) return new HttpError(409, error.message, error.hint);
    if (/status tables not found/.test(error.message)) return new HttpError(404, error.message, error.hint);
    if (/cannot connect|could not be updated/.test(error.message)) return new HttpError(503, error.message, error.hint);
    return new HttpError(error.exitCode === ExitCode.usage ? 400 : 500, error.message, error.hint);
  }
  if (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof ReferenceError ||
    error instanceof SyntaxError
  ) {
    return new HttpError(500, `internal error: ${error.message}`, 'this is a bug in dmr: please report it');
  }
  const detail = adapter.describeError(error);
  return new HttpError(
    503,
    `the database did not answer: ${detail.message}${detail.code ? ` (${detail.code})` : ''}`,
    'check that the database server is running; the page reconnects by itself',
  );
}

/** The body sent for an error. */
export function errorBody(error: HttpError): ErrorBody {
  return { error: { status: error.status, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } };
}
