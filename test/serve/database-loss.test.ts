import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import {
  adminKnex,
  createTestDatabase,
  dialectsUnderTest,
  serverUrls,
  type TestDatabase,
} from '../support/databases.js';
import { api, readEvents, startServe, targetOf, waitFor, type ServeProcess } from './serve-support.js';

/**
 * The database goes away under a running server and comes back: PostgreSQL refuses new
 * connections to the test database (ALLOW_CONNECTIONS false) and its sessions are terminated,
 * which is what the server sees of a database restart, without touching the shared server.
 */
const dialects = await dialectsUnderTest(['postgres']);

describe.each(dialects)('dmr serve survives the database going away (%s)', () => {
  let db: TestDatabase;
  let serve: ServeProcess;
  const admin = () => adminKnex('postgres', serverUrls.postgres ?? '');
  const name = () => new URL(db.url).pathname.slice(1);
  beforeAll(async () => {
    db = await createTestDatabase('postgres', 'serveloss');
    expect((await runCli(['init', ...targetOf(db)])).code).toBe(0);
    serve = await startServe(targetOf(db));
  });
  afterAll(async () => {
    const knex = admin();
    await knex.raw(`alter database "${name()}" with allow_connections true`).catch(() => undefined);
    await knex.destroy();
    await serve?.stop();
    await db?.drop();
  });

  it('says the database is lost, answers 503 meanwhile, and recovers by itself', async () => {
    await readEvents(serve.url, (e) => e.type === 'database' && e.data.ok === true);
    const lost = readEvents(serve.url, (e) => e.type === 'database' && e.data.ok === false, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const knex = admin();
    try {
      await db.knex.destroy();
      await knex.raw(`alter database "${name()}" with allow_connections false`);
      await knex.raw(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()',
        [name()],
      );
      const events = await lost;
      const message = String(events.at(-1)?.data.message);
      expect(message.length).toBeGreaterThan(0);
      const during = await waitFor(async () => {
        const answer = await api(`${serve.url}/api/status`);
        return answer.status === 503 ? answer : undefined;
      }, 'a 503 from /api/status');
      expect(during.body.error.message).toMatch(/^(the database did not answer|cannot connect)/);
      expect(during.body.error.hint).toBeTruthy();
      const back = readEvents(serve.url, (e) => e.type === 'database' && e.data.ok === true, 30_000);
      await knex.raw(`alter database "${name()}" with allow_connections true`);
      await back;
      const again = await waitFor(async () => {
        const answer = await api(`${serve.url}/api/status`);
        return answer.status === 200 ? answer : undefined;
      }, '/api/status to answer again');
      expect(again.body.stages).toHaveLength(3);
      expect(serve.output().stderr).toContain('dmr serve: the database is lost:');
    } finally {
      await knex.destroy();
    }
  });

  it('a read the database does not answer (a locked status table) is a 503 after 5 s, not a wait', async () => {
    const knex = adminKnex('postgres', db.url);
    const trx = await knex.transaction();
    try {
      await readEvents(serve.url, (e) => e.type === 'database' && e.data.ok === true);
      await trx.raw('lock table ??.?? in access exclusive mode', [db.schema, 'DataMigrations']);
      const started = Date.now();
      const answer = await api(`${serve.url}/api/status`);
      const waited = Date.now() - started;
      expect(answer.status).toBe(503);
      expect(answer.body.error.message).toBe('the database has not answered for 5 s');
      expect(answer.body.error.hint).toMatch(/a lock on the status tables/);
      expect(waited).toBeGreaterThanOrEqual(4900);
      expect(waited).toBeLessThan(15_000);
      await trx.rollback();
      const again = await waitFor(async () => {
        const next = await api(`${serve.url}/api/status`);
        return next.status === 200 ? next : undefined;
      }, '/api/status to answer once the lock is gone');
      expect(again.body.stages).toHaveLength(3);
    } finally {
      if (!trx.isCompleted()) await trx.rollback();
      await knex.destroy();
    }
  });

  it('stops on SIGINT while its read waits on a locked table: 130 at once, not when the lock goes', async () => {
    const knex = adminKnex('postgres', db.url);
    const trx = await knex.transaction();
    try {
      await readEvents(serve.url, (e) => e.type === 'database' && e.data.ok === true);
      await trx.raw('lock table ??.?? in access exclusive mode', [db.schema, 'DataMigrations']);
      await readEvents(serve.url, (e) => e.type === 'database' && e.data.ok === false, 20_000);
      const code = await Promise.race([
        serve.stop('SIGINT'),
        new Promise((resolve) => setTimeout(() => resolve('still running 10 s after SIGINT'), 10_000)),
      ]);
      expect(code).toBe(130);
      expect(serve.output().stderr).toContain('dmr serve: a database read was still waiting for an answer');
    } finally {
      await trx.rollback();
      await knex.destroy();
    }
  });
});
