import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/core/doctor/diagnose.js';
import { defaultDiagnoseOptions, type Finding } from '../../src/core/doctor/finding.js';
import { copyLedgerRule, keyRange } from '../../src/core/doctor/rules/copy-ledger-rule.js';
import { failedRule } from '../../src/core/doctor/rules/failed-rule.js';
import { lateHeartbeatRule } from '../../src/core/doctor/rules/late-heartbeat-rule.js';
import { orderRule } from '../../src/core/doctor/rules/order-rule.js';
import { orphanedLockRule } from '../../src/core/doctor/rules/orphaned-lock-rule.js';
import { overdueRule } from '../../src/core/doctor/rules/overdue-rule.js';
import { schemaRule } from '../../src/core/doctor/rules/schema-rule.js';
import { stuckRule } from '../../src/core/doctor/rules/stuck-rule.js';
import { chunk, evidence, historyLine, now, run, secondsAgo, stage, stages, withRun } from './evidence-fixtures.js';

/**
 * Each doctor rule as the pure function it is: evidence in, findings out. test/doctor/rules.test.ts
 * makes the same states with SQL on real databases and runs the CLI; these show every branch of
 * each rule on hand-made evidence, without a database.
 */

const options = defaultDiagnoseOptions;
const ids = (findings: readonly Finding[]) => findings.map((f) => f.id);
const deadProbe = { session: null, holdsLock: false, processAlive: false } as const;

describe('schema: what Generate and dmr need of the status tables', () => {
  it('nothing after init', () => {
    expect(schemaRule(evidence())).toEqual([]);
  });

  it('a missing Generate table, each fixed by dmr init', () => {
    const e = evidence({ tables: { ...evidence().tables, histories: false, migrations: false } });
    const findings = schemaRule(e);
    expect(ids(findings)).toEqual([
      'schema:missing-table:DataMigrations',
      'schema:missing-table:DataMigrationHistories',
    ]);
    expect(findings.every((f) => f.severity === 'problem' && f.action === 'dmr init' && f.stage === null)).toBe(true);
  });

  it('status codes: missing, duplicated, or with an id Generate does not use', () => {
    const e = evidence({
      statuses: [
        { id: 1, code: 'initial' },
        { id: 2, code: 'pending' },
        { id: 9, code: 'pending' },
        { id: 4, code: 'error' },
        { id: 6, code: 'success' },
      ],
    });
    const findings = schemaRule(e);
    expect(ids(findings)).toEqual([
      'schema:duplicate-status:pending',
      'schema:missing-status:processing',
      'schema:status-id:success',
    ]);
    expect(findings[0]).toMatchObject({
      message: 'status code pending appears 2 times (ids 2, 9)',
      action: 'delete the extra pending rows from DataMigrationStatuses (keep id 2)',
    });
    expect(findings[2]?.message).toBe('status code success has id 6, Generate uses 5');
  });

  it('stages: a missing type, a stage without its DataMigrations row, two rows for one stage', () => {
    const rows = stages();
    const e = evidence({
      types: [
        { id: 1, code: 'ods' },
        { id: 2, code: 'rds' },
      ],
      stages: [rows[0]!, rows[0]!, rows[2]!].map((s, i) => ({ ...s, migrationId: i + 1 })),
    });
    const findings = schemaRule(e);
    expect(ids(findings)).toEqual([
      'schema:missing-stage:report',
      'schema:duplicate-row:ods',
      'schema:missing-row:rds',
    ]);
    expect(findings.find((f) => f.id === 'schema:duplicate-row:ods')?.evidence).toEqual({
      typeId: 1,
      migrationIds: [1, 2],
    });
  });

  it('a DataMigrations row with an unknown type or status id, each with the command that mends it', () => {
    const rows = stages();
    const e = evidence({
      stages: [
        rows[0]!,
        { ...rows[1]!, statusId: 8, status: null },
        rows[2]!,
        { ...rows[2]!, migrationId: 4, typeId: 7, stage: null },
      ],
    });
    const findings = schemaRule(e);
    expect(findings.map((f) => [f.id, f.action])).toEqual([
      ['schema:unknown-status:rds', 'dmr reset --stage rds --to initial --yes'],
      ['schema:unknown-stage:7', 'add the type to DataMigrationTypes or delete DataMigrations row 4'],
    ]);
  });
});

