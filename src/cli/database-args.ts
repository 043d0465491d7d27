import type { DatabaseOptions } from '../api/database-options.js';
import type { GlobalArgs } from './command.js';

/** The global flags as the library API's database options. */
export function databaseOptions(args: GlobalArgs): DatabaseOptions {
  return {
    ...(args.url ? { url: args.url } : {}),
    ...(args.env ? { env: args.env } : {}),
    ...(args.knexfile ? { knexfile: args.knexfile } : {}),
    ...(args.schema !== undefined ? { schema: args.schema } : {}),
  };
}
