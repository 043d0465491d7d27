import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, runCli, startCli } from '../support/cli.js';
import {
  adminKnex,
  createTestDatabase,
  dialectsUnderTest,
  serverUrls,
  type TestDatabase,
} from '../support/databases.js';
import { redactText } from '../../src/core/serve/redact-answer.js';
import { statusTable } from '../support/status-rows.js';
import { browserAvailable, launchBrowser } from './browser.js';
import { api, sleep3Dir, slowDir, startServe, targetOf, type ServeProcess } from './serve-support.js';

/** The page in a real headless chromium: stages, live updates without reload, doctor findings, lost connections. */
const dialects = browserAvailable() ? await dialectsUnderTest(['sqlite', 'postgres']) : [];
const artifacts = path.join(projectRoot, '.tmp/test-artifacts');
const wait = { timeout: 20_000 };

describe.skipIf(dialects.length === 0).each(dialects)('the dmr serve page on %s', (dialect) => {
  let db: TestDatabase;
  let serve: ServeProcess;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'servepage');
    expect((await runCli(['init', ...targetOf(db)])).code).toBe(0);
    serve = await startServe(targetOf(db));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await db?.drop();
  });

  it('with no verification recorded, suggests verify --record with the server flags (from /api/server)', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${serve.url}/`);
    await page.waitForSelector('#verification code.verify-command', wait);
    const server = await api(`${serve.url}/api/server`);
    const command = await page.locator('#verification code.verify-command').textContent();
    expect(command).toBe(server.body.verifyCommand);
    expect(command).toBe(
      'dmr verify --record --source <source-url> --target <target-url> ' +
        `--url ${redactText(db.url)} --schema ${db.schema}`,
    );
    expect(await page.locator('#verification').textContent()).toBe(`no verification recorded: run ${command}`);
    await page.close();
  });

  it('shows the stages and follows a migrate, a status row change and a killed runner without a reload', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`${serve.url}/`);
    await page.waitForSelector('#connection[data-state="connected"]', wait);
    expect(
      await page.locator('#stages tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.stage)),
    ).toEqual(['ods', 'rds', 'report']);
    expect(await page.locator('tr[data-stage="rds"] td.status').textContent()).toBe('○ initial');
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    await statusTable(db, 'DataMigrations').where('DataMigrationTypeId', 2).update({ DataMigrationStatusId: 4 });
    await page.waitForSelector('tr[data-stage="rds"][data-status="error"]', wait);
    expect(await page.locator('tr[data-stage="rds"] td.status').textContent()).toBe('✕ error');
    await statusTable(db, 'DataMigrations').where('DataMigrationTypeId', 2).update({ DataMigrationStatusId: 1 });
    await page.waitForSelector('tr[data-stage="rds"][data-status="initial"]', wait);

    const migrate = startCli(['migrate', '--sql-dir', sleep3Dir, ...targetOf(db)]);
    await page.waitForSelector('tr[data-stage="rds"][data-status="processing"]', wait);
    expect(await page.locator('[data-field="current task"]').textContent()).toBe('rds: 010_sleep');
    expect(await page.locator('tr[data-stage="report"]').getAttribute('data-status')).toBe('pending');
    await page.waitForSelector('tr[data-stage="report"][data-status="success"]', wait);
    expect((await migrate.done).code).toBe(0);
    expect(await page.locator('tr[data-stage="rds"]').getAttribute('data-status')).toBe('success');
    // #, stage, status (word and colour), last trigger, last duration, user, task list.
    const rds = await page.locator('tr[data-stage="rds"] td').allTextContents();
    expect(rds[2]).toBe('✓ success');
    expect(rds[3]).not.toBe('—');
    expect(rds[4]).toMatch(/^[3-9]s$/);
    expect(rds[6]).toBe('010_sleep,020_after');
    const colour = (stage: string) =>
      page.locator(`tr[data-stage="${stage}"] td.status`).evaluate((td) => getComputedStyle(td).color);
    await statusTable(db, 'DataMigrations').where('DataMigrationTypeId', 1).update({ DataMigrationStatusId: 4 });
    await page.waitForSelector('tr[data-stage="ods"][data-status="error"]', wait);
    expect(await colour('ods')).not.toBe(await colour('rds'));
    await statusTable(db, 'DataMigrations').where('DataMigrationTypeId', 1).update({ DataMigrationStatusId: 5 });
    await page.waitForSelector('tr[data-stage="ods"][data-status="success"]', wait);
    // The run's closing history line is written after the last stage's status: wait for the page to show it.
    await page.waitForFunction(
      () => document.querySelector('#history tbody tr')?.textContent?.includes('run 1 completed') ?? false,
      undefined,
      wait,
    );

    const slow = startCli(['migrate', '--sql-dir', slowDir, '--heartbeat', '300ms', ...targetOf(db)]);
    await slow.waitForOutput('rds: 010_slow started');
    await page.waitForSelector('#run [data-liveness="live"]', wait);
    expect(await page.locator('#run [data-field="who / where"]').textContent()).toMatch(
      new RegExp(`^\\S+ on \\S+, pid ${slow.child.pid}$`),
    );
    await page.waitForSelector('#run [data-field="current task"]:text-is("rds: 010_slow")', wait);
    expect(await page.locator('#run [data-field="task elapsed"]').textContent()).toMatch(/^\d+s$/);
    expect(await page.locator('#run [data-field="heartbeat age"]').textContent()).toMatch(/^\d+s \(every 0\.3 s\)$/);

    // History is paged: "older" shows the lines before the oldest one on the first page.
    const ids = () =>
      page.locator('#history tbody tr').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.id)));
    const newest = await ids();
    await page.click('#history-older');
    await page.waitForFunction(
      (last) => {
        const first = document.querySelector<HTMLElement>('#history tbody tr');
        return first !== null && Number(first.dataset.id) < last;
      },
      newest.at(-1) ?? 0,
      wait,
    );
    const older = await ids();
    expect(older[0]).toBe((newest.at(-1) ?? 0) - 1);
    expect(older).toEqual([...older].sort((a, b) => b - a));
    await page.click('#history-newest');
    await page.waitForFunction(
      (first) => Number(document.querySelector<HTMLElement>('#history tbody tr')?.dataset.id) >= first,
      newest[0] ?? 0,
      wait,
    );

    slow.child.kill('SIGKILL');
    await slow.done;
    const finding = page.locator('[data-finding="stuck:rds"]');
    await finding.waitFor(wait);
    // The command `dmr doctor` prints for it, with this server's --url and --schema, not a bare one.
    const command = await finding.locator('.fix-command').textContent();
    expect(command).toMatch(/^dmr doctor --fix --yes /);
    expect(command).toContain(`--schema ${db.schema}`);
    expect(command).toContain('--url ');
    const doctor = await api(`${serve.url}/api/doctor`);
    expect(command).toBe(doctor.body.findings.find((f: { id: string }) => f.id === 'stuck:rds')?.command);
    expect(await finding.textContent()).toContain('PROBLEM stuck:rds');
    expect(await page.locator('#verdict').textContent()).toMatch(/^\d+ problems?$/);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, `serve-page-${dialect}.png`), fullPage: true });

    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.runIf(dialect === 'postgres')('says when the server lost the database, and when it is back', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${serve.url}/`);
    await page.waitForSelector('#connection[data-state="connected"]', wait);
    const name = new URL(db.url).pathname.slice(1);
    const admin = adminKnex('postgres', serverUrls.postgres ?? '');
    try {
      await db.knex.destroy();
      await admin.raw(`alter database "${name}" with allow_connections false`);
      await admin.raw(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()',
        [name],
      );
      await page.waitForSelector('#connection[data-state="database-lost"]', wait);
      expect(await page.locator('#connection').textContent()).toContain('the server lost the database');
      await page.screenshot({ path: path.join(artifacts, 'serve-page-database-lost.png') });
      await admin.raw(`alter database "${name}" with allow_connections true`);
      await page.waitForSelector('#connection[data-state="connected"]', wait);
    } finally {
      await admin.raw(`alter database "${name}" with allow_connections true`).catch(() => undefined);
      await admin.destroy();
      db = { ...db, knex: adminKnex('postgres', db.url) };
    }
    await page.close();
  });

  it('says when it lost the connection to the server, and reconnects to a new one', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${serve.url}/`);
    await page.waitForSelector('#connection[data-state="connected"]', wait);
    const port = new URL(serve.url).port;
    expect(await serve.stop('SIGINT')).toBe(130);
    await page.waitForSelector('#connection[data-state="server-lost"]', wait);
    expect(await page.locator('#connection').textContent()).toContain('lost the connection to the server');
    serve = await startServe([...targetOf(db), '--port', port]);
    await page.waitForSelector('#connection[data-state="connected"]', wait);
    expect(await page.locator('tr[data-stage="report"]').getAttribute('data-status')).toBe('pending');
    await page.close();
  });
});

describe.skipIf(dialects.length === 0)('the dmr serve page with a token and actions (SQLite)', () => {
  let db: TestDatabase;
  let serve: ServeProcess;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const token = 'page-token-0123456789abcdef';
  beforeAll(async () => {
    db = await createTestDatabase('sqlite', 'servepageact');
    expect((await runCli(['init', ...targetOf(db)])).code).toBe(0);
    serve = await startServe([...targetOf(db), '--token', `ops:${token}`, '--allow-actions', '--sql-dir', sleep3Dir]);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await db?.drop();
  });

  it('asks for the token, stops a live run with a reason, and filters the history by stage', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${serve.url}/`);
    await page.waitForSelector('#connection[data-state="token"]', wait);
    await page.fill('#token-input', token);
    await page.click('#token-form button');
    await page.waitForSelector('#connection[data-state="connected"]', wait);
    await page.waitForSelector('#actions:not(.hidden)', wait);

    const slow = startCli(['migrate', '--sql-dir', slowDir, '--heartbeat', '300ms', ...targetOf(db)]);
    await slow.waitForOutput('rds: 010_slow started');
    await page.waitForSelector('#action-form button[data-action="stop"]:not([disabled])', wait);
    expect(await page.locator('#action-form button[data-action="fix"]').isDisabled()).toBe(true);
    await page.click('#action-form button[data-action="stop"]');
    expect(await page.locator('#action-result').textContent()).toContain('say why first');
    await page.fill('#reason', 'handover to the night shift');
    await page.click('#action-form button[data-action="stop"]');
    await page.waitForSelector('#action-result:has-text("stop: stop requested")', wait);
    await page.waitForSelector('#run [data-job-status="Stopped"]', wait);
    expect((await slow.done).code).toBe(1);
    await page.waitForSelector('#history td:has-text("reason: handover to the night shift")', wait);

    await page.selectOption('#history-stage', 'rds');
    await page.waitForFunction(
      () => {
        const cells = [...document.querySelectorAll('#history tbody tr td:nth-child(3)')].map((td) => td.textContent);
        return cells.length > 0 && cells.every((c) => c === 'rds');
      },
      undefined,
      wait,
    );
    expect(await page.locator('#history-newest').isDisabled()).toBe(true);
    expect(await page.locator('#action-form button[data-action="fix"]').isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(artifacts, 'serve-page-actions.png'), fullPage: true });
    await page.close();
  });
});
