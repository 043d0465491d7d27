import { redactSecrets } from '../config/redact.js';
import { DmrError } from '../core/errors.js';
import { errorDocument } from '../api/error-document.js';
import { out } from './output.js';

export interface RenderErrorOptions {
  readonly verbose: boolean;
  /** --json: the error is stdout's one JSON document (unless the command already wrote its own). */
  readonly json: boolean;
  /** Adds the flags the user gave to the commands a message suggests. */
  readonly rewrite?: (text: string) => string;
}

/**
 * Prints one clear line (and the hint) on stderr for expected errors, the stack only for bugs or
 * --verbose; with --json also `{"error": {...}}` on stdout. Returns the exit code.
 */
export function renderError(error: unknown, options: RenderErrorOptions): number {
  const document = errorDocument(error, options.rewrite);
  if (options.json && !out.wroteDocument) out.json(document);
  const { message, hint } = document.error;
  if (error instanceof DmrError) {
    out.info(`dmr: ${message}`);
    if (hint) out.info(`  ${hint}`);
    if (options.verbose && error.stack) out.info(redactSecrets(error.stack));
  } else {
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    out.info(`dmr: internal error: ${redactSecrets(stack)}`);
    out.info('  this is a bug in dmr: please report it with the output above');
  }
  return document.error.exitCode;
}
