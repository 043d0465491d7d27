import { allowedActions, type JobAction } from '../jobs/job-actions.js';
import type { JobStatus } from '../status/status-codes.js';
import type { Evidence } from './evidence.js';
import type { Finding, JobView } from './finding.js';
import { orderedStages, stageName } from './stage-facts.js';

/** What the job will allow after each step of a suggestion, simulated step by step. */
interface JobSim {
  status: JobStatus;
  live: boolean;
}

const needs: Readonly<Record<string, JobAction>> = { resume: 'resume', restart: 'restart', migrate: 'start' };

/**
 * Rewrites each finding's action so that no step of it is one dmr would then refuse: `dmr resume`
 * while the job is Completed becomes `dmr migrate --from <stage>`; a step that needs a dead run
 * recorded first gets `dmr doctor --fix --yes` before it; `--from` never skips a stage that is
 * not success; while a run is live, the suggestion is to wait for it (`dmr status`).
 */
export function runnableActions(findings: readonly Finding[], evidence: Evidence, job: JobView): Finding[] {
  return findings.map((f) => ({ ...f, action: runnableAction(f.action, evidence, job) }));
}

function runnableAction(action: string, evidence: Evidence, job: JobView): string {
  if (!action.startsWith('dmr ')) return action;
  const steps = action.split(', then ');
  if (job.live && steps.some(takesLock)) {
    const ended: JobView = { ...job, live: false, status: 'Stopped', allowedActions: allowedActions('Stopped') };
    return `dmr status (run ${job.runId} is live: once it has ended, ${runnableAction(action, evidence, ended)})`;
  }
  const sim: JobSim = { status: job.status, live: job.live };
  const out: string[] = [];
  for (const step of steps) {
    if (step.startsWith('dmr doctor --fix --yes')) {
      out.push(step);
      sim.status = statusAfterFix(evidence, sim.status);
      continue;
    }
    const command = /^dmr (\w+)/.exec(step)?.[1] ?? '';
    const need = needs[command];
    if (!need) {
      out.push(step);
      continue;
    }
    const died = !sim.live && (sim.status === 'Died' || allowedActions(sim.status).includes('stop'));
    if (!allowedActions(sim.status).includes(need) && died) {
      // A run that died without recording it (Died): doctor --fix records Failed, which allows every start.
      if (!out.some((s) => s.startsWith('dmr doctor --fix --yes'))) out.push('dmr doctor --fix --yes');
      sim.status = 'Failed';
    }
    const allowed = allowedActions(sim.status);
    if (need === 'resume' && !allowed.includes('resume')) {
      if (allowed.includes('start')) out.push(migrateFrom(evidence, null));
      else if (allowed.includes('restart')) out.push('dmr restart');
      else out.push('dmr status');
      continue;
    }
    if (need === 'start') {
      out.push(
        allowed.includes('start') ? migrateFrom(evidence, /--from (\S+)/.exec(step)?.[1] ?? null, step) : 'dmr status',
      );
      continue;
    }
    out.push(allowed.includes(need) ? step : 'dmr status');
  }
  return out.join(', then ');
}

/** Commands that take the run lock: refused (exit 3) while a run is live. */
function takesLock(step: string): boolean {
  return /^dmr (migrate|resume|restart|init)\b/.test(step) || /^dmr reset\b.*--yes/.test(step);
}

/** doctor --fix --yes records a dead unfinished latest run as Failed. */
function statusAfterFix(evidence: Evidence, status: JobStatus): JobStatus {
  const latest = evidence.latestRun;
  return latest && !latest.finishedAt && evidence.unfinishedRuns.some((r) => r.runId === latest.runId)
    ? 'Failed'
    : status;
}

/**
 * `dmr migrate --from S` where S is the wanted stage unless an earlier one is not success (then
 * that one, as --from refuses to skip it); plain `dmr migrate` when that is the first stage.
 */
function migrateFrom(evidence: Evidence, wanted: string | null, step?: string): string {
  const stages = orderedStages(evidence);
  const names = stages.map(stageName);
  const firstNotSuccess = stages.findIndex((s) => s.status !== 'success');
  const wantedIndex = wanted === null ? -1 : names.indexOf(wanted);
  const index =
    wantedIndex >= 0 && (firstNotSuccess < 0 || wantedIndex <= firstNotSuccess) ? wantedIndex : firstNotSuccess;
  if (index === wantedIndex && step) return step;
  if (index <= 0) return 'dmr migrate';
  return `dmr migrate --from ${names[index]}`;
}
