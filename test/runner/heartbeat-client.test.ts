import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectNamed } from '../../src/adapters/dialects.js';
import type { HeartbeatClientModule, HeartbeatConnection } from '../../src/adapters/heartbeat-client.js';
import { resolveConnection } from '../../src/config/resolve-connection.js';
import { openDatabase, type Database } from '../../src/core/database.js';
import { cloneable } from '../../src/core/runner/heartbeat-messages.js';
import { ensureStatusTables } from '../../src/core/status/ensure-status-tables.js';
import { RunStore } from '../../src/core/status/run-store.js';
import { StatusStore } from '../../src/core/status/status-store.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';

const dialects = await dialectsUnderTest(['sqlite', 'postgres', 'mysql', 'mssql']);

/**
 * The heartbeat thread's connection (Dialect.heartbeatClient): the engine's client module, with
 * the run pool's settings cloned as they cross into the thread, runs the statements knex compiled
 * and writes what knex would have written.
 */
describe.each(dialects)('the heartbeat client writes the heartbeat without knex (%s)', (dialect) => {
  let db: TestDatabase;
  let database: Database;
  let store: StatusStore;
  let runs: RunStore;
  let connection: HeartbeatConnection;
  let runId: number;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'hbclient');
    database = await openDatabase(await resolveConnection({ url: db.url }));
    store = new StatusStore(database, db.schema);
    await ensureStatusTables(store);
    runs = new RunStore(store);
    runId = await runs.create({
      command: 'migrate',
      jobStatus: 'Running',
      stages: ['ods'],
      heartbeatIntervalMs: 5000,
      host: 'test',
      pid: 1,
      userName: 'test',
      dbSessionId: null,
      priorStatuses: {},
    });
    const spec = dialectNamed(dialect).heartbeatClient(database.knex);
    const module = (await import(spec.module)) as HeartbeatClientModule;
    connection = await module.createHeartbeatClient(structuredClone(cloneable(spec.settings))).connect();
  });
  afterAll(async () => {
    await connection?.close();
    await database?.close();
    await db?.drop();
  });

  it('updates HeartbeatAt of the unfinished run to the time given, as knex reads it back', async () => {
    const statements = runs.beatStatements(runId);
    const at = new Date('2031-02-03T04:05:06.000Z');
    const bindings = statements.update.bindings.map((b) => (b instanceof Date ? at : b));
    expect(await connection.update({ sql: statements.update.sql, bindings })).toBe(1);
    expect((await runs.get(runId))?.heartbeatAt?.toISOString()).toBe(at.toISOString());
    const row = await connection.first(statements.read);
    expect(Number(row?.StopRequested)).toBe(0);
    expect(row?.FinishedAt).toBeNull();
  });

  it('reads StopRequested, and updates nothing once the run record is finished', async () => {
    await runs.update(runId, { StopRequested: 1, FinishedAt: new Date(), JobStatus: 'Stopped' });
    const statements = runs.beatStatements(runId);
    expect(await connection.update(statements.update)).toBe(0);
    const row = await connection.first(statements.read);
    expect(Number(row?.StopRequested)).toBe(1);
    expect(row?.FinishedAt).not.toBeNull();
    expect(connection.usable).toBe(true);
  });
});

describe('the heartbeat client settings carry the password knex hides', () => {
  const secret = 'hb-Secret-123';
  it.each([
    ['postgres', 'pg', { host: 'h', user: 'u', password: secret, database: 'd' }],
    ['mysql', 'mysql2', { host: 'h', user: 'u', password: secret, database: 'd' }],
    ['mssql', 'mssql', { server: 'h', user: 'u', password: secret, database: 'd' }],
  ] as const)('%s', async (name, client, connection) => {
    const knex = knexFactory({ client, connection });
    try {
      // knex keeps the password out of enumeration: a plain spread of its settings has none.
      const hidden = (knex.client as { connectionSettings: Record<string, unknown> }).connectionSettings;
      expect({ ...hidden }.password).toBeUndefined();
      const settings = structuredClone(cloneable(dialectNamed(name).heartbeatClient(knex).settings));
      const auth = settings.authentication as { options?: { password?: string } } | undefined;
      expect(auth ? auth.options?.password : settings.password).toBe(secret);
    } finally {
      await knex.destroy();
    }
  });
});
