import { withUserFlags, type UserFlags } from './user-flags.js';

/** The databases a verify compares, which status cannot know: the user fills them in. */
export const verifyPlaceholders = '--source <source-url> --target <target-url>';

/**
 * `dmr verify --record` as status and serve suggest it: placeholders for the compared databases, and the flags of
 * the status database the verdict belongs in (a bare one records into whatever the default database is).
 */
export function verifyRecordCommand(flags: UserFlags): string {
  return withUserFlags(`dmr verify --record ${verifyPlaceholders}`, flags);
}
