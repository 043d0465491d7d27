/** The parts of a connection that may be shown; the password only as whether there is one. */
export interface DisplayParts {
  readonly scheme: string;
  readonly user?: string;
  readonly hasPassword?: boolean;
  /** Host name, address, or socket path (shown percent-encoded, as a URL would carry it). */
  readonly host?: string;
  readonly port?: string | number;
  readonly database?: string;
}

/**
 * A connection rebuilt as a URL from its parsed parts, password as ***: nothing of the secret survives,
 * whatever characters it holds. Also the identity dmr compares to tell whether two sides are one database.
 */
export function displayConnection(p: DisplayParts): string {
  const credentials =
    p.user || p.hasPassword ? `${encodeURIComponent(p.user ?? '')}${p.hasPassword ? ':***' : ''}@` : '';
  const host = !p.host
    ? ''
    : p.host.includes(':') && !p.host.includes('/')
      ? `[${p.host}]`
      : encodeURIComponent(p.host);
  const port = p.port !== undefined && p.port !== '' ? `:${String(p.port)}` : '';
  return `${p.scheme}://${credentials}${host}${port}/${encodeURIComponent(p.database ?? '')}`;
}
