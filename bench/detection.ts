/**
 * bench/detection: how long after a SIGKILL doctor reports the run stuck, with default settings
 * (heartbeat 5 s, stale after 2 intervals + 1 s = 11 s). Two paths are timed per kill:
 *  - first evidence: doctor's first stuck finding (the lock session or the process is gone);
 *  - heartbeat only: when the heartbeat alone turns stale (what a pooler keeping the session leaves).
 * The kill lands at a random phase of the heartbeat cycle. Doctor is polled in-process every 50 ms
 * with the same gather/diagnose the CLI uses; one CLI `dmr doctor` confirms exit 1 per kill.
 * Then the other side: a busy-but-alive runner (a .js task of 15 s of synchronous work, --heartbeat 1s)
 * polled the same way for the whole task; it must never be called dead (no stuck finding, job not Died).
 * Run: npm run build && node --import tsx bench/detection.ts
 */
import { performance } from 'node:perf_hooks';
import { probeProcess } from '../src/cli/commands/doctor-command.js';
import { resolveConnection } from '../src/config/resolve-connection.js';
import type { DialectName } from '../src/adapters/dialect-name.js';
import { openDatabase } from '../src/core/database.js';
import { diagnose } from '../src/core/doctor/diagnose.js';
import { gatherEvidence } from '../src/core/doctor/gather-evidence.js';
import { StatusStore } from '../src/core/status/status-store.js';
import { runCli, startCli } from '../test/support/cli.js';
import { createTestDatabase, dialectsUnderTest } from '../test/support/databases.js';
import { slowDir } from '../test/doctor/doctor-support.js';
import { fixture } from '../test/support/status-rows.js';

const trials = Number(process.env.DMR_BENCH_TRIALS ?? 3);
const heartbeatMs = 5000;
const rows: string[] = [];
const summary: Record<string, { first: number[]; stale: number[] }> = {};

for (const dialect of await dialectsUnderTest(['postgres', 'mysql', 'sqlite'] as DialectName[])) {
  summary[dialect] = { first: [], stale: [] };
  for (let trial = 1; trial <= trials; trial++) {
    const db = await createTestDatabase(dialect, 'detect');
    const args = ['--url', db.url, '--schema', db.schema];
    const database = await openDatabase(await resolveConnection({ url: db.url }));
    const store = new StatusStore(database, db.schema);
    try {
      const run = startCli(['migrate', '--sql-dir', slowDir, ...args]);
      await run.waitForOutput('rds: 010_slow started');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * heartbeatMs));
      run.child.kill('SIGKILL');
      const killedAt = performance.now();
      await run.done;
      let first: number | null = null;
      let stale: number | null = null;
      while (stale === null && performance.now() - killedAt < 30_000) {
        const report = diagnose(await gatherEvidence(store, { probeProcess, settleMs: 0 }), new Date());
        const finding = report.findings.find((f) => f.id === 'stuck:rds');
        const elapsed = performance.now() - killedAt;
        if (finding && first === null) first = elapsed;
        if ((finding?.evidence.liveness as { heartbeatStale?: boolean } | undefined)?.heartbeatStale) stale = elapsed;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const cli = await runCli(['doctor', ...args]);
      rows.push(
        [
          dialect.padEnd(8),
          String(trial).padStart(5),
          fmt(first).padStart(18),
          fmt(stale).padStart(18),
          String(cli.code).padStart(12),
        ].join(' '),
      );
      if (first !== null) summary[dialect]?.first.push(first);
      if (stale !== null) summary[dialect]?.stale.push(stale);
    } finally {
      await database.close();
      await db.drop();
    }
  }
}

const busyRows: string[] = [];
for (const dialect of await dialectsUnderTest(['postgres', 'mysql', 'sqlite'] as DialectName[])) {
  const db = await createTestDatabase(dialect, 'busy');
  const database = await openDatabase(await resolveConnection({ url: db.url }));
  const store = new StatusStore(database, db.schema);
  try {
    const run = startCli([
      'migrate',
      '--sql-dir',
      fixture('busy'),
      '--heartbeat',
      '1s',
      '--url',
      db.url,
      '--schema',
      db.schema,
    ]);
    await run.waitForOutput('rds: 010_busy started');
    const started = performance.now();
    let polls = 0;
    let dead = 0;
    let maxAge = 0;
    while (performance.now() - started < 14_000) {
      const evidence = await gatherEvidence(store, { probeProcess, settleMs: 0 });
      const report = diagnose(evidence, new Date());
      polls += 1;
      if (report.findings.some((f) => f.rule === 'stuck') || report.job.status === 'Died') dead += 1;
      const beat = evidence.unfinishedRuns[0]?.heartbeatAt;
      if (beat) maxAge = Math.max(maxAge, Date.now() - beat.getTime());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const end = await run.done;
    busyRows.push(
      [
        dialect.padEnd(8),
        String(polls).padStart(5),
        String(dead).padStart(12),
        String(maxAge).padStart(21),
        String(end.code).padStart(9),
      ].join(' '),
    );
  } finally {
    await database.close();
    await db.drop();
  }
}

console.log(
  `heartbeat ${heartbeatMs} ms (default), stale after ${2 * heartbeatMs + 1000} ms; ` +
    `target: at most ${2 * heartbeatMs + 1000} ms`,
);
console.log('dialect  trial  first evidence ms  heartbeat-only ms  doctor exit');
for (const row of rows) console.log(row);
for (const [dialect, s] of Object.entries(summary)) {
  console.log(
    `${dialect}: first evidence max ${fmt(Math.max(...s.first))} ms; ` +
      `heartbeat only max ${fmt(Math.max(...s.stale))} ms`,
  );
}

console.log(
  'busy-but-alive runner: 15 s of synchronous work in a .js task, --heartbeat 1s (stale after 3 s), ' +
    'doctor polled every 50 ms',
);
console.log('dialect  polls  called dead  max heartbeat age ms  run exit');
for (const row of busyRows) console.log(row);

function fmt(ms: number | null): string {
  return ms === null ? 'not seen' : ms.toFixed(0);
}
