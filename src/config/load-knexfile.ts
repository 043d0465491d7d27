import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.js';
import { importModule } from './import-module.js';

const candidates = ['knexfile.ts', 'knexfile.mts', 'knexfile.js', 'knexfile.mjs', 'knexfile.cjs'];

/** Finds the knexfile: the explicit path, else the first candidate in `dir`. */
export function findKnexfile(dir: string, explicit?: string): string | undefined {
  if (explicit) {
    const file = path.resolve(dir, explicit);
    if (!existsSync(file)) throw new UsageError(`knexfile not found: ${file}`, 'check --knexfile');
    return file;
  }
  return candidates.map((name) => path.join(dir, name)).find((file) => existsSync(file));
}

/** Loads a knexfile's environments, compiling TypeScript on the fly so edits need no rebuild. */
export async function loadKnexfile(file: string): Promise<Record<string, unknown>> {
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(pathToFileURL(file).href);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`${path.basename(file)} could not be loaded: ${reason}`, `fix ${file} or pass --url`);
  }
  let environments = (mod.default ?? mod) as unknown;
  if (typeof environments === 'function') environments = await (environments as () => unknown)();
  if (!environments || typeof environments !== 'object') {
    throw new UsageError(
      `${path.basename(file)} does not export an object of environments`,
      'export default { development: { client, connection } }',
    );
  }
  return environments as Record<string, unknown>;
}
