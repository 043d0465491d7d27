import { redactSecrets } from '../config/redact.js';
import { ConnectionError, DmrError, ExitCode, LockHeldError, UsageError } from '../core/errors.js';

/** Stable, machine-readable kinds of error in `{"error": {...}}`; see docs/json.md. */
export type ErrorCode = 'usage' | 'connection' | 'lock-held' | 'failed' | 'stopped' | 'internal';

/** The `--json` document of a command that ended in an error (every command, every error). */
export interface ErrorDocument {
  readonly error: {
    /** What happened, one line, passwords redacted. */
    readonly message: string;
    /** What to do next, or null. */
    readonly hint: string | null;
    readonly code: ErrorCode;
    /** The process exit code (2 usage, configuration, connection; 3 lock held; 4 a bug; ...). */
    readonly exitCode: number;
  };
}

function codeOf(error: DmrError): ErrorCode {
  if (error instanceof ConnectionError) return 'connection';
  if (error instanceof UsageError) return 'usage';
  if (error instanceof LockHeldError) return 'lock-held';
  if (error.exitCode === ExitCode.sigint || error.exitCode === ExitCode.sigterm) return 'stopped';
  if (error.exitCode === ExitCode.usage) return 'usage';
  if (error.exitCode === ExitCode.locked) return 'lock-held';
  return error.exitCode === ExitCode.internal ? 'internal' : 'failed';
}

/** Any thrown value as the error document; `rewrite` adds the user's flags to suggested commands. */
export function errorDocument(error: unknown, rewrite: (text: string) => string = (t) => t): ErrorDocument {
  if (error instanceof DmrError) {
    return {
      error: {
        message: redactSecrets(error.message),
        hint: error.hint ? rewrite(redactSecrets(error.hint)) : null,
        code: codeOf(error),
        exitCode: error.exitCode,
      },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    error: {
      message: `internal error: ${redactSecrets(message)}`,
      hint: 'this is a bug in dmr: please report it with the output on stderr',
      code: 'internal',
      exitCode: ExitCode.internal,
    },
  };
}
