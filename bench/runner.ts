/**
 * bench/runner: bookkeeping overhead of dmr migrate on PostgreSQL.
 * 300 no-op tasks over the three stages; prints per-task overhead ((total - time inside tasks) / tasks)
 * and the time from process start to the first task running. Run: npm run bench:runner
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory from 'knex';

const tasksPerStage = 100;
const server = process.env.DMR_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `dmr_bench_runner_${process.pid}`;
const cli = path.resolve(import.meta.dirname, '../dist/bin/dmr.js');

const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-bench-runner-'));
for (const stage of ['ods', 'rds', 'report']) {
  mkdirSync(path.join(dir, stage));
  for (let i = 0; i < tasksPerStage; i++)
    writeFileSync(path.join(dir, stage, `${String(i).padStart(3, '0')}_noop.sql`), 'select 1;\n');
}

const admin = knexFactory({ client: 'pg', connection: server });
await admin.raw(`drop database if exists ${database}`);
await admin.raw(`create database ${database}`);
const url = `${server.replace(/\/[^/]*$/, '')}/${database}`;

async function run(): Promise<{
  wallMs: number;
  firstTaskMs: number;
  json: { seconds: number; stages: { seconds: number }[] };
}> {
  const started = performance.now();
  let firstTaskMs = 0;
  const child = spawn(process.execPath, [cli, 'migrate', '--url', url, '--sql-dir', dir, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    if (!firstTaskMs && d.toString().includes('000_noop started')) firstTaskMs = performance.now() - started;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`migrate exited ${code}: ${stdout}`);
  return { wallMs: performance.now() - started, firstTaskMs, json: JSON.parse(stdout) };
}

try {
  await run(); // first run creates the status tables; measure steady-state runs after it
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await run());
  const db = knexFactory({ client: 'pg', connection: url });
  const lastRun = await db.raw(`select max("RunId") as id from "App"."DataMigrationRuns"`);
  // Time inside tasks, from the runner's own history lines of the last run ("finished in 0.001 s").
  const lines = await db.raw(
    `select "DataMigrationHistoryMessage" as m from "App"."DataMigrationHistories" where ` +
      `"DataMigrationHistoryId" > (select max("DataMigrationHistoryId") - 1000 from ` +
      `"App"."DataMigrationHistories") and "DataMigrationHistoryMessage" like '%finished in%'`,
  );
  const inside = lines.rows
    .slice(-tasksPerStage * 3)
    .reduce((sum: number, r: { m: string }) => sum + Number(/finished in ([\d.]+) s/.exec(r.m)?.[1] ?? 0), 0);
  await db.destroy();
  const tasks = tasksPerStage * 3;
  const best = runs.reduce((a, b) => (a.json.seconds < b.json.seconds ? a : b));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const runSeconds = runs.map((r) => r.json.seconds);
  console.log(
    `bench/runner: ${tasks} no-op tasks over 3 stages on PostgreSQL (${runs.length} runs after ` +
      `a warm-up; last run id ${lastRun.rows[0].id})`,
  );
  console.log(
    `  run time inside dmr (lock to release): median ${median(runSeconds).toFixed(3)} s, best ` +
      `${best.json.seconds.toFixed(3)} s`,
  );
  console.log(`  time inside tasks (last run, from history): ${inside.toFixed(3)} s`);
  console.log(
    `  bookkeeping overhead per task: ` +
      `${(((median(runSeconds) - inside) / tasks) * 1000).toFixed(2)} ms (target < 5 ms)`,
  );
  console.log(`  process start to first task running: median ${median(runs.map((r) => r.firstTaskMs)).toFixed(0)} ms`);
  console.log(`  whole process wall time: median ${median(runs.map((r) => r.wallMs)).toFixed(0)} ms`);
} finally {
  await admin.raw(`drop database if exists ${database} with (force)`);
  await admin.destroy();
}
