/**
 * dmr verify on MariaDB:
 * `npm run bench:verify-mysql -- [--rows 1000000] [--repeat 3] [--skip-pt] [--skip-postgres]`.
 * 1M rows of 8 mixed columns, every figure measured --repeat times (the cases interleaved), median and best printed
 * with the load average, and ratios of medians:
 * - MariaDB -> MariaDB (two tables of one server): dmr verify against `pt-table-sync --print` (Percona Toolkit,
 *   skipped with a message where absent), `CHECKSUM TABLE` of both tables at once, and the floor
 *   `sum(crc32(concat_ws(...)))` of both tables at once (two connections);
 * - MariaDB -> PostgreSQL: dmr verify against one MariaDB scan computing md5 of concat_ws of the row;
 * - each again with 10 scattered differences.
 * Targets (issue 9): the pair at most 0.5x pt-table-sync; cross-engine at most 2x the md5 scan; 10 differences
 * within 1.5x of the identical case; peak RSS at most 200 MB. Prints figures, asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { adminKnex, serverUrls, withDatabase } from '../test/support/databases.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : 0);
const rows = option('--rows') || 1_000_000;
const repeat = Math.max(1, option('--repeat') || 1);
const mysqlServer = serverUrls.mysql ?? 'mysql://root@127.0.0.1:3306/test';
const pgServer = serverUrls.postgres ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `dmr_benchmy_${randomBytes(3).toString('hex')}`;
const cliModule = path.resolve('dist/src/cli/commands/verify-command.js');
const ptSync = '/usr/bin/pt-table-sync';

const myColumns = (id: string) => [
  id,
  `concat('name ', ${id})`,
  `(${id} % 100000) * 1.25`,
  `${id} / 7e0`,
  `timestamp('2024-01-01') + interval ${id} second + interval (${id} % 1000) * 1000 microsecond`,
  `${id} % 2 = 0`,
  `${id} % 1000`,
  `concat('C', ${id} % 977)`,
];
const pgColumns = (id: string) => [
  id,
  `'name ' || ${id}`,
  `(${id} % 100000) * 1.25`,
  `${id}::float8 / 7`,
  `timestamp '2024-01-01' + ${id} * interval '1 second' + (${id} % 1000) * interval '1 millisecond'`,
  `${id} % 2 = 0`,
  `${id} % 1000`,
  `'C' || (${id} % 977)`,
];
const myDdl =
  '(id bigint primary key, name varchar(40), amount numeric(12,2), ratio double, happened datetime(3), ' +
  'flag tinyint(1), qty integer, code varchar(20))';
const pgDdl =
  '(id bigint primary key, name text, amount numeric(12,2), ratio double precision, happened timestamp(3), ' +
  'flag boolean, qty integer, code varchar(20))';
const rowText = `concat_ws('#', id, name, amount, ratio, happened, flag, qty, code)`;

interface Run {
  readonly ms: number;
  readonly exit: number;
  readonly rssMb: number;
  readonly summary: string;
}

/** The built verify command in a child under /usr/bin/time -v: wall time, exit code, peak RSS, the verdict. */
function runVerify(source: string, target: string, table: string, targetTable = table): Run {
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
  const run = `process.exitCode = await m.runVerifyCommand(${JSON.stringify(args)});`;
  const script = `import(${JSON.stringify(cliModule)}).then(async (m) => { ${run} })`;
  const start = process.hrtime.bigint();
  const options = { encoding: 'utf8' as const, maxBuffer: 1 << 26 };
  const child = spawnSync('/usr/bin/time', ['-v', process.execPath, '-e', script], options);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1] ?? 0) / 1024;
  let summary = child.stderr
    .split('\n')
    .filter((l) => l.includes('Error') || l.startsWith('dmr'))
    .join(' ');
  try {
    const doc = JSON.parse(child.stdout) as { tables: { status: string; difference_count: number }[] };
    summary = doc.tables.map((t) => `${t.status}, ${t.difference_count} differences`).join('; ');
  } catch {
    summary ||= child.stdout.slice(0, 200);
  }
  return { ms, exit: child.status ?? -1, rssMb: rss, summary };
}

