import { UsageError } from './errors.js';

const plain = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Refuses any name that is not a plain identifier, so user input never becomes SQL text. */
export function assertIdentifier(name: string, what: string): string {
  if (!plain.test(name)) {
    throw new UsageError(
      `${what} ${JSON.stringify(name)} is not a plain identifier`,
      'use letters, digits and _ only, starting with a letter or _',
    );
  }
  return name;
}
