import { ConnectionSettingError } from './connection-setting-error.js';

const escapeHint =
  'percent-encode these characters of a password: % as %25, / as %2F, ? as %3F, # as %23 (@ and : may stay)';

/** A server URL read by the WHATWG parser, with every form of its password (to hide them all later). */
export interface ServerUrl {
  readonly url: URL;
  /** The password as typed, decoded, and as the parser normalised it. */
  readonly secrets: readonly string[];
  /** The URL without its query and fragment, for a driver's own parser. */
  readonly base: string;
  /** The host, decoded, without IPv6 brackets; '' when the URL names none (user@/db: the driver's default). */
  readonly host: string;
  /** The query parameters in order, names as written. */
  readonly parameters: readonly (readonly [string, string])[];
}

/**
 * Reads a server URL (scheme://user:password@host:port/database?params) the way URL parsers do: the
 * user information ends at the LAST @ of the authority. A malformed %-escape or an unparsable URL is
 * refused without echoing the URL (it may hold a password).
 */
export function readServerUrl(raw: string): ServerUrl {
  const scheme = schemeOf(raw);
  const typed = typedPassword(raw);
  const secrets = typed ? [typed] : [];
  if (/%(?![0-9a-f]{2})/i.test(raw)) {
    throw new ConnectionSettingError(
      `malformed ${scheme}:// connection URL: a "%" is not followed by two hex digits (the URL is ` +
        `not shown: it may hold a password)`,
      escapeHint,
      secrets,
    );
  }
  let url: URL | undefined;
  let host: string | undefined;
  try {
    url = new URL(raw);
  } catch {
    // user@/database: no host (a socket or the driver's default), which the WHATWG parser refuses.
    url = raw.includes('@/') ? parseOrUndefined(raw.replace('@/', '@dmr-no-host/')) : undefined;
    host = '';
  }
  if (!url) {
    throw new ConnectionSettingError(
      `malformed ${scheme}:// connection URL (not shown: it may hold a password)`,
      `expected ${scheme}://user:password@host:port/database; ${escapeHint}`,
      secrets,
    );
  }
  secrets.push(url.password, decodeURIComponent(url.password));
  const cut = raw.search(/[?#]/);
  host ??= decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  return { url, secrets, host, base: cut < 0 ? raw : raw.slice(0, cut), parameters: [...url.searchParams.entries()] };
}

function parseOrUndefined(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/** The scheme of a URL for messages, lower case. */
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
