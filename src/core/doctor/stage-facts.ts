import type { StageState } from '../status/status-store.js';
import type { Evidence } from './evidence.js';

/** Stage code for messages and ids (`type 7` when its DataMigrationTypes row is missing). */
export function stageName(stage: StageState): string {
  return stage.stage ?? `type-${stage.typeId}`;
}

/** Stages in stage order (DataMigrationTypes ids ascending), one row per stage. */
export function orderedStages(evidence: Evidence): StageState[] {
  return [...evidence.stages].sort((a, b) => a.typeId - b.typeId || a.migrationId - b.migrationId);
}

/** The newest error line of a stage's history, or of the latest run that failed. */
export function lastErrorOf(evidence: Evidence, stage: StageState): { date: string | null; message: string } | null {
  const line = evidence.history.find(
    (h) => h.typeId === stage.typeId && /\berror\b|failed/i.test(h.message) && !/^doctor|^reset/.test(h.message),
  );
  if (line) return { date: line.date?.toISOString() ?? null, message: line.message };
  const run = evidence.latestRun;
  if (run?.errorText && stage.stage && run.stages.split(',').includes(stage.stage))
    return { date: run.finishedAt?.toISOString() ?? null, message: run.errorText };
  return null;
}

/**
 * How long the stage usually takes: the median of its successes in history ("rds: success in
 * 12.3 s"), else LastDurationInSeconds; null when unknown or under a second (too short to judge).
 */
export function usualDurationSeconds(evidence: Evidence, stage: StageState): number | null {
  const pattern = new RegExp(`^${escape(stageName(stage))}: success in ([\\d.]+) s`);
  const seconds = evidence.history
    .filter((h) => h.typeId === stage.typeId)
    .map((h) => pattern.exec(h.message)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const median = seconds.length ? (seconds[Math.floor((seconds.length - 1) / 2)] ?? null) : null;
  const usual = median ?? stage.lastDurationInSeconds;
  return usual !== null && usual >= 1 ? usual : null;
}

/** Milliseconds since the stage's LastTriggerDate, or null when it has none. */
export function triggerAgeMs(stage: StageState, now: Date): number | null {
  return stage.lastTriggerDate ? now.getTime() - stage.lastTriggerDate.getTime() : null;
}

export function isActive(stage: StageState): boolean {
  return stage.status === 'processing' || stage.status === 'pending';
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
