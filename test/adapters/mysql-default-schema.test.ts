import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/config/resolve-connection.js';
import { openDatabase, type Database } from '../../src/core/database.js';
import { diagnose } from '../../src/core/doctor/diagnose.js';
import { findServerWideApp } from '../../src/core/status/server-wide-app.js';
import { StatusStore } from '../../src/core/status/status-store.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from '../support/databases.js';
import { taskDir, trivialStages } from '../tasks/task-support.js';

const [mysql] = await dialectsUnderTest(['mysql']);

/** dmr's tables found in one MySQL database. */
async function dmrTables(db: TestDatabase, database: string): Promise<string[]> {
  const rows = (await db
    .knex('information_schema.tables')
    .select({ name: 'table_name' })
    .where('table_schema', database)
    .andWhere('table_name', 'like', 'DataMigration%')) as { name: string }[];
  return rows.map((r) => r.name).sort();
}

describe.skipIf(!mysql)("MySQL/MariaDB: dmr's tables default to the database named in the URL", () => {
  let db: TestDatabase;
  let other: TestDatabase;
  let name: string;
  beforeAll(async () => {
    db = await createTestDatabase('mysql', 'defschema');
    other = await createTestDatabase('mysql', 'defschema2');
    name = new URL(db.url).pathname.slice(1);
    await db.knex.schema.createTable('t', (t) => {
      t.integer('id').primary();
      t.string('v');
    });
    await db.knex('t').insert([{ id: 1, v: 'a' }]);
  });
  afterAll(async () => {
    await db?.drop();
    await other?.drop();
  });

  it("migrate, status, doctor, verify --record and copy without --schema use the URL's database", async () => {
    const dir = taskDir(trivialStages);
    expect((await runCli(['migrate', '--url', db.url, '--sql-dir', dir])).code).toBe(0);
    const status = await runCli(['status', '--url', db.url, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ schema: name, run: { jobStatus: 'Completed' } });
    expect((await runCli(['doctor', '--url', db.url])).code).toBe(0);
    expect(
      (await runCli(['verify', '--url', db.url, '--source', db.url, '--target', db.url, '--table', 't', '--record']))
        .code,
    ).toBe(0);
    expect(
      (
        await runCli([
          'copy',
          '--url',
          other.url,
          '--source',
          db.url,
          '--target',
          other.url,
          '--table',
          't',
          '--create',
        ])
      ).code,
    ).toBe(0);
    expect(await dmrTables(db, name)).toEqual(
      expect.arrayContaining([
        'DataMigrationHistories',
        'DataMigrationRuns',
        'DataMigrationVerifications',
        'DataMigrations',
      ]),
    );
    const otherName = new URL(other.url).pathname.slice(1);
    expect(await dmrTables(db, otherName)).toEqual(
      expect.arrayContaining(['DataMigrationCopies', 'DataMigrationCopyChunks']),
    );
  });

  it('--schema still overrides', async () => {
    expect((await runCli(['init', '--url', db.url, '--schema', db.schema])).code).toBe(0);
    expect(await dmrTables(db, db.schema)).toContain('DataMigrations');
    const status = await runCli(['status', '--url', db.url, '--schema', db.schema, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ schema: db.schema, run: null });
  });

  it('status tables in a server-wide database are reported with a hint, only where the default is in use', async () => {
    // db.schema plays the server-wide App here: the real App on a shared server belongs to no test.
    let database: Database | undefined;
    try {
      database = await openDatabase(await resolveConnection({ url: db.url }));
      expect(database.defaultSchema).toBe(name);
      const store = new StatusStore(database, name);
      const found = await findServerWideApp(store, db.schema);
      expect(found).toMatchObject({ schema: db.schema, runs: 0 });
      expect(await findServerWideApp(new StatusStore(database, db.schema), db.schema)).toBeNull();
      expect(await findServerWideApp(new StatusStore(database, other.schema), db.schema)).toBeNull();
      const report = diagnose({ ...emptyEvidence(name), serverWideApp: found }, new Date());
      expect(report.findings).toEqual([
        expect.objectContaining({
          id: 'schema:server-wide-app',
          severity: 'warning',
          action: expect.stringContaining(`--schema ${db.schema}`),
        }),
      ]);
      expect(report.healthy).toBe(true);
    } finally {
      await database?.close();
    }
  });
});

function emptyEvidence(schema: string): Parameters<typeof diagnose>[0] {
  return {
    dialect: 'mysql',
    database: 'mysql://root@h/d',
    schema,
    readAt: new Date(),
    tables: {
      statuses: true,
      types: true,
      migrations: true,
      histories: true,
      runs: true,
      verifications: true,
      taskRuns: true,
    } as never,
    statuses: [
      { id: 1, code: 'initial' },
      { id: 2, code: 'pending' },
      { id: 3, code: 'processing' },
      { id: 4, code: 'error' },
      { id: 5, code: 'success' },
    ],
    types: [
      { id: 1, code: 'ods' },
      { id: 2, code: 'rds' },
      { id: 3, code: 'report' },
    ],
    stages: [1, 2, 3].map((typeId) => ({
      migrationId: typeId,
      typeId,
      stage: ['ods', 'rds', 'report'][typeId - 1] ?? null,
      statusId: 1,
      status: 'initial',
      lastDurationInSeconds: null,
      lastTriggerDate: null,
      userName: null,
      taskList: null,
    })),
    latestRun: null,
    unfinishedRuns: [],
    probes: [],
    lockHolder: null,
    activeSessions: [],
    history: [],
  };
}