describe('stuck: a stage processing or pending with no live runner', () => {
  it('a dmr run whose runner is dead: the stage it was in, with the run and why it is judged dead', () => {
    const r = run({ heartbeatAt: secondsAgo(600) });
    const e = withRun(r, deadProbe, {
      stages: stages({
        ods: stage('ods', 'success'),
        rds: stage('rds', 'processing', { lastTriggerDate: secondsAgo(600) }),
      }),
    });
    const findings = stuckRule(e, now, options);
    expect(ids(findings)).toEqual(['stuck:rds']);
    expect(findings[0]).toMatchObject({
      severity: 'problem',
      stage: 'rds',
      action: 'dmr doctor --fix --yes',
      evidence: { status: 'processing', triggerAgeSeconds: 600, run: { runId: 7, pid: 4242 } },
    });
    expect(findings[0]?.message).toBe(
      'rds is processing but run 7 (migrate by alice on etl-host, pid 4242) is dead: ' +
        `heartbeat stale since ${secondsAgo(600).toISOString()} (600 s ago, stale after 11 s); ` +
        'lock session 91 is gone; process 4242 on etl-host is gone',
    );
  });

  it('no finding while the live run covers the stage; a finding when it does not', () => {
    const working = stages({ rds: stage('rds', 'processing', { lastTriggerDate: secondsAgo(30) }) });
    expect(stuckRule(withRun(run(), {}, { stages: working }), now, options)).toEqual([]);
    const odsOnly = withRun(run({ stages: 'ods' }), {}, { stages: working });
    const [finding] = stuckRule(odsOnly, now, options);
    expect(finding?.message).toBe('rds is processing but the live run 7 does not cover it (stages ods)');
  });

  const generateStuckTitle =
    'Generate (no run record): stuck once the trigger is older than the grace and no session of the user is busy';
  it(generateStuckTitle, () => {
    const at = (seconds: number) =>
      evidence({ stages: stages({ rds: stage('rds', 'pending', { lastTriggerDate: secondsAgo(seconds) }) }) });
    expect(stuckRule(at(59), now, options)).toEqual([]);
    const [finding] = stuckRule(at(61), now, options);
    expect(finding?.message).toBe(
      `rds is pending since ${secondsAgo(61).toISOString()} (61 s ago), ` +
        'with no dmr run and no busy session of the user in the database',
    );
    expect(finding?.evidence).toMatchObject({ run: null, sessions: [], generateGraceSeconds: 60 });
    const busy = { ...at(3600), activeSessions: [{ id: '55', program: 'Generate', state: 'active' }] };
    expect(stuckRule(busy, now, options)).toEqual([]);
    expect(stuckRule(at(61), now, { ...options, generateGraceMs: 120_000 })).toEqual([]);
  });

  it('Generate: a stage processing that was never triggered is stuck at once', () => {
    const e = evidence({ stages: stages({ ods: stage('ods', 'processing') }) });
    expect(stuckRule(e, now, options)[0]?.message).toBe(
      'ods is processing (never triggered), with no dmr run and no busy session of the user in the database',
    );
  });

  it('a dead run that left no stage active is a warning about the run itself', () => {
    const e = withRun(run({ runId: 9 }), deadProbe, {
      stages: stages({ ods: stage('ods', 'success'), rds: stage('rds', 'error') }),
    });
    const findings = stuckRule(e, now, options);
    expect(findings.map((f) => [f.id, f.severity, f.stage])).toEqual([['stuck:run-9', 'warning', null]]);
    expect(findings[0]?.message).toMatch(
      /^run 9 never recorded its end and its runner is dead: lock session 91 is gone/,
    );
  });
});

