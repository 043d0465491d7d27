import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { liveRun } from '../run-liveness.js';
import { orderedStages, stageName } from '../stage-facts.js';

/**
 * order: a later stage success or processing while an earlier one is error, pending or
 * processing (problem; while a live run works only an earlier error counts), and a later
 * stage's success older than an earlier stage's (warning: its output was built from older input).
 */
export function orderRule(evidence: Evidence, now: Date): Finding[] {
  const stages = orderedStages(evidence);
  const blocking = liveRun(evidence, now) ? ['error'] : ['error', 'pending', 'processing'];
  const findings: Finding[] = [];
  stages.forEach((later, index) => {
    const name = stageName(later);
    const earlier = stages.slice(0, index);
    if (later.status === 'success' || later.status === 'processing') {
      const bad = earlier.find((e) => e.status !== null && blocking.includes(e.status));
      if (bad) {
        findings.push({
          id: `order:${name}`,
          rule: 'order',
          severity: 'problem',
          stage: name,
          message: `${name} is ${later.status} while the earlier stage ${stageName(bad)} is ${bad.status}`,
          evidence: { status: later.status, earlierStage: stageName(bad), earlierStatus: bad.status },
          action: bad.status === 'error' ? 'dmr resume' : 'dmr doctor --fix --yes, then dmr resume',
        });
        return;
      }
    }
    if (later.status !== 'success' || !later.lastTriggerDate) return;
    const newer = earlier.find(
      (e) =>
        e.status === 'success' &&
        e.lastTriggerDate &&
        later.lastTriggerDate &&
        e.lastTriggerDate > later.lastTriggerDate,
    );
    if (newer) {
      findings.push({
        id: `order:stale:${name}`,
        rule: 'order',
        severity: 'warning',
        stage: name,
        message:
          `${name} succeeded at ${later.lastTriggerDate.toISOString()}, before the earlier stage ` +
          `${stageName(newer)} ran again (${newer.lastTriggerDate?.toISOString()}): its output is stale`,
        evidence: {
          lastTriggerDate: later.lastTriggerDate.toISOString(),
          earlierStage: stageName(newer),
          earlierTriggerDate: newer.lastTriggerDate?.toISOString() ?? null,
        },
        action: `dmr migrate --from ${name}`,
      });
    }
  });
  return findings;
}
