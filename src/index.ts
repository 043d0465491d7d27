/**
 * dmr as a library: the functions behind the CLI, each returning the document `--json` prints
 * (docs/json.md). Importing this module runs nothing and prints nothing; every function opens
 * its connections and closes them before it resolves. Expected outcomes (a failed stage, doctor
 * findings, verify differences) are in the returned document; usage, connection and lock
 * problems reject with a DmrError whose `exitCode` is the CLI's.
 *
 * @packageDocumentation
 */

/** Runs the stages in order, keeping the status tables true (`dmr migrate`). */
export { migrate } from './api/run.js';
/** Continues at the first stage that is not success (`dmr resume`). */
export { resume } from './api/run.js';
/** Runs every stage again from the first (`dmr restart`). */
export { restart } from './api/run.js';
/** What migrate would do, changing nothing (`dmr migrate --plan`). */
export { plan } from './api/run.js';
/** Checks the status tables, run records and sessions; repairs what is safe with fix and yes (`dmr doctor`). */
export { doctor } from './api/doctor.js';
/** Sets stages to a status, audited in history (`dmr reset`). */
export { reset } from './api/reset.js';
/** The stages, the current or last run, recent history and doctor's verdict (`dmr status`). */
export { status } from './api/status.js';
/** Creates the missing status tables (`dmr init`). */
export { init } from './api/init.js';
/** Asks the live run to stop and waits until it has (`dmr stop`). */
export { stop } from './api/stop.js';
/** Compares table data between two databases (`dmr verify`). */
export { verify } from './api/verify.js';
/** Copies tables between databases in resumable chunks (`dmr copy`). */
export { copy } from './api/copy.js';
/** The plan of a copy, changing nothing (`dmr copy --plan`). */
export { planCopyRun as planCopy } from './api/copy.js';
/** The pre-flight: reachable, version, clock, privileges, status tables, task tree (`dmr check`). */
export { check } from './api/check.js';

/** Where the status tables are: url, env, knexfile, cwd, schema. */
export type { DatabaseOptions } from './api/database-options.js';
/** Options and documents of migrate, resume, restart and plan. */
export type { MigrateOptions, ResumeOptions, RunStagesOptions, RunDocument, StageDocument } from './api/run.js';
/** The document of `migrate --plan`. */
export type { PlanDocument, PlannedStage, PlannedTask } from './core/plan/plan-run.js';
/** Options and document of doctor. */
export type { DoctorOptions, DoctorDocument, FindingDocument } from './api/doctor.js';
/** The fix plan part of doctor's and reset's documents. */
export type { FixDocument } from './api/fix-document.js';
/** Options and document of reset. */
export type { ResetOptions, ResetDocument } from './api/reset.js';
/** Options and document of status. */
export type { StatusOptions, StatusDocument, DoctorSummary } from './api/status.js';
/** The document of init. */
export type { InitDocument } from './api/init.js';
/** Options and document of stop. */
export type { StopOptions, StopDocument } from './api/stop.js';
/** Options of verify; its document is VerificationDocument. */
export type { VerifyOptions } from './api/verify.js';
/** verify's report (snake_case, stable). */
export type { VerificationDocument, TableDocument } from './core/verify/verification-document.js';
/** Options and documents of copy. */
export type { CopyOptions, CopyPlanDocument } from './api/copy.js';
/** copy's report. */
export type { CopyDocument, CopyTableDocument } from './api/copy-document.js';
/** Options and document of check. */
export type { CheckOptions } from './api/check.js';
/** check's report. */
export type { CheckDocument, CheckItem, CheckState, DatabaseCheck, TaskTreeCheck } from './core/check/check-types.js';
/** Progress of a run, given to `onEvent`. */
export type { RunEvent } from './core/runner/run-events.js';
/** Progress of a verify, given to `onEvent`. */
export type { VerifyEvent } from './core/verify/verify-types.js';
/** Progress of a copy, given to `onEvent`. */
export type { CopyEvent } from './core/copy/copy-types.js';
/** Doctor's finding and job view. */
export type { Finding, JobView } from './core/doctor/finding.js';

/** What a `.ts` task module's function receives besides knex: stage, task, dialect and an abort signal. */
export type { TaskContext } from './core/tasks/run-task.js';
/** A task module's default export: `export default async function (knex, context) {}`. */
export type { TaskFunction } from './core/tasks/run-task.js';
/** knex's types, for a task's first parameter (`Knex.Transaction`). */
export type { Knex } from 'knex';
/** The database families dmr speaks. */
export type { DialectName } from './adapters/dialect-name.js';

/** The `--json` document of a command that ended in an error, and its stable codes. */
export type { ErrorDocument, ErrorCode } from './api/error-document.js';
/** An error as the `--json` error document (what the CLI prints). */
export { errorDocument } from './api/error-document.js';

/** Errors dmr rejects with, each with the CLI's exit code. */
export { DmrError, UsageError, ConnectionError, LockHeldError, ExitCode } from './core/errors.js';