describe('orphaned-lock: the run lock held by a session no live run owns', () => {
  it('nothing while the live run holds it, or while nobody does', () => {
    expect(orphanedLockRule(withRun(run()), now)).toEqual([]);
    expect(orphanedLockRule(evidence(), now)).toEqual([]);
  });

  it('a session no unfinished run names (a pooler, a stray client): the session is described', () => {
    const holder = { id: '313', program: 'psql', clientHost: '10.0.0.9' };
    const [finding] = orphanedLockRule(evidence({ lockHolder: holder }), now);
    expect(finding).toMatchObject({
      id: 'orphaned-lock',
      severity: 'problem',
      action: 'dmr doctor --fix --yes --force',
      evidence: { session: holder, run: null, liveness: null },
    });
    expect(finding?.message).toBe(
      'the run lock is held by server session 313 (psql) from 10.0.0.9, which belongs to no unfinished run',
    );
  });

  it('the session of a run whose process is gone', () => {
    const r = run();
    const e = withRun(r, { processAlive: false }, { lockHolder: { id: '91' } });
    const [finding] = orphanedLockRule(e, now);
    expect(finding?.message).toBe(
      'the run lock is held by server session 91, which belongs to run 7, whose runner is dead ' +
        '(process 4242 on etl-host is gone)',
    );
  });
});

describe('failed: a stage in error, with the last error the history holds', () => {
  it('the newest error line of that stage, not doctor or reset lines', () => {
    const e = evidence({
      stages: stages({ rds: stage('rds', 'error') }),
      history: [
        historyLine(12, 2, 'doctor: rds error recorded', secondsAgo(10)),
        historyLine(11, 2, 'rds: 020_load failed: division by zero', secondsAgo(20)),
        historyLine(10, 2, 'rds: 010_load failed: older', secondsAgo(30)),
      ],
    });
    const findings = failedRule(e);
    expect(findings).toEqual([
      {
        id: 'failed:rds',
        rule: 'failed',
        severity: 'problem',
        stage: 'rds',
        message: 'rds is error: rds: 020_load failed: division by zero',
        evidence: {
          status: 'error',
          statusId: 4,
          lastTriggerDate: null,
          taskList: null,
          lastError: { date: secondsAgo(20).toISOString(), message: 'rds: 020_load failed: division by zero' },
        },
        action: 'dmr resume',
      },
    ]);
  });

  it("else the latest run's error text when the run covered the stage; else says none was recorded", () => {
    const failedRun = run({ finishedAt: secondsAgo(5), jobStatus: 'Failed', errorText: 'deadlock detected' });
    const e = withRun(failedRun, {}, { stages: stages({ report: stage('report', 'error') }) });
    expect(failedRule(e)[0]?.message).toBe('report is error: deadlock detected');
    expect(failedRule(evidence({ stages: stages({ ods: stage('ods', 'error') }) }))[0]?.message).toBe(
      'ods is error (no error recorded in history)',
    );
  });
});

