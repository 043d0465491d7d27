import type { DialectName } from '../../adapters/dialect-adapter.js';
import type { IgnoredFile, StageFolder, TaskVariant } from '../tasks/discover-tasks.js';
import type { TaskDrift } from '../tasks/task-drift.js';

/**
 * ok: ready; problem: a command named in neededBy will fail (exit 1); warning: works, with less;
 * info: for the record.
 */
export type CheckState = 'ok' | 'problem' | 'warning' | 'info';

/** One thing `dmr check` looked at. */
export interface CheckItem {
  /** Stable id, e.g. `reachable`, `privilege:run-lock`, `status-tables`, `clock`. */
  readonly id: string;
  readonly state: CheckState;
  /** The commands that need it. */
  readonly neededBy: readonly string[];
  /** What was found, and what to do when it is not ok. */
  readonly message: string;
}

/** Which database a section is about: the status database, or a verify/copy side. */
export type DatabaseRole = 'status' | 'source' | 'target';

/** The checks of one database. */
export interface DatabaseCheck {
  readonly role: DatabaseRole;
  /** Redacted connection description. */
  readonly database: string;
  readonly dialect: DialectName;
  readonly reachable: boolean;
  readonly serverVersion: string | null;
  readonly user: string | null;
  /** The schema (MySQL: database) checked: the status schema, or --source-schema/--target-schema or the default. */
  readonly schema: string | null;
  /** Server clock minus this host's clock, in ms (null when not measured). */
  readonly clockOffsetMs: number | null;
  readonly items: readonly CheckItem[];
}

/** A task of a stage as check shows it. */
interface CheckedTask {
  readonly name: string;
  readonly file: string;
  /** The dialect of the file that runs here; null for the generic file. */
  readonly variant: DialectName | null;
  /** Every file of this task name: the generic one and each dialect's variant, and which one runs here. */
  readonly variants: readonly TaskVariant[];
}

/** The task tree for the status database's dialect. */
export interface TaskTreeCheck {
  readonly sqlDir: string;
  readonly dialect: DialectName;
  readonly stages: readonly {
    readonly stage: string;
    readonly state: StageFolder['state'];
    readonly tasks: readonly CheckedTask[];
    readonly ignored: readonly IgnoredFile[];
  }[];
  /** Tasks of succeeded stages whose files changed since they ran (resume refuses). */
  readonly drift: readonly TaskDrift[];
  readonly items: readonly CheckItem[];
}

/** `dmr check --json`. */
export interface CheckDocument {
  /** No problems (warnings allowed): exit 0. */
  readonly ready: boolean;
  readonly problems: number;
  readonly warnings: number;
  readonly databases: readonly DatabaseCheck[];
  /** null when there is no status database to check the tasks for (only --source/--target given). */
  readonly tasks: TaskTreeCheck | null;
  readonly checkedAt: string;
}
