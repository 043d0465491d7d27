import { withUserFlags, type UserFlags } from '../core/hints/user-flags.js';
import type { GlobalArgs } from './command.js';

let current: UserFlags = {};

/** True when the user wrote the flag (yargs fills in defaults, which need not be repeated). */
function given(argv: readonly string[], flag: string): boolean {
  return argv.some((a) => a === flag || a.startsWith(`${flag}=`));
}

/** The flags to carry into suggestions, from the parsed arguments and what the user wrote. */
export function userFlagsOf(
  args: Partial<GlobalArgs> & { readonly 'sql-dir'?: string },
  argv: readonly string[],
): UserFlags {
  return {
    ...(args.url ? { url: args.url } : {}),
    ...(args.env ? { env: args.env } : {}),
    ...(args.knexfile ? { knexfile: args.knexfile } : {}),
    ...(args.schema && given(argv, '--schema') ? { schema: args.schema } : {}),
    ...(args['sql-dir'] && given(argv, '--sql-dir') ? { sqlDir: args['sql-dir'] } : {}),
  };
}

/** Remembers the flags of the command being run (main.ts, once per process). */
export function setUserFlags(flags: UserFlags): void {
  current = flags;
}

/** The flags of the command being run. */
export function userFlags(): UserFlags {
  return current;
}

/** A hint or suggested command with the user's connection and path flags added. */
export function hint(text: string): string {
  return withUserFlags(text, current);
}
