import { redactSecrets } from '../config/redact.js';
import { DmrError, ExitCode } from '../core/errors.js';
import { out } from './output.js';

/** Prints one clear line (and the hint) for expected errors; the stack only for bugs or --verbose. */
export function renderError(error: unknown, verbose: boolean): number {
  if (error instanceof DmrError) {
    out.info(`dmr: ${redactSecrets(error.message)}`);
    if (error.hint) out.info(`  ${error.hint}`);
    if (verbose && error.stack) out.info(redactSecrets(error.stack));
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  out.info(`dmr: internal error: ${redactSecrets(stack)}`);
  out.info('  this is a bug in dmr: please report it with the output above');
  return ExitCode.internal;
}
