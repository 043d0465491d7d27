import { dialectNamed } from '../../adapters/dialects.js';
import type { PreflightProbe } from '../../adapters/preflight-probe.js';
import type { ResolvedConnection } from '../../config/resolve-connection.js';
import { openDatabase, type Database } from '../database.js';
import { ConnectionError } from '../errors.js';
import { statusTablesExist } from '../status/ensure-status-tables.js';
import { findServerWideApp, serverWideHint } from '../status/server-wide-app.js';
import { StatusStore } from '../status/status-store.js';
import { ask, clockItem, clockOffsetMs, privilegeItem } from './check-database.js';
import { checkStatusTables } from './check-status-tables.js';
import { checkTasks } from './check-tasks.js';
import type { CheckDocument, CheckItem, DatabaseCheck, DatabaseRole, TaskTreeCheck } from './check-types.js';

/** One side of a verify or copy to check. */
export interface CheckSide {
  readonly connection: ResolvedConnection;
  /** --source-schema / --target-schema; default: the connection's default schema. */
  readonly schema?: string;
}

export interface CheckOptions {
  /** The status database (--url / --env / knexfile), or null when only --source/--target are checked. */
  readonly status: ResolvedConnection | null;
  /** Schema of the status tables (MySQL: a database); absent: the default (App; MySQL: the URL's database). */
  readonly schema?: string;
  /** The task folder; null: not checked. */
  readonly sqlDir: string | null;
  readonly encoding?: string;
  readonly source?: CheckSide;
  readonly target?: CheckSide;
  /** Folder file paths are shown relative to. */
  readonly cwd: string;
  /** The server-wide database looked at for an older dmr's status tables (default App; tests use another). */
  readonly serverWideSchema?: string;
}

const lockCommands = ['migrate', 'resume', 'restart', 'init', 'doctor --fix --yes', 'reset --yes'];

/**
 * dmr's pre-flight: for the status database and each verify/copy side, reachable, server
 * version, clock, the privileges each command needs and the status tables; and the task tree.
 * Read-only: it opens every database read-only and creates nothing.
 */
export async function runCheck(o: CheckOptions): Promise<CheckDocument> {
  const databases: DatabaseCheck[] = [];
  let tasks: TaskTreeCheck | null = null;
  if (o.status) {
    const { check, store, close } = await checkStatusDatabase(o.status, o.schema, o.serverWideSchema);
    try {
      databases.push(check);
      if (o.sqlDir) {
        const readable = store && (await statusTablesExist(store)) ? store : null;
        tasks = await checkTasks({
          sqlDir: o.sqlDir,
          dialect: o.status.dialect,
          store: readable,
          encoding: o.encoding,
          cwd: o.cwd,
        });
      }
    } finally {
      await close();
    }
  }
  if (o.source) databases.push(await checkSide('source', o.source));
  if (o.target) databases.push(await checkSide('target', o.target));
  const items = [...databases.flatMap((d) => d.items), ...(tasks?.items ?? [])];
  const problems = items.filter((i) => i.state === 'problem').length;
  const warnings = items.filter((i) => i.state === 'warning').length;
  return { ready: problems === 0, problems, warnings, databases, tasks, checkedAt: new Date().toISOString() };
}

interface Opened {
  readonly database: Database | null;
  readonly check: DatabaseCheck;
}

/** Opens read-only; a database that is not there or not reachable is the check's answer, not an error. */
async function open(role: DatabaseRole, connection: ResolvedConnection, probe: PreflightProbe): Promise<Opened> {
  const base = {
    role,
    database: connection.display,
    dialect: connection.dialect,
    serverVersion: null,
    user: null,
    schema: null,
    clockOffsetMs: null,
  };
  const missing = probe.missingDatabase(connection.knexConfig);
  if (missing) {
    const state = missing.creatable && role === 'status' ? 'info' : 'problem';
    const item: CheckItem = {
      id: 'reachable',
      state,
      neededBy: role === 'status' ? ['status', 'doctor'] : ['verify', 'copy'],
      message: missing.detail,
    };
    return { database: null, check: { ...base, reachable: false, items: [item] } };
  }
  try {
    return {
      database: await openDatabase(connection, { readOnly: true, poolMax: 2 }),
      check: { ...base, reachable: true, items: [] },
    };
  } catch (error) {
    if (!(error instanceof ConnectionError)) throw error;
    const item: CheckItem = {
      id: 'reachable',
      state: 'problem',
      neededBy: ['every command'],
      message: `${error.message}; ${error.hint ?? ''}`.replace(/; $/, ''),
    };
    return { database: null, check: { ...base, reachable: false, items: [item] } };
  }
}

/** Version, user and clock of an open database. */
async function basics(
  probe: PreflightProbe,
  database: Database,
): Promise<{ serverVersion: string; user: string; clockOffsetMs: number; items: CheckItem[] }> {
  const [serverVersion, user] = [await probe.serverVersion(database.knex), await probe.currentUser(database.knex)];
  const offset = await clockOffsetMs(probe, database);
  const reachable: CheckItem = {
    id: 'reachable',
    state: 'ok',
    neededBy: [],
    message: `connected as ${user}: ${database.dialect} ${serverVersion}`,
  };
  return { serverVersion, user, clockOffsetMs: offset, items: [reachable, clockItem(offset)] };
}

