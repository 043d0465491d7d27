/**
 * bench/serve: `dmr serve` with 20 pages open during a migrate (issue 8, Measured).
 *  - event latency: from a committed history insert (the bench writes a marker line) to the
 *    `status` event carrying it on each of the 20 event streams; p50/p95/max over all samples;
 *  - the server's statements per second against the database with 1 page and with 20 pages open
 *    (one poll loop fanned out: the figure must not grow with pages), from /api/server;
 *  - the server process's peak RSS (VmHWM);
 *  - requests per second of GET /api/status and /api/history with autocannon (10 connections).
 * Statements/s are measured idle and during a `dmr migrate` of test/fixtures/doctor/slow (rds
 * sleeps 30 s, heartbeat 1 s), which keeps running through the marker writes.
 * Run: npm run build && node --import tsx bench/serve.ts   (DMR_BENCH_DIALECT=sqlite|postgres, DMR_BENCH_MARKS=20)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type { DialectName } from '../src/adapters/dialect-name.js';
import { runCli, startCli } from '../test/support/cli.js';
import { createTestDatabase, dialectsUnderTest } from '../test/support/databases.js';
import { statusTable } from '../test/support/status-rows.js';
import { slowDir, startServe, targetOf } from '../test/serve/serve-support.js';

interface CannonResult {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
}
type Cannon = (options: { url: string; connections: number; duration: number }) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const pages = 20;
const marks = Number(process.env.DMR_BENCH_MARKS ?? 20);
const wanted = (process.env.DMR_BENCH_DIALECT ?? 'postgres') as DialectName;
const [dialect] = await dialectsUnderTest([wanted]);
if (!dialect) throw new Error(`${wanted} is not reachable`);

const db = await createTestDatabase(dialect, 'benchserve');
await runCli(['init', ...targetOf(db)]);
const serve = await startServe([...targetOf(db), '--poll', '250ms']);

/** An event stream that records when each marker line first arrives in a status event. */
function openPage(seen: Map<string, number[]>): AbortController {
  const controller = new AbortController();
  void (async () => {
    const response = await fetch(`${serve.url}/api/events`, { signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    const got = new Set<string>();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!block.startsWith('event: status')) continue;
        const at = performance.now();
        for (const match of block.matchAll(/bench mark (\d+)/g)) {
          const id = match[1] ?? '';
          if (got.has(id)) continue;
          got.add(id);
          seen.get(id)?.push(at);
        }
      }
    }
  })().catch(() => undefined);
  return controller;
}

async function serverQueries(): Promise<number> {
  return (await (await fetch(`${serve.url}/api/server`)).json()).feedQueries as number;
}

async function queriesPerSecond(seconds: number): Promise<number> {
  const before = await serverQueries();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return ((await serverQueries()) - before - 0) / seconds;
}

const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${serve.child.pid}/status`, 'utf8'))?.[1] ?? 0);
const phases: [string, number][] = [];
let phasePeak = 0;
const sampler = setInterval(() => (phasePeak = Math.max(phasePeak, rssKb())), 100);
const phase = (name: string) => {
  phases.push([name, Math.max(phasePeak, rssKb())]);
  phasePeak = 0;
};
phase('started');
const seen = new Map<string, number[]>();
const one = openPage(seen);
await new Promise((resolve) => setTimeout(resolve, 1000));
const idleOne = await queriesPerSecond(5);
const others = Array.from({ length: pages - 1 }, () => openPage(seen));
await new Promise((resolve) => setTimeout(resolve, 1000));
const idlePages = await queriesPerSecond(5);
phase(`idle, 1 then ${pages} pages`);
const run = startCli(['migrate', '--sql-dir', slowDir, '--heartbeat', '1s', ...targetOf(db)]);
await run.waitForOutput('rds: 010_slow started');
const migratePages = await queriesPerSecond(5);
phase(`${pages} pages during a migrate`);

const latencies: number[] = [];
for (let i = 1; i <= marks; i++) {
  const id = String(i);
  const arrivals: number[] = [];
  seen.set(id, arrivals);
  await statusTable(db, 'DataMigrationHistories').insert({
    DataMigrationHistoryDate: new Date(),
    DataMigrationTypeId: null,
    DataMigrationHistoryMessage: `bench mark ${id}`,
  });
  const committed = performance.now();
  const deadline = committed + 5000;
  while (arrivals.length < pages && performance.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  latencies.push(...arrivals.map((at) => at - committed));
  for (let missing = arrivals.length; missing < pages; missing++) latencies.push(Number.POSITIVE_INFINITY);
  await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 500));
}

phase(`${marks} marker writes`);
const status = await autocannon({ url: `${serve.url}/api/status`, connections: 10, duration: 5 });
const history = await autocannon({ url: `${serve.url}/api/history?limit=50`, connections: 10, duration: 5 });
phase('autocannon');
clearInterval(sampler);
const peakKb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${serve.child.pid}/status`, 'utf8'))?.[1] ?? 0);

for (const page of [one, ...others]) page.abort();
run.child.kill('SIGTERM');
await run.done;
await serve.stop('SIGTERM');
await db.drop();

latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'lost');
console.log(`bench/serve on ${dialect}: ${pages} pages, ${marks} marker writes during a migrate, poll 250 ms`);
console.log(`event latency (write committed -> status event on a page), ${latencies.length} samples:`);
console.log(`  p50 ${ms(pct(50))}   p95 ${ms(pct(95))}   max ${ms(pct(100))}   (target p95 <= 1000 ms)`);
console.log(
  `server statements/s against the database: idle 1 page ${idleOne.toFixed(1)}, idle ${pages} pages ` +
    `${idlePages.toFixed(1)}, ${pages} pages during a migrate ${migratePages.toFixed(1)}`,
);
console.log(`server peak RSS: ${(peakKb / 1024).toFixed(1)} MB (target <= 100 MB); per phase:`);
for (const [name, kb] of phases) console.log(`  ${name}: ${(kb / 1024).toFixed(1)} MB`);
for (const [name, r] of [
  ['GET /api/status', status],
  ['GET /api/history?limit=50', history],
] as const) {
  console.log(
    `${name}: ${r.requests.average.toFixed(0)} req/s (10 connections, 5 s), latency p50 ${r.latency.p50} ms ` +
      `p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}`,
  );
}
