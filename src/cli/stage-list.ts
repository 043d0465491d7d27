import { UsageError } from '../core/errors.js';

/**
 * A comma-separated list of stage names as given to --only or --stage: an empty list or an empty
 * name is a usage error, never "every stage". Unknown names are refused where the stage order is
 * known (selectStages, planReset).
 */
export function parseStageList(value: string, flag: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.every((n) => n === '')) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} names no stage`,
      `name one or more stages, e.g. ${flag} ods,rds`,
    );
  }
  if (names.some((n) => n === '')) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} has an empty stage name`,
      `separate stage names by single commas, e.g. ${flag} ods,rds`,
    );
  }
  return names;
}

/** A single name given to a flag (--from, --from-task): present but blank is a usage error. */
export function nonBlank(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${flag} needs a name`, `e.g. ${flag} rds`);
  return value.trim();
}
