import { UsageError } from '../errors.js';
import { assertName } from '../verify/verify-names.js';
import type { CastSpec } from './copy-types.js';

/** `[table.]column=TYPE`; TYPE is checked against the target engine's type syntax before it reaches DDL. */
export function parseCast(spec: string): CastSpec {
  const at = spec.indexOf('=');
  if (at < 1)
    throw new UsageError(
      `--cast ${JSON.stringify(spec)} is not COLUMN=TYPE`,
      'for example --cast amount=numeric(12,2) or --cast orders.note=text',
    );
  const [first = '', second] = spec.slice(0, at).split('.');
  const type = spec.slice(at + 1).trim();
  if (!type) throw new UsageError(`--cast ${JSON.stringify(spec)} has no type`);
  return second === undefined
    ? { column: assertName(first, '--cast'), type }
    : { table: assertName(first, '--cast'), column: assertName(second, '--cast'), type };
}
