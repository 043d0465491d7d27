import { tsImport } from 'tsx/esm/api';

/**
 * Imports a user's module (knexfile, task module). TypeScript is compiled on the fly by tsx,
 * so users edit .ts files without a build step. A fresh import each call picks up edits.
 */
export async function importModule(url: string): Promise<Record<string, unknown>> {
  if (/\.(c|m)?ts$/.test(new URL(url).pathname)) {
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}
