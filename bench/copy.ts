/**
 * dmr copy benchmark:
 * `npm run build && node --import tsx bench/copy.ts [--rows 1000000] [--repeat 3] [--five-million] [--skip-pgloader]`
 * or `... bench/copy.ts --linearity [--rows N] [--repeat R]` for the N -> 5N growth alone.
 * MariaDB -> PostgreSQL, N rows of 8 mixed columns (integer key, text, decimal, datetime(3), tinyint(1),
 * nullable varchar, double, int): dmr copy --create, pgloader (when installed) and the floor (the source
 * read to a file by the mysql client, then psql \copy of that file into a table with its primary key),
 * each into a fresh database; then PostgreSQL -> PostgreSQL and PostgreSQL -> MariaDB rows/s, and with
 * --five-million (or only that, with --linearity) rows/s at N and at 5N rows and the peak RSS of both:
 * linear growth keeps rows/s, bounded memory keeps RSS. Each figure is measured --repeat times (best and
 * median) with the load average, because the machine is shared. Prints figures, asserts nothing.
 * Targets: dmr <= 0.7x pgloader, <= 1.5x the floor, peak RSS <= 200 MB, 1M -> 5M linear.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminKnex, serverUrls, withDatabase } from '../test/support/databases.js';

const argv = process.argv.slice(2);
const option = (name: string) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : 0);
const rows = option('--rows') || 1_000_000;
const repeat = Math.max(1, option('--repeat') || 1);
const pgServer = serverUrls.postgres ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const mysqlServer = serverUrls.mysql ?? 'mysql://root@127.0.0.1:3306/test';
const tag = randomBytes(3).toString('hex');
const cli = path.resolve('dist/bin/dmr.js');
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const my = adminKnex('mysql', mysqlServer);
const pg = adminKnex('postgres', pgServer);

interface Measured {
  readonly seconds: number;
  readonly rssMb: number;
  /** user + system CPU seconds of the process (and its children): far less load-sensitive than wall time. */
  readonly cpu: number;
  readonly out: string;
}

