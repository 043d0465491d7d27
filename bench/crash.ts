/**
 * bench/crash: 50 SIGKILLs at random moments of demo-pipeline runs on PostgreSQL. After each:
 * `dmr doctor --json` must report the dead run as stuck (naming its pid) exactly when it left an
 * unfinished run record, `dmr doctor --fix --yes` must repair it, and `dmr resume` must finish.
 * At the end the report tables must equal a clean run's. Run: npm run bench:crash
 */
import { performance } from 'node:perf_hooks';
import knexFactory, { type Knex } from 'knex';
import { runCli, startCli, type CliResult } from '../test/support/cli.js';

const kills = Number(process.env.DMR_BENCH_KILLS ?? 50);
const server = process.env.DMR_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const names = { clean: `dmr_bench_crash_clean_${process.pid}`, crash: `dmr_bench_crash_${process.pid}` };
const urlOf = (db: string) => `${server.replace(/\/[^/]*$/, '')}/${db}`;
const reportTables = ['rpt_enrollment_by_school_grade', 'rpt_students_per_school', 'rpt_district_summary'];

const admin = knexFactory({ client: 'pg', connection: server, pool: { min: 0, max: 2 } });
for (const name of Object.values(names)) {
  await admin.raw(`drop database if exists ${name} with (force)`);
  await admin.raw(`create database ${name}`);
}
const dmr = (db: string, args: string[]): Promise<CliResult> => runCli([...args, '--url', urlOf(db)]);
const must = (r: CliResult, what: string, codes: number[] = [0]) => {
  if (!codes.includes(r.code ?? -1)) throw new Error(`${what} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
};

async function reportRows(db: string): Promise<string> {
  const knex = knexFactory({ client: 'pg', connection: urlOf(db), pool: { min: 0, max: 1 } });
  try {
    const parts: unknown[] = [];
    for (const t of reportTables) parts.push(await knex(t).select('*').orderByRaw('1, 2, 3'));
    return JSON.stringify(parts);
  } finally {
    await knex.destroy();
  }
}

const cleanStart = performance.now();
must(await dmr(names.clean, ['migrate']), 'clean migrate');
const seconds: number[] = [];
for (let i = 0; i < 3; i++)
  seconds.push(
    (JSON.parse(must(await dmr(names.clean, ['restart', '--json']), 'clean restart').stdout) as { seconds: number })
      .seconds,
  );
const runSeconds = Math.min(...seconds);
console.log(
  `clean run: ${runSeconds.toFixed(2)} s inside the runner (fastest of 3; ` +
    `${((performance.now() - cleanStart) / 1000).toFixed(1)} s for four CLI runs); kills land 0..` +
    `${runSeconds.toFixed(2)} s after the run starts`,
);
must(await dmr(names.crash, ['migrate']), 'first migrate');

const status: Knex = knexFactory({ client: 'pg', connection: urlOf(names.crash), pool: { min: 0, max: 1 } });
let midRun = 0;
let detected = 0;
let recovered = 0;
const failures: string[] = [];
const started = performance.now();
for (let i = 1; i <= kills; i++) {
  const cli = startCli(['restart', '--url', urlOf(names.crash)]);
  await cli.waitForOutput(/run \d+: ods/);
  await new Promise((resolve) => setTimeout(resolve, Math.random() * runSeconds * 1000));
  const pid = cli.child.pid;
  cli.child.kill('SIGKILL');
  await cli.done;
  const unfinished = await status('DataMigrationRuns')
    .withSchema('App')
    .where({ Pid: pid })
    .whereNull('FinishedAt')
    .first();
  const report = JSON.parse((await dmr(names.crash, ['doctor', '--json'])).stdout) as {
    findings: { id: string; rule: string; message: string }[];
  };
  const stuck = report.findings.filter((f) => f.rule === 'stuck' && f.message.includes(`pid ${pid}`));
  if (unfinished) midRun++;
  const right = unfinished ? stuck.length > 0 : stuck.length === 0;
  if (right) detected++;
  else
    failures.push(
      `kill ${i}: unfinished=${Boolean(unfinished)} findings=${report.findings.map((f) => f.id).join(',')}`,
    );
  must(await dmr(names.crash, ['doctor', '--fix', '--yes']), `kill ${i}: doctor --fix --yes`, [0, 1]);
  const resume = await dmr(names.crash, ['resume']);
  const statuses = await status('DataMigrations').withSchema('App').pluck('DataMigrationStatusId');
  const healthy = (await dmr(names.crash, ['doctor'])).code === 0;
  if (
    (resume.code === 0 || /every stage is success|Completed/.test(resume.stderr)) &&
    statuses.every((s) => Number(s) === 5) &&
    healthy
  )
    recovered++;
  else
    failures.push(
      `kill ${i}: resume exit ${resume.code} statuses ${statuses.join(',')} healthy=${healthy}: ` +
        `${resume.stderr.trim().split('\n').pop()}`,
    );
}
await status.destroy();
const equal = (await reportRows(names.crash)) === (await reportRows(names.clean));
console.log(
  `kills: ${kills} (${midRun} left an unfinished run record, ${kills - midRun} landed after ` +
    `the run had recorded its end)`,
);
console.log(
  `detected: ${detected}/${kills} (stuck reported, naming the pid, exactly when the run record was left unfinished)`,
);
console.log(`recovered: ${recovered}/${kills} (doctor --fix --yes, resume: every stage success, doctor healthy)`);
console.log(`final report tables equal a clean run's: ${equal ? 'yes' : 'NO'}`);
console.log(`elapsed: ${((performance.now() - started) / 1000).toFixed(1)} s`);
for (const f of failures) console.log(`  ${f}`);
for (const name of Object.values(names)) await admin.raw(`drop database if exists ${name} with (force)`);
await admin.destroy();
process.exitCode = detected === kills && recovered === kills && equal ? 0 : 1;