async function checkStatusDatabase(
  connection: ResolvedConnection,
  given: string | undefined,
  serverWide: string | undefined,
): Promise<{ check: DatabaseCheck; store: StatusStore | null; close: () => Promise<void> }> {
  const probe = dialectNamed(connection.dialect).preflight;
  const opened = await open('status', connection, probe);
  const database = opened.database;
  if (!database) {
    return { check: { ...opened.check, schema: given ?? null }, store: null, close: async () => undefined };
  }
  const schema = given ?? database.defaultSchema ?? 'App';
  const describe = (error: unknown) => database.adapter.describeError(error).message;
  try {
    const b = await basics(probe, database);
    const exists = await probe.schemaExists(database.knex, schema);
    const create = await ask(() => probe.createInSchema(database.knex, schema, exists), describe);
    const lock = await ask(() => probe.runLock(database.knex, schema), describe);
    const sessions = await ask(() => probe.sessionViews(database.knex), describe);
    const end = await ask(() => probe.endSessions(database.knex), describe);
    const store = new StatusStore(database, schema);
    const items: CheckItem[] = [
      ...b.items,
      privilegeItem('privilege:run-lock', lock, lockCommands, 'problem', 'run lock'),
      privilegeItem('privilege:session-views', sessions, ['doctor', 'status'], 'warning', "other users' sessions"),
      privilegeItem(
        'privilege:end-sessions',
        end,
        ['doctor --fix --yes --force'],
        'warning',
        "ending other users' sessions",
      ),
      privilegeItem(
        'privilege:create',
        create,
        ['init', 'migrate'],
        exists && (await statusTablesExist(store)) ? 'warning' : 'problem',
        `create in ${schema}`,
      ),
      ...(exists ? await checkStatusTables(store, create) : [missingSchemaItem(schema, create)]),
      ...(await serverWideItem(store, serverWide)),
    ];
    const check: DatabaseCheck = {
      ...opened.check,
      serverVersion: b.serverVersion,
      user: b.user,
      schema,
      clockOffsetMs: b.clockOffsetMs,
      items,
    };
    return { check, store: exists ? store : null, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * MySQL/MariaDB with the default schema (the URL's database): status tables in the server-wide App
 * database, where an older dmr kept them, hold runs that status and resume do not see here.
 */
async function serverWideItem(store: StatusStore, serverWide?: string): Promise<CheckItem[]> {
  const found = await findServerWideApp(store, serverWide);
  if (!found) return [];
  return [
    {
      id: 'server-wide-app',
      state: 'warning',
      neededBy: ['status', 'resume'],
      message: serverWideHint(found, store.schema),
    },
  ];
}

function missingSchemaItem(schema: string, create: { state: string }): CheckItem {
  return create.state === 'granted'
    ? {
        id: 'status-tables',
        state: 'info',
        neededBy: [],
        message: `schema ${schema} does not exist yet: dmr init or dmr migrate creates it`,
      }
    : {
        id: 'status-tables',
        state: 'problem',
        neededBy: ['init', 'migrate'],
        message: `schema ${schema} does not exist and this user cannot create it`,
      };
}

async function checkSide(role: 'source' | 'target', side: CheckSide): Promise<DatabaseCheck> {
  const probe = dialectNamed(side.connection.dialect).preflight;
  const opened = await open(role, side.connection, probe);
  const database = opened.database;
  if (!database) return opened.check;
  const describe = (error: unknown) => database.adapter.describeError(error).message;
  try {
    const b = await basics(probe, database);
    const schema = side.schema ?? (await probe.defaultSchema(database.knex));
    const items: CheckItem[] = [...b.items];
    if (!(await probe.schemaExists(database.knex, schema))) {
      items.push({
        id: 'schema',
        state: role === 'source' ? 'problem' : 'warning',
        neededBy: ['verify', 'copy'],
        message: `schema ${schema} not found`,
      });
    } else {
      items.push(
        privilegeItem(
          'privilege:read',
          await ask(() => probe.readTables(database.knex, schema), describe),
          ['verify', 'copy'],
          'problem',
          `read ${schema}`,
        ),
      );
      if (role === 'target') {
        const write = await ask(() => probe.writeTables(database.knex, schema), describe);
        items.push(privilegeItem('privilege:write', write, ['copy'], 'warning', `insert into ${schema}`));
        const create = await ask(() => probe.createInSchema(database.knex, schema, true), describe);
        items.push(
          privilegeItem('privilege:create', create, ['copy --create'], 'warning', `create tables in ${schema}`),
        );
      }
    }
    return {
      ...opened.check,
      serverVersion: b.serverVersion,
      user: b.user,
      schema,
      clockOffsetMs: b.clockOffsetMs,
      items,
    };
  } finally {
    await database.close();
  }
}
