import { accessSync, constants, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import type { PreflightProbe, PrivilegeAnswer } from '../preflight-probe.js';
import { queryRows } from '../raw-rows.js';

function filenameOf(knex: Knex): string {
  const connection = (knex.client as { config?: Knex.Config }).config?.connection as { filename?: string } | undefined;
  return connection?.filename ?? ':memory:';
}

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The file, or its folder when the file does not exist yet, can be written by this process. */
function canWrite(file: string, what: string): PrivilegeAnswer {
  if (file === ':memory:') return { state: 'granted', detail: 'in-memory database' };
  const target = existsSync(file) ? file : path.dirname(file);
  return { state: writable(target) ? 'granted' : 'missing', detail: `${what}: write access to ${target}` };
}

/** SQLite: the "server" is this process; privileges are file permissions (the lock is a sidecar file). */
export const sqlitePreflight: PreflightProbe = {
  missingDatabase(config) {
    const filename = (config.connection as { filename?: string } | undefined)?.filename;
    if (!filename || filename === ':memory:' || existsSync(filename)) return null;
    const dir = path.dirname(filename);
    const creatable = existsSync(dir) && writable(dir);
    return {
      creatable,
      detail: creatable
        ? `${filename} does not exist yet: dmr init or dmr migrate creates it`
        : `${filename} does not exist and ${dir} is not a writable folder`,
    };
  },
  serverVersion: async (knex) =>
    String((await queryRows<{ v: string }>(knex, 'select sqlite_version() as v'))[0]?.v ?? ''),
  serverEpochMs: async () => Date.now(),
  currentUser: async () => {
    try {
      return os.userInfo().username;
    } catch {
      return 'unknown';
    }
  },
  defaultSchema: async () => 'main',
  schemaExists: async () => true,
  createInSchema: async (knex) => canWrite(filenameOf(knex), 'create tables'),
  runLock: async (knex) => canWrite(`${filenameOf(knex)}.dmr-lock`, 'the lock file'),
  sessionViews: async () => ({
    state: 'not-applicable',
    detail: 'no server sessions: doctor checks processes on this host',
  }),
  endSessions: async () => ({ state: 'not-applicable', detail: 'no server sessions' }),
  writeTables: async (knex) => canWrite(filenameOf(knex), 'insert rows'),
  readTables: async (knex) => {
    const file = filenameOf(knex);
    if (file === ':memory:') return { state: 'granted', detail: 'in-memory database' };
    try {
      accessSync(file, constants.R_OK);
      return { state: 'granted', detail: `read access to ${file}` };
    } catch {
      return { state: 'missing', detail: `read access to ${file}` };
    }
  },
};
