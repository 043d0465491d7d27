/** Secrets seen while resolving connections, hidden wherever they appear later (longest first). */
const secrets = new Set<string>();

/** Shorter strings are too likely to be ordinary text to be replaced everywhere. */
const shortestRemembered = 4;

/**
 * Remembers a password (or passphrase) read from a URL or a knexfile, in each form it may be printed in
 * (as typed, decoded, percent-encoded), so that redactSecrets hides it even where no URL frames it: a
 * driver message, a stack trace, a stored error text.
 */
export function rememberSecret(...forms: readonly unknown[]): void {
  for (const form of forms) {
    if (typeof form !== 'string' || form.length < shortestRemembered) continue;
    secrets.add(form);
    secrets.add(encodeURIComponent(form));
  }
}

// scheme://userinfo@ where userinfo runs to the LAST @ before the authority ends, as URL parsers read it.
const urlCredential = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;
const keyValue = /((?:password|pwd|passphrase)\s*=\s*)([^;&\s]+)/gi;
const jsonValue = /("(?:password|pwd|passphrase)"\s*:\s*")((?:[^"\\]|\\.)*)"/gi;

/** Replaces every password in text (URL credentials, password=..., remembered secrets) with ***. */
export function redactSecrets(text: string): string {
  let result = text
    .replace(urlCredential, (whole, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon < 0 ? whole : `${scheme}${userinfo.slice(0, colon)}:***@`;
    })
    .replace(keyValue, '$1***')
    .replace(jsonValue, '$1***"');
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (result.includes(secret)) result = result.split(secret).join('***');
  }
  return result;
}
