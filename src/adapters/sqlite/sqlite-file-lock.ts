import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type Database from 'better-sqlite3';
import { lazyDriver } from '../lazy-driver.js';

const sqliteDriver = lazyDriver<typeof Database>('better-sqlite3');

/** Who holds a SQLite run lock, written beside the lock file once it is held. */
export interface SqliteLockHolderInfo {
  readonly host: string;
  readonly pid: number;
  readonly since: string;
}

/**
 * A run lock for a SQLite database that a dead process cannot keep: a write transaction
 * (BEGIN IMMEDIATE) held open on a sidecar database file. SQLite's lock is an OS file lock,
 * which the kernel drops when the process exits, however it exits.
 * https://www.sqlite.org/lockingv3.html
 */
export class SqliteFileLock {
  private db: Database.Database | null = null;

  constructor(readonly lockFile: string) {}

  get infoFile(): string {
    return `${this.lockFile}.json`;
  }

  tryAcquire(): boolean {
    const db = new (sqliteDriver())(this.lockFile, { timeout: 0 });
    try {
      db.pragma('journal_mode = DELETE');
      db.exec('begin immediate');
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw error;
    }
    this.db = db;
    const info: SqliteLockHolderInfo = { host: os.hostname(), pid: process.pid, since: new Date().toISOString() };
    writeFileSync(`${this.infoFile}.tmp-${process.pid}`, JSON.stringify(info));
    renameSync(`${this.infoFile}.tmp-${process.pid}`, this.infoFile);
    return true;
  }

  release(): void {
    const db = this.db;
    if (!db) return;
    this.db = null;
    rmSync(this.infoFile, { force: true });
    try {
      db.exec('rollback');
    } finally {
      db.close();
    }
  }

  /** The holder when the lock is held by anyone (this process included), else null. */
  holder(): SqliteLockHolderInfo | null {
    if (this.db) return { host: os.hostname(), pid: process.pid, since: readInfo(this.infoFile)?.since ?? '' };
    // No lock file: nobody holds it, and a read-only command (doctor, status) must not create one.
    if (!existsSync(this.lockFile) || this.tryAcquireProbe()) return null;
    return readInfo(this.infoFile) ?? { host: '?', pid: 0, since: '' };
  }

  private tryAcquireProbe(): boolean {
    const db = new (sqliteDriver())(this.lockFile, { timeout: 0 });
    try {
      db.exec('begin immediate');
      db.exec('rollback');
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw error;
    } finally {
      db.close();
    }
  }
}

function readInfo(file: string): SqliteLockHolderInfo | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SqliteLockHolderInfo;
  } catch {
    return null;
  }
}
