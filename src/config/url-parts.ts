import { UsageError } from '../core/errors.js';
import { rememberSecret } from './redact.js';

const escapeHint = 'percent-encode these characters of a password: % as %25, / as %2F, ? as %3F, # as %23 (@ and : may stay)';

/**
 * Reads a server URL (scheme://user:password@host:port/database?params) the way URL parsers do: the
 * user information ends at the LAST @ of the authority. Refuses a malformed %-escape or an unparsable
 * URL with exit 2, never echoing the URL (it may hold a password), and remembers the password so that
 * no later output shows it.
 */
export function readServerUrl(raw: string): URL {
  const scheme = schemeOf(raw);
  rememberSecret(typedPassword(raw));
  if (/%(?![0-9a-f]{2})/i.test(raw)) {
    throw new UsageError(
      `malformed ${scheme}:// connection URL: a "%" is not followed by two hex digits (the URL is not shown: it may hold a password)`,
      escapeHint,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `malformed ${scheme}:// connection URL (not shown: it may hold a password)`,
      `expected ${scheme}://user:password@host:port/database; ${escapeHint}`,
    );
  }
  rememberSecret(url.password, decodeURIComponent(url.password));
  return url;
}

/** The URL rebuilt from its parsed parts with the password replaced by ***: nothing of it survives. */
export function displayUrl(url: URL): string {
  const user = url.username ? `${url.username}${url.password ? ':***' : ''}@` : url.password ? ':***@' : '';
  return `${url.protocol}//${user}${url.host}${url.pathname}`;
}

/** A URL for messages when it cannot be parsed: the scheme only. */
export function schemeOf(raw: string): string {
  return /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase() ?? '(no scheme)';
}

/** The password as typed (between the first ':' of the user information and its last '@'). */
function typedPassword(raw: string): string | undefined {
  const start = raw.indexOf('//');
  if (start < 0) return undefined;
  const rest = raw.slice(start + 2);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at < 0) return undefined;
  const colon = authority.indexOf(':');
  return colon >= 0 && colon < at ? authority.slice(colon + 1, at) : undefined;
}
