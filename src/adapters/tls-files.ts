import { existsSync, readFileSync } from 'node:fs';
import { ConnectionSettingError } from './connection-setting-error.js';

/** Reads a certificate, key or CRL file a TLS parameter names; a file that cannot be read is refused by name. */
export function readTlsFile(parameter: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConnectionSettingError(`${parameter}: cannot read ${file} (${code})`, `fix the path in ${parameter}`);
  }
}

/** A default file (libpq's ~/.postgresql/root.crt) read only when it exists. */
export function readDefaultTlsFile(parameter: string, file: string): string | undefined {
  return existsSync(file) ? readTlsFile(parameter, file) : undefined;
}

/** TLS protocol names as libpq and MySQL write them, mapped to Node's. */
export function tlsVersion(parameter: string, value: string): 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' {
  const known = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
  const found = known.find((v) => v.toLowerCase() === value.trim().toLowerCase());
  if (!found)
    throw new ConnectionSettingError(`${parameter}=${value} is not a TLS version`, `use one of ${known.join(', ')}`);
  return found;
}

/** A whole number within bounds, or a refusal naming the parameter. */
export function wholeNumber(parameter: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n < min || n > max) {
    throw new ConnectionSettingError(
      `${parameter}=${value} is not a whole number from ${min} to ${max}`,
      `fix ${parameter}`,
    );
  }
  return n;
}

/** A boolean written as 1/0, true/false, yes/no, on/off. */
export function flag(parameter: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConnectionSettingError(`${parameter}=${value} is not a boolean`, `use ${parameter}=1 or ${parameter}=0`);
}
