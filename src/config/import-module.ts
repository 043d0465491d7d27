/**
 * Imports a user's module (knexfile, task module). TypeScript is compiled on the fly by tsx,
 * so users edit .ts files without a build step. A fresh import each call picks up edits.
 */
export async function importModule(url: string): Promise<Record<string, unknown>> {
  // tsx is loaded only when a TypeScript file is imported: it costs start-up time otherwise.
  const mod = /\.(c|m)?ts$/.test(new URL(url).pathname)
    ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url)
    : await import(url);
  return unwrapInterop(mod as Record<string, unknown>);
}

/** Some loaders wrap an ES module once more in CommonJS interop ({default: {default: ...}}): undo that. */
function unwrapInterop(mod: Record<string, unknown>): Record<string, unknown> {
  let current = mod;
  while (
    Object.keys(current).length === 1 &&
    current.default &&
    typeof current.default === 'object' &&
    'default' in current.default
  ) {
    current = current.default as Record<string, unknown>;
  }
  return current;
}
