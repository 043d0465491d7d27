import { describe, expect, it } from 'vitest';
import { sessionRunLock, type LockSession, type SessionLockSql } from '../../src/adapters/session-run-lock.js';

// The run lock's bookkeeping (which session a statement goes to, when it is given up), with sessions that
// record what they are sent. Whether a server grants the lock is tested live (test/runner/run-lock.test.ts).
const sql: SessionLockSql = {
  acquire: 'acquire ?',
  release: 'release ?',
  bindings: ['dmr:App'],
  acquired: (row) => row.ok === true,
};

/** Sessions numbered in the order opened; each answers the acquire statement with the next of `grants`. */
function recordingSessions(grants: boolean[], failRelease = false) {
  const log: string[] = [];
  let opened = 0;
  const open = async (): Promise<LockSession> => {
    const n = ++opened;
    log.push(`open ${n}`);
    return {
      async query(text, bindings) {
        log.push(`${n}: ${text.replace('?', String(bindings[0]))}`);
        if (text === sql.release && failRelease) throw new Error('connection closed');
        return text === sql.acquire ? [{ ok: grants.shift() ?? false, id: 50 + n }] : [];
      },
      async close() {
        log.push(`close ${n}`);
      },
    };
  };
  return { open, log };
}

describe('run lock on a session of its own', () => {
  it('releases on the session that acquired, then gives that session up; a second release does nothing', async () => {
    const { open, log } = recordingSessions([true]);
    const lock = sessionRunLock(open, sql);
    expect(lock.sessionId).toBeNull();
    expect(await lock.tryAcquire()).toBe(true);
    expect(lock.sessionId).toBe('51');
    await lock.release();
    await lock.release();
    expect(lock.sessionId).toBeNull();
    expect(log).toEqual(['open 1', '1: acquire dmr:App', '1: release dmr:App', 'close 1']);
  });

  it('a refused attempt gives its session up at once; the next attempt opens a new one', async () => {
    const { open, log } = recordingSessions([false, true]);
    const lock = sessionRunLock(open, sql);
    expect(await lock.tryAcquire()).toBe(false);
    expect(lock.sessionId).toBeNull();
    expect(await lock.tryAcquire()).toBe(true);
    expect(lock.sessionId).toBe('52');
    expect(log).toEqual(['open 1', '1: acquire dmr:App', 'close 1', 'open 2', '2: acquire dmr:App']);
  });

  it('a release statement that fails still gives the session up (a dead session holds nothing)', async () => {
    const { open, log } = recordingSessions([true], true);
    const lock = sessionRunLock(open, sql);
    await lock.tryAcquire();
    await expect(lock.release()).rejects.toThrow('connection closed');
    expect(lock.sessionId).toBeNull();
    expect(log.slice(-2)).toEqual(['1: release dmr:App', 'close 1']);
  });

  it('reclaiming after an outage (release, then acquire) takes the lock on a new session', async () => {
    const { open, log } = recordingSessions([true, true]);
    const lock = sessionRunLock(open, sql);
    await lock.tryAcquire();
    await lock.release();
    expect(await lock.tryAcquire()).toBe(true);
    expect(lock.sessionId).toBe('52');
    expect(log).toEqual([
      'open 1',
      '1: acquire dmr:App',
      '1: release dmr:App',
      'close 1',
      'open 2',
      '2: acquire dmr:App',
    ]);
  });
});
