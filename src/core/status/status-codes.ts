/** Generate's App.DataMigrationStatuses. */
export const StatusId = { initial: 1, pending: 2, processing: 3, error: 4, success: 5 } as const;

export type StatusCode = keyof typeof StatusId;

export const statusCodes: readonly StatusCode[] = ['initial', 'pending', 'processing', 'error', 'success'];

export const statusNames: Readonly<Record<StatusCode, string>> = {
  initial: 'Initial',
  pending: 'Pending',
  processing: 'Processing',
  error: 'Error',
  success: 'Success',
};

export function statusCodeOf(id: number): StatusCode | undefined {
  return statusCodes.find((code) => StatusId[code] === id);
}

/** Generate's App.DataMigrationTypes: the three ordered stages. */
export const defaultStages: readonly { readonly id: number; readonly code: string; readonly name: string }[] = [
  { id: 1, code: 'ods', name: 'ODS' },
  { id: 2, code: 'rds', name: 'RDS' },
  { id: 3, code: 'report', name: 'Report Warehouse' },
];

/** Job statuses of a run record (after seed 003's migration job statuses). */
export const jobStatuses = [
  'NotStarted',
  'Starting',
  'Running',
  'RunningWithErrors',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped',
  'Resuming',
  'Restarting',
  'Died',
] as const;

/**
 * A job status. `Died` is never stored: it is what an unfinished run record whose runner is dead
 * (lock session gone, or process gone) is called until `dmr doctor --fix --yes` records it Failed.
 */
export type JobStatus = (typeof jobStatuses)[number];