describe('order: stages out of order', () => {
  it('a later stage success while an earlier one is error: resume', () => {
    const e = evidence({ stages: stages({ ods: stage('ods', 'error'), rds: stage('rds', 'success') }) });
    expect(orderRule(e, now)).toEqual([
      {
        id: 'order:rds',
        rule: 'order',
        severity: 'problem',
        stage: 'rds',
        message: 'rds is success while the earlier stage ods is error',
        evidence: { status: 'success', earlierStage: 'ods', earlierStatus: 'error' },
        action: 'dmr resume',
      },
    ]);
  });

  it('an earlier stage pending or processing blocks too, unless a live run is working through them', () => {
    const given = stages({ ods: stage('ods', 'pending'), rds: stage('rds', 'processing') });
    const [finding] = orderRule(evidence({ stages: given }), now);
    expect(finding).toMatchObject({ id: 'order:rds', action: 'dmr doctor --fix --yes, then dmr resume' });
    expect(orderRule(withRun(run(), {}, { stages: given }), now)).toEqual([]);
  });

  it('a later success older than an earlier stage success is a warning: its output is stale', () => {
    const e = evidence({
      stages: stages({
        ods: stage('ods', 'success', { lastTriggerDate: secondsAgo(100) }),
        rds: stage('rds', 'success', { lastTriggerDate: secondsAgo(200) }),
        report: stage('report', 'success', { lastTriggerDate: secondsAgo(50) }),
      }),
    });
    const findings = orderRule(e, now);
    expect(findings.map((f) => [f.id, f.severity, f.action])).toEqual([
      ['order:stale:rds', 'warning', 'dmr migrate --from rds'],
    ]);
  });
});

describe('overdue: a live stage running far longer than usual (warning)', () => {
  const history = [10, 20, 30].map((s, i) => historyLine(i + 1, 2, `rds: success in ${s}.0 s`));
  const processing = (seconds: number) =>
    stages({ rds: stage('rds', 'processing', { lastTriggerDate: secondsAgo(seconds) }) });

  it('past overdueFactor times the median of its successes', () => {
    const e = withRun(run(), {}, { stages: processing(61), history });
    expect(overdueRule(e, now, options)).toEqual([
      expect.objectContaining({
        id: 'overdue:rds',
        severity: 'warning',
        message: 'rds has been processing for 61 s, more than 3x its usual 20 s (at task 010_load)',
        action: 'dmr status (or `dmr stop` to stop it)',
      }),
    ]);
    expect(overdueRule(withRun(run(), {}, { stages: processing(60), history }), now, options)).toEqual([]);
  });

  it('LastDurationInSeconds when history has none; nothing for a stage usually under a second', () => {
    const timed = (seconds: number | null) =>
      stages({
        rds: stage('rds', 'processing', { lastTriggerDate: secondsAgo(100), lastDurationInSeconds: seconds }),
      });
    expect(ids(overdueRule(withRun(run(), {}, { stages: timed(10) }), now, options))).toEqual(['overdue:rds']);
    expect(overdueRule(withRun(run(), {}, { stages: timed(0.5) }), now, options)).toEqual([]);
    expect(overdueRule(withRun(run(), {}, { stages: timed(null) }), now, options)).toEqual([]);
  });

  it("Generate's busy session counts as the runner; a dead runner is stuck's business, not overdue's", () => {
    const generate = evidence({ stages: processing(100), history, activeSessions: [{ id: '55' }] });
    expect(overdueRule(generate, now, options)[0]).toMatchObject({ action: 'dmr status', evidence: { runId: null } });
    const dead = withRun(run(), deadProbe, { stages: processing(100), history });
    expect(overdueRule(dead, now, options)).toEqual([]);
  });
});

describe('late-heartbeat: a live run whose heartbeat is late (warning, never a repair)', () => {
  it('says the run is live and why', () => {
    const e = withRun(run({ heartbeatAt: secondsAgo(40) }));
    const [finding] = lateHeartbeatRule(e, now);
    expect(finding).toMatchObject({ id: 'late-heartbeat:run-7', severity: 'warning', stage: 'rds' });
    expect(finding?.message).toBe(
      "run 7's heartbeat is late (40 s old, expected every 5 s), but its session 91 holds the run lock " +
        'and its process 4242 is alive: it is live, not dead',
    );
    const remote = withRun(run({ heartbeatAt: secondsAgo(40), host: 'far' }), { processAlive: null });
    expect(lateHeartbeatRule(remote, now)[0]?.message).toContain(
      'its process (pid 4242 on far) cannot be checked from here',
    );
  });

  it('nothing for a fresh heartbeat or a dead run', () => {
    expect(lateHeartbeatRule(withRun(run()), now)).toEqual([]);
    expect(lateHeartbeatRule(withRun(run({ heartbeatAt: secondsAgo(40) }), deadProbe), now)).toEqual([]);
  });
});

