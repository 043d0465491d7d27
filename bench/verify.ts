/**
 * dmr verify benchmark: `npm run build && node --import tsx bench/verify.ts [--rows 1000000] [--ten-million]
 * [--repeat 3] [--skip-seed] [--skip-mysql] [--skip-keyless]`.
 * Each figure is measured --repeat times (floor and verify alternating); best and median are printed with the load
 * average.
 * Prints figures, asserts nothing (STYLE: speed targets live in bench/, never in timed tests).
 * Targets: identical within 1.5x the floor, 10 differences within 2.5x, peak RSS <= 200 MB,
 * >= 10x faster than the seed-002 method (SELECT * ORDER BY id, JSON, md5 in Node).
 * Keyless: the same tables without a key, compared as multisets of whole rows, against the keyed figures.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { adminKnex, serverUrls, withDatabase } from '../test/support/databases.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : 0);
const rows = flag('--ten-million') ? 10_000_000 : option('--rows') || 1_000_000;
const repeat = Math.max(1, option('--repeat') || 1);
const pgServer = serverUrls.postgres ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const mysqlServer = serverUrls.mysql ?? 'mysql://root@127.0.0.1:3306/test';
const name = `dmr_bench_${randomBytes(3).toString('hex')}`;
const cliModule = path.resolve('dist/src/cli/commands/verify-command.js');

const columns = (id: string, pg: boolean) => [
  id,
  pg ? `'name ' || ${id}` : `concat('name ', ${id})`,
  `(${id} % 100000) * 1.25`,
  pg ? `${id}::float8 / 7` : `${id} / 7e0`,
  pg
    ? `timestamp '2024-01-01' + ${id} * interval '1 second' + (${id} % 1000) * interval '1 millisecond'`
    : `timestamp('2024-01-01') + interval ${id} second + interval (${id} % 1000) * 1000 microsecond`,
  `${id} % 2 = 0`,
  `${id} % 1000`,
  pg ? `'C' || (${id} % 977)` : `concat('C', ${id} % 977)`,
];
const ddl = (pg: boolean) =>
  `(id bigint primary key, name ${pg ? 'text' : 'varchar(40)'}, amount numeric(12,2), ratio ` +
  `double precision, happened ${pg ? 'timestamp(3)' : 'datetime(3)'}, flag ` +
  `${pg ? 'boolean' : 'tinyint(1)'}, qty integer, code varchar(20))`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

/** Runs the built verify command in a child under /usr/bin/time -v: wall time, exit code and peak RSS. */
function runVerify(
  source: string,
  target: string,
  table: string,
  targetTable = table,
): { ms: number; exit: number; rssMb: number; summary: string } {
  const args = {
    source,
    target,
    table: [`${table}=${targetTable}`],
    mode: 'checksum',
    'max-diffs': 100,
    parallel: 1,
    format: 'json',
    'trim-trailing-spaces': false,
    'ignore-case': false,
    redact: false,
    record: false,
    schema: 'App',
    json: true,
    verbose: false,
  };
  const script =
    `import(${JSON.stringify(cliModule)}).then(async (m) => { const c = await ` +
    `m.runVerifyCommand(${JSON.stringify(args)}); process.exitCode = c; })`;
  const start = process.hrtime.bigint();
  const child = spawnSync('/usr/bin/time', ['-v', process.execPath, '-e', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1];
  let summary = child.stderr
    .split('\n')
    .filter((l) => l.startsWith('dmr') || l.includes('Error'))
    .join(' ');
  try {
    const doc = JSON.parse(child.stdout);
    summary = doc.tables
      .map(
        (t: { table: string; status: string; difference_count: number }) =>
          `${t.table}: ${t.status}, ${t.difference_count} differences`,
      )
      .join('; ');
  } catch {
    summary ||= child.stdout.slice(0, 300);
  }
  return { ms, exit: child.status ?? -1, rssMb: Number(rss ?? 0) / 1024, summary };
}

async function floor(knex: Knex): Promise<number> {
  const q = (t: string) => knex.raw(`select count(*) as n, sum(hashtextextended(x::text, 0)) as h from ${t} x`);
  return (await timed(() => Promise.all([q('a'), q('b')])))[1];
}

/** Issue 9's floor for the 10M pair: `sum(hash_record_extended(t, 0))` of both tables at once, one scan each. */
async function recordFloor(knex: Knex): Promise<number> {
  const q = (t: string) => knex.raw(`select sum(hash_record_extended(x, 0)) as h from ${t} x`);
  return (await timed(() => Promise.all([q('a'), q('b')])))[1];
}

async function seedMethod(knex: Knex): Promise<number> {
  const checksum = async (table: string) => {
    const result = await knex.raw(`select * from ${table} order by id`);
    return createHash('md5')
      .update(JSON.stringify(result.rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
      .digest('hex');
  };
  return (await timed(async () => [await checksum('a'), await checksum('b')]))[1];
}

const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const load = () =>
  `load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;
const best = (xs: readonly number[]) => Math.min(...xs);
/** "best x (median y)" of a list of times, or just the time for one run. */
const spread = (xs: readonly number[], show = f) =>
  xs.length > 1 ? `best ${show(best(xs))} (median ${show(median(xs))})` : show(xs[0] ?? 0);

/** Floor and verify alternately, `repeat` times: best and median of each and of their ratio. */
async function compare(
  pg: Knex,
  run: () => ReturnType<typeof runVerify>,
): Promise<{ floors: number[]; records: number[]; runs: ReturnType<typeof runVerify>[]; ratios: number[] }> {
  const floors: number[] = [];
  const records: number[] = [];
  const runs: ReturnType<typeof runVerify>[] = [];
  for (let i = 0; i < repeat; i++) {
    floors.push(await floor(pg));
    records.push(await recordFloor(pg));
    runs.push(run());
  }
  return { floors, records, runs, ratios: runs.map((r, i) => r.ms / (floors[i] ?? 1)) };
}

/** dmr's median time against the median of issue 9's hash_record_extended floor. */
const recordRatio = (c: Awaited<ReturnType<typeof compare>>) => {
  const times = median(c.runs.map((r) => r.ms)) / median(c.records);
  return `hash_record_extended floor ${spread(c.records)}, dmr ${times.toFixed(2)}x`;
};
const ratio = (x: number) => `${x.toFixed(2)}x`;

async function main(): Promise<void> {
  if (!existsSync(cliModule)) throw new Error('run `npm run build` first');
  const admin = adminKnex('postgres', pgServer);
  await admin.raw(`create database ${name}`);
  const url = withDatabase(pgServer, name);
  const pg = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
  let mysqlAdmin: Knex | null = null;
  try {
    console.log(
      `dmr verify bench: ${rows.toLocaleString('en-US')} rows x 8 columns, PostgreSQL ` +
        `${url.replace(/\/\/[^@]*@/, '//')}`,
    );
    const [, seedMs] = await timed(async () => {
      await pg.raw(`create table a ${ddl(true)}`);
      await pg.raw(`insert into a select ${columns('g', true).join(', ')} from generate_series(1, ${rows}) g`);
      await pg.raw(`create table b ${ddl(true)}`);
      await pg.raw('insert into b select * from a');
      await pg.raw('vacuum analyze a');
      await pg.raw('vacuum analyze b');
    });
    console.log(`seeded in ${f(seedMs)}`);
    console.log(load());
    await floor(pg);
    const same = await compare(pg, () => runVerify(url, url, 'a', 'b'));
    const last = (c: typeof same) => c.runs[c.runs.length - 1]!;
    const rss = (c: typeof same) => `${Math.max(...c.runs.map((r) => r.rssMb)).toFixed(0)} MB`;
    console.log(
      `identical:        floor ${spread(same.floors)} | dmr verify ` +
        `${spread(same.runs.map((r) => r.ms))} | ratio ${spread(same.ratios, ratio)} (target <= ` +
        `1.5x) | peak RSS ${rss(same)} | exit ${last(same).exit} | ${last(same).summary} | ${load()}`,
    );
    console.log(`                  ${recordRatio(same)} by medians (issue 9, 10M rows: target <= 1.1x)`);

    const ids = Array.from({ length: 10 }, (_, i) => Math.floor(((i + 0.5) * rows) / 10) + 7);
    await pg.raw(`update b set name = name || '!' where id in (${ids.join(', ')})`);
    const diff = await compare(pg, () => runVerify(url, url, 'a', 'b'));
    console.log(
      `10 differences:   floor ${spread(diff.floors)} | dmr verify ` +
        `${spread(diff.runs.map((r) => r.ms))} | ratio ${spread(diff.ratios, ratio)} (target <= ` +
        `2.5x) | peak RSS ${rss(diff)} | exit ${last(diff).exit} | ${last(diff).summary} | ${load()}`,
    );
    const grown = median(diff.runs.map((r) => r.ms)) / median(same.runs.map((r) => r.ms));
    console.log(`                  ${recordRatio(diff)}; ${grown.toFixed(2)}x the identical time (target <= 1.5x)`);

    if (!flag('--skip-keyless')) {
      // The same data without any key: a multiset of whole rows (count per row digest, in the database).
      await pg.raw('create table ka as select * from a');
      await pg.raw('create table kb as select * from a');
      await pg.raw('vacuum analyze ka');
      await pg.raw('vacuum analyze kb');
      const keylessSame = await compare(pg, () => runVerify(url, url, 'ka', 'kb'));
      const medianMs = (c: typeof same) => median(c.runs.map((r) => r.ms));
      const line = (label: string, c: typeof same, keyed: typeof same, what: string) =>
        console.log(
          `${label} floor ${spread(c.floors)} | dmr verify ${spread(c.runs.map((r) => r.ms))} | ` +
            `ratio ${spread(c.ratios, ratio)} | ` +
            `${ratio(medianMs(c) / medianMs(keyed))} the keyed ${what} time (median) | ` +
            `peak RSS ${rss(c)} | exit ${last(c).exit} | ${last(c).summary} | ${load()}`,
        );
      line('keyless identical:     ', keylessSame, same, 'identical');
      await pg.raw(`update kb set name = name || '!' where id in (${ids.join(', ')})`);
      const keylessDiff = await compare(pg, () => runVerify(url, url, 'ka', 'kb'));
      line('keyless 10 differences:', keylessDiff, diff, '10-difference');
      await pg.raw('drop table ka');
      await pg.raw('drop table kb');
    }

    if (!flag('--skip-seed') && rows <= 1_000_000) {
      const seeds: number[] = [];
      for (let i = 0; i < repeat; i++) seeds.push(await seedMethod(pg));
      const verifyMs = same.runs.map((r) => r.ms);
      console.log(
        `seed-002 method:  ${spread(seeds)} (SELECT * ORDER BY id, JSON, md5 in Node, both tables) ` +
          `| dmr verify is ${(best(seeds) / best(verifyMs)).toFixed(1)}x faster best to best, ` +
          `${(median(seeds) / median(verifyMs)).toFixed(1)}x median to median (target >= 10x) | ` +
          `${load()}`,
      );
    }

    if (!flag('--skip-mysql')) {
      const mysqlRows = Math.min(rows, 1_000_000);
      mysqlAdmin = adminKnex('mysql', mysqlServer);
      await mysqlAdmin.raw(`create database ${name}`);
      const myUrl = withDatabase(mysqlServer, name);
      const my = adminKnex('mysql', myUrl);
      try {
        await my.raw(`create table c ${ddl(false)}`);
        await my.raw(`insert into c select ${columns('seq', false).join(', ')} from seq_1_to_${mysqlRows}`);
        await pg.raw(`create table c as select * from a where id <= ${mysqlRows}`);
        await pg.raw('alter table c add primary key (id)');
        const crosses = Array.from({ length: repeat }, () => runVerify(myUrl, url, 'c'));
        const ms = crosses.map((c) => c.ms);
        const cross = crosses[crosses.length - 1]!;
        console.log(
          `MariaDB -> PostgreSQL: ${mysqlRows.toLocaleString('en-US')} rows in ${spread(ms)} = ` +
            `${Math.round(mysqlRows / (best(ms) / 1000)).toLocaleString('en-US')} rows/s per side (best) ` +
            `| peak RSS ${Math.max(...crosses.map((c) => c.rssMb)).toFixed(0)} MB | exit ${cross.exit} | ` +
            `${cross.summary} | ${load()}`,
        );
      } finally {
        await my.destroy();
      }
    }
  } finally {
    await pg.destroy();
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.destroy();
    if (mysqlAdmin) {
      await mysqlAdmin.raw(`drop database if exists ${name}`);
      await mysqlAdmin.destroy();
    }
  }
}

await main();
