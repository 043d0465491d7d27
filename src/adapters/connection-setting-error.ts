/**
 * A connection setting dmr cannot honour: an unknown parameter, a bad value, a certificate file that
 * cannot be read, a malformed URL. Config turns it into a usage error (exit 2); adapters stay free of
 * core's errors.
 */
export class ConnectionSettingError extends Error {
  /** What to do instead, printed after the message. */
  readonly hint: string;
  /** Passwords seen before the setting was refused: hidden from every later output. */
  readonly secrets: readonly string[];

  constructor(message: string, hint: string, secrets: readonly string[] = []) {
    super(message);
    this.name = 'ConnectionSettingError';
    this.hint = hint;
    this.secrets = secrets;
  }
}
