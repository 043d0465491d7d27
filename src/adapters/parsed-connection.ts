/** Why a first connection attempt may be retried with `alternative` (libpq's sslmode=prefer and allow). */
type NegotiationCause = 'tls-unavailable' | 'tls-required';

/** A connection as the engine's driver takes it, read from a URL or a knexfile entry. */
export interface ParsedConnection {
  /** The driver's connection options (knex's `connection`). */
  readonly connection: Record<string, unknown>;
  /** The URL rebuilt from its parts with the password as ***: safe for any output or stored row. */
  readonly display: string;
  /** Passwords and passphrases found: config hides them from every later output. */
  readonly secrets: readonly string[];
  /**
   * The parameter that demands TLS (`sslmode=verify-full`, `ssl-mode=REQUIRED`), named when the server
   * offers none; such a connection never falls back to plaintext.
   */
  readonly tlsRequiredBy?: string;
  /** libpq's prefer/allow: the options to try once more when the first attempt fails for `when`. */
  readonly alternative?: { readonly connection: Record<string, unknown>; readonly when: NegotiationCause };
}

/** How one engine reads where to connect: a URL, or a knexfile entry's `connection` object. */
export interface ConnectionParser {
  /** A URL of one of the engine's schemes; `baseDir` resolves relative file paths. */
  fromUrl(raw: string, baseDir: string): ParsedConnection;
  /** A knexfile entry's connection object (driver options, plus the URL's parameters by their URL names). */
  fromObject(connection: Readonly<Record<string, unknown>>, baseDir: string): ParsedConnection;
}
