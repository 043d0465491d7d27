/** Replaces the password of any URL-looking credential in text with ***. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)([^@\s/]*)@/gi, '$1***@')
    .replace(/((?:password|pwd)\s*=\s*)([^;\s]+)/gi, '$1***');
}