describe('copy-ledger: a chunk left processing by a copy that died', () => {
  it('its process on this host is gone', () => {
    const [finding] = copyLedgerRule(evidence({ copyChunks: [chunk()] }), now);
    expect(finding).toMatchObject({ id: 'copy-chunk:3:2', severity: 'problem', stage: null });
    expect(finding?.message).toBe(
      'copy 3 chunk 2 (orders, keys [1000, 2000)) is processing but its copy died: process 5151 on etl-host is gone',
    );
  });

  it('on another host: judged through the dmr run of the same host and pid, when that run is dead', () => {
    const remote = chunk({ host: 'far', pid: 4242, processAlive: null, targetTable: 'orders_copy' });
    const r = run({ host: 'far', pid: 4242 });
    const [finding] = copyLedgerRule(
      withRun(r, { session: null, holdsLock: false, processAlive: null }, { copyChunks: [remote] }),
      now,
    );
    expect(finding?.stage).toBe('rds');
    expect(finding?.message).toBe(
      'copy 3 chunk 2 (orders -> orders_copy, keys [1000, 2000)) is processing but its copy died: ' +
        'its run 7 is dead: lock session 91 is gone',
    );
    expect(copyLedgerRule(withRun(r, { processAlive: null }, { copyChunks: [remote] }), now)).toEqual([]);
    expect(copyLedgerRule(evidence({ copyChunks: [remote] }), now)).toEqual([]);
  });

  it('key ranges as people read them', () => {
    expect(keyRange({ chunkKind: 'range', lowKey: ['1'], highKey: ['9'] })).toBe('keys [1, 9)');
    expect(keyRange({ chunkKind: 'range', lowKey: null, highKey: null })).toBe('keys [first, last]');
    expect(keyRange({ chunkKind: 'range', lowKey: ['a', '2'], highKey: null })).toBe('keys [(a, 2), last]');
    expect(keyRange({ chunkKind: 'keyset', lowKey: ['5'], highKey: null })).toBe('keys after 5');
    expect(keyRange({ chunkKind: 'keyset', lowKey: null, highKey: null })).toBe('keys from the first');
    expect(keyRange({ chunkKind: 'all', lowKey: null, highKey: null })).toBe('whole table');
  });
});

describe('diagnose: every rule on one snapshot', () => {
  it('healthy after init', () => {
    expect(diagnose(evidence(), now)).toEqual({
      healthy: true,
      problems: 0,
      warnings: 0,
      findings: [],
      job: {
        runId: null,
        status: 'NotStarted',
        recordedStatus: 'NotStarted',
        live: false,
        allowedActions: ['start', 'resume', 'restart'],
      },
      checkedAt: now.toISOString(),
    });
  });

  it('a crashed run: problems make it unhealthy, and the actions are ones dmr will then accept', () => {
    const r = run({ heartbeatAt: secondsAgo(600) });
    const e = withRun(r, deadProbe, {
      stages: stages({
        ods: stage('ods', 'success'),
        rds: stage('rds', 'processing', { lastTriggerDate: secondsAgo(600) }),
      }),
      lockHolder: { id: '91' },
    });
    const report = diagnose(e, now);
    expect(report).toMatchObject({ healthy: false, problems: 2, warnings: 0, job: { status: 'Died' } });
    expect(report.findings.map((f) => [f.id, f.action])).toEqual([
      ['stuck:rds', 'dmr doctor --fix --yes'],
      ['orphaned-lock', 'dmr doctor --fix --yes --force'],
    ]);
  });

  it('warnings alone leave it healthy (exit 0)', () => {
    const report = diagnose(withRun(run({ heartbeatAt: secondsAgo(40) })), now);
    expect(report).toMatchObject({ healthy: true, problems: 0, warnings: 1 });
  });
});
