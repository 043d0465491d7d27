/**
 * bench/large-task: a 50 MB task file (440k INSERTs) run by `dmr migrate` and by `psql -1 -f` on
 * the same PostgreSQL database. Prints both times and their ratio (target <= 1.2), dmr's peak RSS
 * (target <= 100 MB) and its longest event-loop block (target <= 100 ms; monitorEventLoopDelay,
 * which also counts time the process waited for a CPU on a loaded machine).
 * Run: npm run bench:large-task   (DMR_BENCH_POSTGRES_URL, DMR_BENCH_ROUNDS=1)
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory from 'knex';

const rows = 440_000;
const rounds = Number(process.env.DMR_BENCH_ROUNDS ?? 1);
const server = process.env.DMR_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `dmr_bench_large_${process.pid}`;
const url = `${server.replace(/\/[^/]*$/, '')}/${database}`;
const cli = path.resolve(import.meta.dirname, '../dist/bin/dmr.js');
const probe = path.resolve(import.meta.dirname, 'event-loop-probe.mjs');

const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-bench-large-'));
for (const stage of ['ods', 'rds', 'report']) mkdirSync(path.join(dir, stage));
const file = path.join(dir, 'ods', '010_big.sql');
writeFileSync(path.join(dir, 'rds', '010_noop.sql'), 'select 1;\n');
writeFileSync(path.join(dir, 'report', '010_noop.sql'), 'select 1;\n');
await writeBigTask(file);

const admin = knexFactory({ client: 'pg', connection: server });
await admin.raw(`drop database if exists ${database}`);
await admin.raw(`create database ${database}`);
const db = knexFactory({ client: 'pg', connection: url });

interface Timed {
  readonly seconds: number;
  readonly stderr: string;
  readonly stdout: string;
}

try {
  const psql: number[] = [];
  const dmr: {
    seconds: number;
    taskSeconds: number;
    maxDelayMs: number;
    p99DelayMs: number;
    maxRssMb: number;
    gap: { wallMs: number; cpuMs: number };
  }[] = [];
  for (let round = 0; round < rounds; round++) {
    psql.push((await timed('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-f', file, url])).seconds);
    await db.raw('drop table big_t');
    const run = await timed(process.execPath, [
      '--import',
      probe,
      cli,
      'migrate',
      '--url',
      url,
      '--sql-dir',
      dir,
      '--json',
    ]);
    await db.raw('drop table big_t');
    const figures = JSON.parse(/DMR_BENCH_PROBE (\{.*\})/.exec(run.stderr)?.[1] ?? '{}') as {
      maxDelayMs: number;
      p99DelayMs: number;
      maxRssKb: number;
      worstGap: { wallMs: number; cpuMs: number };
    };
    const result = JSON.parse(run.stdout) as { outcome: string; stages: { seconds: number }[] };
    if (result.outcome !== 'success') throw new Error(`dmr migrate: ${run.stdout}`);
    dmr.push({
      seconds: run.seconds,
      taskSeconds: result.stages[0]?.seconds ?? 0,
      maxDelayMs: figures.maxDelayMs,
      p99DelayMs: figures.p99DelayMs,
      maxRssMb: figures.maxRssKb / 1024,
      gap: figures.worstGap,
    });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const psqlSeconds = median(psql);
  const dmrSeconds = median(dmr.map((d) => d.seconds));
  console.log(
    `bench/large-task: ${(statSync(file).size / 1e6).toFixed(1)} MB, ${rows} INSERTs, PostgreSQL, ` +
      `${rounds} round(s), load average ${os.loadavg()[0]?.toFixed(1)}`,
  );
  console.log(`  psql -1 -f:            ${psqlSeconds.toFixed(1)} s`);
  console.log(
    `  dmr migrate (process): ${dmrSeconds.toFixed(1)} s ` +
      `(the task itself ${median(dmr.map((d) => d.taskSeconds)).toFixed(1)} s)`,
  );
  console.log(`  time ratio dmr / psql: ${(dmrSeconds / psqlSeconds).toFixed(2)} (target <= 1.2)`);
  console.log(`  dmr peak RSS:          ${Math.max(...dmr.map((d) => d.maxRssMb)).toFixed(0)} MB (target <= 100 MB)`);
  console.log(
    `  longest event-loop block: ${Math.max(...dmr.map((d) => d.maxDelayMs)).toFixed(0)} ms, ` +
      `p99 ${Math.max(...dmr.map((d) => d.p99DelayMs)).toFixed(1)} ms (target <= 100 ms)`,
  );
  const worst = dmr.map((d) => d.gap).reduce((a, b) => (a.wallMs >= b.wallMs ? a : b));
  console.log(
    `  longest gap between 10 ms ticks: ${worst.wallMs.toFixed(0)} ms, of which the process was on a CPU ` +
      `${worst.cpuMs.toFixed(0)} ms (the rest it waited for a core)`,
  );
} finally {
  await db.destroy();
  await admin.raw(`drop database if exists ${database} with (force)`);
  await admin.destroy();
  rmSync(dir, { recursive: true, force: true });
}

async function writeBigTask(target: string): Promise<void> {
  const out = createWriteStream(target);
  out.write('create table big_t (id int primary key, name text, note text, amount numeric(12,2));\n');
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const values = `${i}, 'name ${i}', 'a note about row ${i} with padding', ${(i % 1000) / 10}`;
    chunk += `insert into big_t (id, name, note, amount) values (${values});\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

function timed(command: string, args: readonly string[]): Promise<Timed> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) =>
      code === 0
        ? resolve({ seconds: (performance.now() - started) / 1000, stdout, stderr })
        : reject(new Error(`${command} exited ${code}: ${stderr}`)),
    ),
  );
}