function sh(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Measured {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', command, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [rssKb = 0, user = 0, system = 0] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { seconds, rssMb: rssKb / 1024, cpu: user + system, out: r.stdout };
}

async function seedSource(db: string, n: number): Promise<void> {
  await my.raw(`create database ${db}`);
  await my.raw(
    `create table ${db}.items (id int primary key, name text not null, amount decimal(12,2) not ` +
      `null, created datetime(3) not null,
    active tinyint(1) not null, note varchar(100) null, score double not null, qty int not null)`,
  );
  for (let from = 1; from <= n; from += 1_000_000) {
    const to = Math.min(n, from + 999_999);
    await my.raw(
      `insert into ${db}.items select seq, concat('item ', seq), (seq % 100000) / 100 - 200, ` +
        `timestamp'2020-01-01 00:00:00' + interval (seq * 1003000) microsecond,
      seq % 2, if(seq % 3 = 0, null, concat('n', seq)), seq / 7e0, seq * 3 from seq_${from}_to_${to}`,
    );
  }
}

async function freshPg(name: string): Promise<string> {
  await pg.raw(`drop database if exists "${name}" with (force)`);
  await pg.raw(`create database "${name}"`);
  return withDatabase(pgServer, name);
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
}

function summary(label: string, values: number[], unit = 's'): number {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(
    `${label.padEnd(44)} best ${sorted[0]?.toFixed(2)}${unit}  median ${median.toFixed(2)}` +
      `${unit}  (${values.map((v) => v.toFixed(2)).join(', ')})`,
  );
  return sorted[0] ?? 0;
}

function dmrCopy(source: string, target: string, extra: string[] = []): Measured {
  return sh(process.execPath, [
    cli,
    'copy',
    '--source',
    source,
    '--target',
    target,
    '--table',
    'items',
    '--create',
    '--json',
    ...extra,
  ]);
}

/** MariaDB -> PostgreSQL at N rows (the seeded source) and at 5N: rows/s and peak RSS of each, best of --repeat. */
async function linearity(sourceUrl: string, small: { seconds: number; rssMb: number } | null): Promise<void> {
  const big = `dmr_bench_copy5_${tag}`;
  try {
    if (!small) {
      const runs = [];
      for (let i = 0; i < repeat; i += 1) runs.push(dmrCopy(sourceUrl, await freshPg(`dmr_bench_copy_t_${tag}`)));
      small = runs.sort((a, b) => a.seconds - b.seconds)[0] ?? null;
    }
    await seedSource(big, rows * 5);
    const runs = [];
    for (let i = 0; i < repeat; i += 1)
      runs.push(dmrCopy(withDatabase(mysqlServer, big), await freshPg(`dmr_bench_copy_5_${tag}`)));
    const large = runs.sort((a, b) => a.seconds - b.seconds)[0];
    if (!small || !large) return;
    const rate = (n: number, s: number) => Math.round(n / s);
    const at = (n: number, r: { seconds: number; rssMb: number }) =>
      `${n.toLocaleString('en').padStart(10)} rows: ${r.seconds.toFixed(2)}s, ` +
      `${rate(n, r.seconds).toLocaleString('en')} rows/s, peak RSS ${r.rssMb.toFixed(0)} MB`;
    console.log('MariaDB -> PostgreSQL linearity (best of --repeat):');
    console.log(`  ${at(rows, small)}`);
    console.log(`  ${at(rows * 5, large)}`);
    const ratio = rate(rows * 5, large.seconds) / rate(rows, small.seconds);
    console.log(
      `  rows/s at 5x the rows: ${ratio.toFixed(2)} of the rate at 1x (linear: 1.00; time ` +
        `${(large.seconds / small.seconds).toFixed(2)}x for 5x rows)`,
    );
  } finally {
    await my.raw(`drop database if exists ${big}`);
  }
}

async function main(): Promise<void> {
  const srcDb = `dmr_bench_copy_${tag}`;
  const sourceUrl = withDatabase(mysqlServer, srcDb);
  const hasPgloader = !argv.includes('--skip-pgloader') && spawnSync('sh', ['-c', 'command -v pgloader']).status === 0;
  console.log(
    `dmr copy bench: ${rows.toLocaleString('en')} rows, --repeat ${repeat}, ${os.cpus().length} ` +
      `cores, load average at start ${load()}`,
  );
  console.log('the machine is shared with other work: compare figures of the same run, not across runs');
  await seedSource(srcDb, rows);
  if (argv.includes('--linearity')) {
    try {
      await linearity(sourceUrl, null);
      console.log(`load average at end ${load()}`);
    } finally {
      await my.raw(`drop database if exists ${srcDb}`);
      for (const s of ['t', '5']) await pg.raw(`drop database if exists "dmr_bench_copy_${s}_${tag}" with (force)`);
      await my.destroy();
      await pg.destroy();
    }
    return;
  }
  const file = path.join(os.tmpdir(), `dmr-bench-copy-${tag}.tsv`);
  const dmr: number[] = [];
  const dmrCpu: number[] = [];
  const rss: number[] = [];
  const loader: number[] = [];
  const loaderCpu: number[] = [];
  const floorRead: number[] = [];
  const floorLoad: number[] = [];
  try {
    for (let i = 0; i < repeat; i += 1) {
      const target = await freshPg(`dmr_bench_copy_t_${tag}`);
      const d = dmrCopy(sourceUrl, target);
      dmr.push(d.seconds);
      dmrCpu.push(d.cpu);
      rss.push(d.rssMb);
      console.log(
        `  run ${i + 1}: dmr copy ${d.seconds.toFixed(2)}s, CPU ${d.cpu.toFixed(2)}s, peak RSS ` +
          `${d.rssMb.toFixed(0)} MB, load ${load()}`,
      );
      if (hasPgloader) {
        const target2 = await freshPg(`dmr_bench_copy_l_${tag}`);
        const l = sh('pgloader', ['--quiet', sourceUrl, target2]);
        loader.push(l.seconds);
        loaderCpu.push(l.cpu);
        console.log(`  run ${i + 1}: pgloader ${l.seconds.toFixed(2)}s, CPU ${l.cpu.toFixed(2)}s, load ${load()}`);
      }
      const read = sh('sh', [
        '-c',
        `mysql -h127.0.0.1 -uroot --batch --skip-column-names --raw -e "select * from ${srcDb}.items" > ${file}`,
      ]);
      const floorDb = await freshPg(`dmr_bench_copy_f_${tag}`);
      const floorUrl = new URL(floorDb);
      sh('psql', [
        '-h',
        floorUrl.hostname,
        '-U',
        'postgres',
        '-d',
        floorUrl.pathname.slice(1),
        '-qc',
        `create table items (id int primary key, name text not null, amount numeric(12,2) not null,
        created timestamp(3) not null, active boolean not null, note varchar(100), score ` +
          `double precision not null, qty int not null)`,
      ]);
      const loaded = sh('psql', [
        '-h',
        floorUrl.hostname,
        '-U',
        'postgres',
        '-d',
        floorUrl.pathname.slice(1),
        '-qc',
        `\\copy items from '${file}' with (null 'NULL')`,
      ]);
      floorRead.push(read.seconds);
      floorLoad.push(loaded.seconds);
      console.log(
        `  run ${i + 1}: floor read ${read.seconds.toFixed(2)}s + load ${loaded.seconds.toFixed(2)}s, load ${load()}`,
      );
    }
    console.log('');
    const bestDmr = summary('MariaDB -> PostgreSQL: dmr copy --create', dmr);
    summary('  dmr CPU (user + sys)', dmrCpu);
    summary('  dmr peak RSS', rss, ' MB');
    const floor = floorRead.map((r, i) => r + (floorLoad[i] ?? 0));
    const bestFloor = summary('  floor (read to file + COPY with key)', floor);
    console.log(
      `  dmr / floor: ${(bestDmr / bestFloor).toFixed(2)}x (target <= 1.5x); median ` +
        `${(median(dmr) / median(floor)).toFixed(2)}x`,
    );
    if (hasPgloader) {
      const bestLoader = summary('  pgloader', loader);
      summary('  pgloader CPU (user + sys)', loaderCpu);
      console.log(
        `  dmr / pgloader: ${(bestDmr / bestLoader).toFixed(2)}x (target <= 0.7x); median ` +
          `${(median(dmr) / median(loader)).toFixed(2)}x`,
      );
    } else console.log('  pgloader: not installed (apt-get install -y pgloader), skipped');

    const pgSource = withDatabase(pgServer, `dmr_bench_copy_t_${tag}`);
    const pp: number[] = [];
    const pm: number[] = [];
    for (let i = 0; i < repeat; i += 1) {
      pp.push(dmrCopy(pgSource, await freshPg(`dmr_bench_copy_p_${tag}`)).seconds);
      const myDb = `dmr_bench_copy_m_${tag}`;
      await my.raw(`drop database if exists ${myDb}`);
      await my.raw(`create database ${myDb}`);
      pm.push(dmrCopy(pgSource, withDatabase(mysqlServer, myDb)).seconds);
    }
    const rate = (s: number) => `${Math.round(rows / s).toLocaleString('en')} rows/s`;
    console.log(`PostgreSQL -> PostgreSQL: ${rate(summary('PostgreSQL -> PostgreSQL: dmr copy', pp))}`);
    console.log(`PostgreSQL -> MariaDB: ${rate(summary('PostgreSQL -> MariaDB: dmr copy', pm))}`);

    if (argv.includes('--five-million')) await linearity(sourceUrl, { seconds: bestDmr, rssMb: Math.max(...rss) });
    console.log(`load average at end ${load()}`);
  } finally {
    rmSync(file, { force: true });
    await my.raw(`drop database if exists ${srcDb}`);
    await my.raw(`drop database if exists dmr_bench_copy_m_${tag}`);
    for (const s of ['t', 'l', 'f', 'p', '5'])
      await pg.raw(`drop database if exists "dmr_bench_copy_${s}_${tag}" with (force)`);
    await my.destroy();
    await pg.destroy();
  }
}

await main();
