/** Exit codes shared by every command (see README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  answeredNo: 1,
  usage: 2,
  locked: 3,
  internal: 4,
  sigint: 130,
  sigterm: 143,
} as const;

/** Base class of every error dmr expects; anything else is a bug (exit 4). */
export class DmrError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;
  /** What the user should do next, printed after the message. */
  readonly hint?: string;

  constructor(message: string, exitCode: number, hint?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad flags, unknown stage, malformed config, unsafe identifier: nothing was changed. */
export class UsageError extends DmrError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, ExitCode.usage, hint, options);
  }
}

/** The database could not be reached or refused the login: nothing was changed. */
export class ConnectionError extends DmrError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, ExitCode.usage, hint, options);
  }
}

/** Another live run holds the run lock. */
export class LockHeldError extends DmrError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.locked, hint);
  }
}
