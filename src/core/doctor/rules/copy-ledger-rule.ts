import type { RunRecord } from '../../status/run-store.js';
import type { CopyChunkFact } from '../copy-ledger-facts.js';
import type { Evidence } from '../evidence.js';
import type { DoctorReport, Finding } from '../finding.js';
import type { FixChange } from '../fix-plan.js';
import { judgeRun } from '../run-liveness.js';
import { runFacts } from './stuck-rule.js';

/** The fix for a chunk a dead copy left processing (applied by apply-fixes through resetCopyChunk). */
export type CopyChunkChange = Extract<FixChange, { kind: 'copy-chunk' }>;

/** Finding id of a processing chunk: `copy-chunk:<copyId>:<chunkNo>`. */
export function copyChunkFindingId(chunk: { readonly copyId: number; readonly chunkNo: number }): string {
  return `copy-chunk:${chunk.copyId}:${chunk.chunkNo}`;
}

/**
 * copy-ledger: a copy chunk left processing by a process that is gone, like a stuck stage. The
 * process is judged on this host by its pid; elsewhere through the dmr run with the same host
 * and pid (a copy task runs in the runner's process), when that run is dead or finished. A chunk
 * whose process cannot be judged is not a finding: it may still be copying.
 */
export function copyLedgerRule(evidence: Evidence, now: Date): Finding[] {
  const findings: Finding[] = [];
  for (const chunk of evidence.copyChunks ?? []) {
    const run = runOf(evidence, chunk);
    const liveness = run ? judgeRun(run, evidence, now) : null;
    const deadBecause: string[] = [];
    if (chunk.processAlive === false) deadBecause.push(`process ${chunk.pid} on ${chunk.host} is gone`);
    else if (chunk.processAlive === null && run && liveness && !liveness.live) {
      deadBecause.push(`its run ${run.runId} is dead: ${liveness.deadBecause.join('; ')}`);
    }
    if (deadBecause.length === 0) continue;
    const table =
      chunk.sourceTable === chunk.targetTable ? chunk.sourceTable : `${chunk.sourceTable} -> ${chunk.targetTable}`;
    findings.push({
      id: copyChunkFindingId(chunk),
      rule: 'copy-ledger',
      severity: 'problem',
      stage: run?.currentStage ?? null,
      message:
        `copy ${chunk.copyId} chunk ${chunk.chunkNo} (${table}, ${keyRange(chunk)}) is processing ` +
        `but its copy died: ${deadBecause.join('; ')}`,
      evidence: {
        copyId: chunk.copyId,
        chunkNo: chunk.chunkNo,
        sourceTable: chunk.sourceTable,
        targetTable: chunk.targetTable,
        chunkKind: chunk.chunkKind,
        lowKey: chunk.lowKey,
        highKey: chunk.highKey,
        keyRange: keyRange(chunk),
        attempts: chunk.attempts,
        startedAt: chunk.startedAt?.toISOString() ?? null,
        host: chunk.host,
        pid: chunk.pid,
        sessionId: chunk.sessionId,
        processAlive: chunk.processAlive,
        run: run ? runFacts(run) : null,
        deadBecause,
      },
      action: 'dmr doctor --fix --yes, then run the copy again (dmr resume for a copy task)',
    });
  }
  return findings;
}

/** Each copy-ledger finding's chunk back to pending; the next copy settles it by checking the target. */
export function copyLedgerFixes(report: DoctorReport, evidence: Evidence): CopyChunkChange[] {
  return report.findings
    .filter((f) => f.rule === 'copy-ledger')
    .flatMap((f) => {
      const chunk = (evidence.copyChunks ?? []).find((c) => copyChunkFindingId(c) === f.id);
      if (!chunk) return [];
      const table =
        chunk.sourceTable === chunk.targetTable ? chunk.sourceTable : `${chunk.sourceTable} -> ${chunk.targetTable}`;
      const why = (f.evidence.deadBecause as string[] | undefined)?.join('; ') ?? 'its copy died';
      return [
        {
          kind: 'copy-chunk',
          copyId: chunk.copyId,
          chunkNo: chunk.chunkNo,
          table,
          attempts: chunk.attempts,
          reason: `copy died: ${why}`,
        },
      ];
    });
}

/** The dmr run this chunk's process belongs to: same host and pid, the latest or an unfinished run. */
function runOf(evidence: Evidence, chunk: CopyChunkFact): RunRecord | null {
  const runs = [...evidence.unfinishedRuns, ...(evidence.latestRun ? [evidence.latestRun] : [])];
  return runs.find((r) => r.host === chunk.host && r.pid === chunk.pid) ?? null;
}

/** `[low, high)` for range chunks, `after (low)` for keyset chunks, `whole table` for keyless ones. */
export function keyRange(chunk: Pick<CopyChunkFact, 'chunkKind' | 'lowKey' | 'highKey'>): string {
  const key = (k: readonly string[] | null) => (k ? (k.length === 1 ? String(k[0]) : `(${k.join(', ')})`) : null);
  if (chunk.chunkKind === 'all') return 'whole table';
  if (chunk.chunkKind === 'keyset') return chunk.lowKey ? `keys after ${key(chunk.lowKey)}` : 'keys from the first';
  return `keys [${key(chunk.lowKey) ?? 'first'}, ${key(chunk.highKey) ?? 'last'}${chunk.highKey ? ')' : ']'}`;
}
