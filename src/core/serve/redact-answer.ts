import { redactSecrets } from '../../config/redact.js';

/**
 * A text with credentials removed: the whole user:password@ part of any URL (the page shows
 * which server and database, never who logs in with what), and any password=... pair.
 */
export function redactText(text: string): string {
  return redactSecrets(text).replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#\s@"']*@/gi, '$1');
}

/** JSON.stringify with every string value redacted: applied to every answer and event, whatever produced it. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? redactText(v) : v));
}
