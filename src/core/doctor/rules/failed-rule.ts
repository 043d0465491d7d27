import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { lastErrorOf, orderedStages, stageName } from '../stage-facts.js';

/** failed: a stage in error, with the last error message from history. */
export function failedRule(evidence: Evidence): Finding[] {
  return orderedStages(evidence)
    .filter((stage) => stage.status === 'error')
    .map((stage) => {
      const name = stageName(stage);
      const lastError = lastErrorOf(evidence, stage);
      return {
        id: `failed:${name}`,
        rule: 'failed',
        severity: 'problem',
        stage: name,
        message: `${name} is error${lastError ? `: ${lastError.message}` : ' (no error recorded in history)'}`,
        evidence: {
          status: stage.status,
          statusId: stage.statusId,
          lastTriggerDate: stage.lastTriggerDate?.toISOString() ?? null,
          taskList: stage.taskList,
          lastError,
        },
        action: 'dmr resume',
      } satisfies Finding;
    });
}
