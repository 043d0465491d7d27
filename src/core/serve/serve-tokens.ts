import { createHash, timingSafeEqual } from 'node:crypto';
import { UsageError } from '../errors.js';

/** A bearer token the server accepts; its label is written in history as who asked. */
export interface ServeToken {
  /** Who holds the token (`ops`, `alice`); `token` when the flag gave no label. */
  readonly label: string;
  readonly secret: string;
}

/** Shorter secrets are refused: a token guards a network-reachable page and its actions. */
const minTokenLength = 16;

const labelPattern = /^[A-Za-z0-9_.@-]{1,40}$/;

/** `LABEL:SECRET` or `SECRET` (label `token`), as given to --token or a line of --token-file. */
export function parseTokenSpec(spec: string, where = '--token'): ServeToken {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const labelled = colon > 0 && labelPattern.test(text.slice(0, colon));
  const label = labelled ? text.slice(0, colon) : 'token';
  const secret = labelled ? text.slice(colon + 1) : text;
  if (secret.length < minTokenLength || /\s/.test(secret)) {
    throw new UsageError(
      `${where}: the token${label === 'token' ? '' : ` of ${label}`} ` +
        `must be at least ${minTokenLength} characters without spaces`,
      'make one with `openssl rand -hex 24` and pass it as LABEL:SECRET',
    );
  }
  return { label, secret };
}

/** Refuses two tokens with one label or one secret, so a label always names one holder. */
export function checkTokens(tokens: readonly ServeToken[]): readonly ServeToken[] {
  const labels = new Set<string>();
  const secrets = new Set<string>();
  for (const t of tokens) {
    if (labels.has(t.label))
      throw new UsageError(`two tokens are labelled ${t.label}`, 'give each token its own LABEL:');
    if (secrets.has(t.secret))
      throw new UsageError(`the token of ${t.label} is given twice`, 'give each holder its own secret');
    labels.add(t.label);
    secrets.add(t.secret);
  }
  return tokens;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The token whose secret equals `presented`, compared in constant time; null when none does. */
export function findToken(tokens: readonly ServeToken[], presented: string | null): ServeToken | null {
  if (!presented) return null;
  const given = digest(presented);
  let found: ServeToken | null = null;
  for (const t of tokens) if (timingSafeEqual(digest(t.secret), given)) found = t;
  return found;
}

/** The secret of an `Authorization: Bearer ...` header, or null. */
export function bearerOf(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
