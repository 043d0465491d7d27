import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A driver package loaded on first use, so a run on one engine does not load the others' drivers
 * (tedious and mssql alone are about 30 MB of memory, mysql2 about 15 MB). The registry of dialects
 * imports every engine folder; only what an engine's code calls pulls its driver in.
 */
export function lazyDriver<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
