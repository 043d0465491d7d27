import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { DialectName } from '../../src/adapters/dialect-name.js';

/** Server URLs the tests use; override with DMR_TEST_POSTGRES_URL / DMR_TEST_MYSQL_URL / DMR_TEST_MSSQL_URL. */
export const serverUrls: Readonly<Record<Exclude<DialectName, 'sqlite'>, string | undefined>> = {
  postgres: process.env.DMR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  mysql: process.env.DMR_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
  mssql: process.env.DMR_TEST_MSSQL_URL,
};

export const requireServices = process.env.DMR_REQUIRE_SERVICES === '1';

/** A fresh database of its own for one test file (SQLite: a file in a temp dir). */
export interface TestDatabase {
  readonly dialect: DialectName;
  /** URL of the fresh database, for --url. */
  readonly url: string;
  /** Schema for dmr's status tables: App on PostgreSQL/SQL Server, a unique database on MySQL, ignored on SQLite. */
  readonly schema: string;
  /** A knex connected to the fresh database, for arranging and asserting. */
  readonly knex: Knex;
  /** Drops everything the test created. */
  drop(): Promise<void>;
}

const reachability = new Map<DialectName, Promise<string | null>>();

/** null when reachable, else the reason. Checked once per dialect per test file. */
function unreachableReason(dialect: DialectName): Promise<string | null> {
  let pending = reachability.get(dialect);
  if (!pending) {
    pending = probe(dialect);
    reachability.set(dialect, pending);
  }
  return pending;
}

async function probe(dialect: DialectName): Promise<string | null> {
  if (dialect === 'sqlite') return null;
  const url = serverUrls[dialect];
  if (!url) return `${dialect}: no server configured (set DMR_TEST_${dialect.toUpperCase()}_URL)`;
  const knex = adminKnex(dialect, url);
  try {
    await knex.raw('select 1');
    return null;
  } catch (error) {
    return `${dialect} at ${url.replace(/:[^:@/]*@/, ':***@')} unreachable: ${(error as Error).message}`;
  } finally {
    await knex.destroy();
  }
}

/**
 * The dialects a test file should run against: reachable ones; unreachable ones are skipped
 * with a printed reason, or fail the run when DMR_REQUIRE_SERVICES=1 (CI).
 */
export async function dialectsUnderTest(
  wanted: readonly DialectName[] = ['sqlite', 'postgres', 'mysql', 'mssql'],
): Promise<DialectName[]> {
  const result: DialectName[] = [];
  for (const dialect of wanted) {
    const reason = await unreachableReason(dialect);
    if (!reason) {
      result.push(dialect);
      continue;
    }
    const optional = dialect === 'mssql' && !serverUrls.mssql;
    if (requireServices && !optional) throw new Error(`DMR_REQUIRE_SERVICES=1 but ${reason}`);
    console.warn(`skipping ${dialect} tests: ${reason}`);
  }
  return result;
}

/** Creates a uniquely named database for one test file. */
export async function createTestDatabase(dialect: DialectName, label = 't'): Promise<TestDatabase> {
  const name = `dmr_${label.replace(/\W/g, '').toLowerCase().slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dmr-test-'));
    const file = path.join(dir, `${name}.sqlite3`);
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
    return {
      dialect,
      url: `sqlite:${file}`,
      schema: 'main',
      knex,
      drop: async () => {
        await knex.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const serverUrl = serverUrls[dialect];
  if (!serverUrl) throw new Error(`${dialect}: no server configured`);
  const admin = adminKnex(dialect, serverUrl);
  const q =
    dialect === 'mysql'
      ? (s: string) => `\`${s}\``
      : dialect === 'mssql'
        ? (s: string) => `[${s}]`
        : (s: string) => `"${s}"`;
  await admin.raw(`create database ${q(name)}`);
  const url = withDatabase(serverUrl, name);
  const knex = adminKnex(dialect, url);
  return {
    dialect,
    url,
    schema: dialect === 'mysql' ? `${name}_app` : 'App',
    knex,
    drop: async () => {
      await knex.destroy();
      if (dialect === 'postgres') await admin.raw(`drop database if exists ${q(name)} with (force)`);
      else if (dialect === 'mysql') {
        await admin.raw(`drop database if exists ${q(name)}`);
        await admin.raw(`drop database if exists ${q(`${name}_app`)}`);
      } else
        await admin.raw(`alter database ${q(name)} set single_user with rollback immediate; drop database ${q(name)}`);
      await admin.destroy();
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A plain knex for arranging state, independent of dmr's own connection code. */
export function adminKnex(dialect: Exclude<DialectName, 'sqlite'>, url: string): Knex {
  const u = new URL(url);
  const common = {
    host: u.hostname,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1) || undefined,
  };
  if (dialect === 'postgres')
    return knexFactory({
      client: 'pg',
      connection: { ...common, port: Number(u.port || 5432) },
      pool: { min: 0, max: 4 },
    });
  if (dialect === 'mysql')
    return knexFactory({
      client: 'mysql2',
      connection: { ...common, port: Number(u.port || 3306), timezone: 'Z', multipleStatements: true },
      pool: { min: 0, max: 4 },
    });
  return knexFactory({
    client: 'mssql',
    connection: {
      server: u.hostname,
      port: Number(u.port || 1433),
      user: common.user,
      password: common.password,
      database: common.database,
      options: { encrypt: false, trustServerCertificate: true },
    },
    pool: { min: 0, max: 4 },
  });
}