/** `pt-table-sync --print` between two tables of the bench database: wall time and the statements it printed. */
function runPtSync(database: string, from: string, to: string): Run {
  const u = new URL(mysqlServer);
  const user = decodeURIComponent(u.username);
  const dsn = (t: string) => `h=${u.hostname},P=${u.port || 3306},u=${user},D=${database},t=${t}`;
  const start = process.hrtime.bigint();
  const child = spawnSync(ptSync, ['--print', dsn(from), `t=${to}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const statements = child.stdout.split('\n').filter((l) => /^(REPLACE|INSERT|DELETE|UPDATE)/.test(l)).length;
  const failed = child.status ? `: ${child.stderr.slice(0, 200)}` : '';
  return { ms, exit: child.status ?? -1, rssMb: 0, summary: `${statements} statements${failed}` };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;
const load = () =>
  `load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
const spread = (xs: readonly number[]) => `median ${s(median(xs))} (best ${s(Math.min(...xs))}, n=${xs.length})`;
const ratio = (a: readonly number[], b: readonly number[]) => `${(median(a) / median(b)).toFixed(2)}x`;

/**
 * CPU time (ms) the MariaDB server has used, all its threads: other clients of the server count too, so it is a
 * figure less moved by the machine's load than wall time, not an exact one. null where it cannot be read.
 */
function mysqldCpuMs(): number | null {
  try {
    const pid = readFileSync('/run/mysqld/mysqld.pid', 'utf8').trim();
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/** Each case once per round, rounds interleaved so that a change of load touches every case alike. */
async function rounds(
  cases: Record<string, () => Promise<number> | number>,
): Promise<{ wall: Record<string, number[]>; cpu: Record<string, number[]> }> {
  const wall: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < repeat; i++) {
    for (const [k, fn] of Object.entries(cases)) {
      const before = mysqldCpuMs();
      wall[k]!.push(await fn());
      const after = mysqldCpuMs();
      if (before !== null && after !== null) cpu[k]!.push(after - before);
    }
    console.log(`  round ${i + 1}/${repeat} done, ${load()}`);
  }
  return { wall, cpu };
}

async function main(): Promise<void> {
  if (!existsSync(cliModule)) throw new Error('run `npm run build` first');
  const admin = adminKnex('mysql', mysqlServer);
  await admin.raw(`create database ${name}`);
  const myUrl = withDatabase(mysqlServer, name);
  const my = adminKnex('mysql', myUrl);
  const my2 = adminKnex('mysql', myUrl);
  const postgres = !flag('--skip-postgres');
  const pgAdmin = postgres ? adminKnex('postgres', pgServer) : null;
  let pg: Knex | null = null;
  try {
    const size = `${rows.toLocaleString('en-US')} rows x 8 columns`;
    console.log(`dmr verify MariaDB bench: ${size}, ${load()}, ${os.cpus().length} cores`);
    await my.raw(`create table c ${myDdl}`);
    await my.raw(`insert into c select ${myColumns('seq').join(', ')} from seq_1_to_${rows}`);
    await my.raw('create table d like c');
    await my.raw('insert into d select * from c');
    await my.raw('analyze table c, d');
    const pgUrl = withDatabase(pgServer, name);
    if (pgAdmin) {
      await pgAdmin.raw(`create database ${name}`);
      pg = adminKnex('postgres', pgUrl);
      await pg.raw(`create table c ${pgDdl}`);
      await pg.raw(`insert into c select ${pgColumns('g').join(', ')} from generate_series(1, ${rows}) g`);
      await pg.raw('vacuum analyze c');
    }
    const pt = existsSync(ptSync) && !flag('--skip-pt');
    const absent = `${ptSync} absent: apt-get install percona-toolkit`;
    if (!pt) console.log(`pt-table-sync: skipped (${existsSync(ptSync) ? '--skip-pt' : absent})`);
    const rss: number[] = [];
    const verifyMs = (run: Run, label: string) => {
      rss.push(run.rssMb);
      if (run.exit > 1) console.log(`  ${label}: exit ${run.exit} ${run.summary}`);
      return run.ms;
    };
    const crc = (k: Knex, table: string) => k.raw(`select sum(crc32(${rowText})) from ${table}`);
    const floor = () => timed(() => Promise.all([crc(my, 'c'), crc(my2, 'd')]));
    const md5 = `sum(cast(conv(substring(md5(${rowText}), 1, 16), 16, 10) as unsigned))`;
    const md5Scan = () => timed(() => my.raw(`select ${md5} from c`));
    const checksum = () => timed(() => my.raw('checksum table c, d'));
    const cases = (label: string) => ({
      [`dmr MariaDB pair ${label}`]: () => verifyMs(runVerify(myUrl, myUrl, 'c', 'd'), 'pair'),
      ...(pt ? { [`pt-table-sync ${label}`]: () => runPtSync(name, 'c', 'd').ms } : {}),
      [`CHECKSUM TABLE ${label}`]: checksum,
      [`crc32 floor ${label}`]: floor,
      ...(pg ? { [`dmr MariaDB -> PostgreSQL ${label}`]: () => verifyMs(runVerify(myUrl, pgUrl, 'c'), 'cross') } : {}),
      [`md5 scan ${label}`]: md5Scan,
    });
    const report = ({ wall: r, cpu }: Awaited<ReturnType<typeof rounds>>, label: string) => {
      for (const [k, v] of Object.entries(r)) {
        const server = cpu[k]?.length ? ` | MariaDB server CPU median ${s(median(cpu[k]!))}` : '';
        console.log(`${k.padEnd(44)} ${spread(v)}${server}`);
      }
      const get = (k: string) => r[`${k} ${label}`] ?? [];
      const pair = get('dmr MariaDB pair');
      if (pt) console.log(`  MariaDB pair / pt-table-sync: ${ratio(pair, get('pt-table-sync'))} (target <= 0.5x)`);
      const floors = `${ratio(pair, get('CHECKSUM TABLE'))}; / crc32 floor: ${ratio(pair, get('crc32 floor'))}`;
      console.log(`  MariaDB pair / CHECKSUM TABLE: ${floors}`);
      const cross = ratio(get('dmr MariaDB -> PostgreSQL'), get('md5 scan'));
      if (pg) console.log(`  MariaDB -> PostgreSQL / md5 scan: ${cross} (target <= 2x)`);
    };
    const verdicts = () =>
      console.log(
        `verdicts: pair: ${runVerify(myUrl, myUrl, 'c', 'd').summary}` +
          (pg ? `; cross: ${runVerify(myUrl, pgUrl, 'c').summary}` : '') +
          (pt ? `; pt-table-sync: ${runPtSync(name, 'c', 'd').summary}` : ''),
      );
    verdicts();
    const same = await rounds(cases('identical'));
    report(same, 'identical');

    const ids = Array.from({ length: 10 }, (_, i) => Math.floor(((i + 0.5) * rows) / 10) + 7);
    await my.raw(`update d set name = concat(name, '!') where id in (${ids.join(', ')})`);
    await pg?.raw(`update c set name = name || '!' where id in (${ids.join(', ')})`);
    verdicts();
    const diff = await rounds(cases('10 differences'));
    report(diff, '10 differences');
    const m = (r: Awaited<ReturnType<typeof rounds>>, k: string) => r.wall[k] ?? [];
    const growth = (k: string) => ratio(m(diff, `${k} 10 differences`), m(same, `${k} identical`));
    const crossGrowth = pg ? `, cross ${growth('dmr MariaDB -> PostgreSQL')}` : '';
    console.log(`10 differences / identical: pair ${growth('dmr MariaDB pair')}${crossGrowth} (target <= 1.5x)`);
    console.log(`peak RSS of dmr verify: ${Math.max(...rss).toFixed(0)} MB (target <= 200 MB) | ${load()}`);
  } finally {
    await my.destroy();
    await my2.destroy();
    await admin.raw(`drop database if exists ${name}`);
    await admin.destroy();
    await pg?.destroy();
    if (pgAdmin) {
      await pgAdmin.raw(`drop database if exists ${name} with (force)`);
      await pgAdmin.destroy();
    }
  }
}

await main();
