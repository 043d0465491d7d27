import { describe, expect, it } from 'vitest';
import { jobView } from '../../src/core/doctor/diagnose.js';
import { judgeRun, liveRun } from '../../src/core/doctor/run-liveness.js';
import { staleAfterMs } from '../../src/core/status/run-store.js';
import { evidence, now, probe, run, secondsAgo, withRun } from './evidence-fixtures.js';

/**
 * How doctor (and status, stop, serve) decide whether a run's runner is alive: from the run
 * lock, the lock session, the process, and, only as a reason given for a run already dead, the
 * heartbeat. Pure: evidence in, verdict out.
 */
describe('liveness: the run lock and the process decide, the heartbeat only explains', () => {
  it('alive: unfinished, its own session holds the run lock, its process runs', () => {
    const r = run();
    expect(judgeRun(r, withRun(r), now)).toEqual({
      runId: 7,
      live: true,
      heartbeatAt: secondsAgo(2).toISOString(),
      heartbeatAgeMs: 2000,
      staleAfterMs: 11_000,
      heartbeatStale: false,
      sessionAlive: true,
      holdsLock: true,
      processAlive: true,
      deadBecause: [],
    });
  });

  it('a late heartbeat never kills a run whose session holds the lock (a busy or blocked runner)', () => {
    const r = run({ heartbeatAt: secondsAgo(3600) });
    const verdict = judgeRun(r, withRun(r), now);
    expect(verdict).toMatchObject({ live: true, heartbeatStale: true, heartbeatAgeMs: 3_600_000, deadBecause: [] });
  });

  it('a process on another host cannot be checked: the lock alone says alive', () => {
    const r = run({ host: 'other-host' });
    expect(judgeRun(r, withRun(r, { processAlive: null }), now)).toMatchObject({ live: true, processAlive: null });
  });

  it('dead: the lock session is gone (the server drops a session lock the moment the runner dies)', () => {
    const r = run({ heartbeatAt: secondsAgo(2) });
    const verdict = judgeRun(r, withRun(r, { session: null, holdsLock: false, processAlive: null }), now);
    expect(verdict).toMatchObject({ live: false, sessionAlive: false, holdsLock: false, heartbeatStale: false });
    // The heartbeat is still fresh: it is not given as a reason.
    expect(verdict.deadBecause).toEqual(['lock session 91 is gone']);
  });

  it('dead: the session exists but another one holds the run lock', () => {
    const r = run();
    const verdict = judgeRun(r, withRun(r, { holdsLock: false }), now);
    expect(verdict).toMatchObject({ live: false, sessionAlive: true, holdsLock: false });
    expect(verdict.deadBecause).toEqual(['its session 91 no longer holds the run lock']);
  });

  it('dead: the process is gone, even while a pooled session still holds the lock', () => {
    const r = run();
    expect(judgeRun(r, withRun(r, { processAlive: false }), now).deadBecause).toEqual([
      'process 4242 on etl-host is gone',
    ]);
  });

  it('a dead run with a stale heartbeat gives that first, with its age and threshold', () => {
    const r = run({ heartbeatAt: secondsAgo(90) });
    const verdict = judgeRun(r, withRun(r, { session: null, holdsLock: false, processAlive: false }), now);
    expect(verdict.deadBecause).toEqual([
      `heartbeat stale since ${secondsAgo(90).toISOString()} (90 s ago, stale after 11 s)`,
      'lock session 91 is gone',
      'process 4242 on etl-host is gone',
    ]);
  });

  it('a run that never beat: no heartbeat recorded (stale from the start)', () => {
    const r = run({ heartbeatAt: null, dbSessionId: null });
    const verdict = judgeRun(r, withRun(r, { session: null, holdsLock: false }), now);
    expect(verdict).toMatchObject({ heartbeatAt: null, heartbeatAgeMs: null, heartbeatStale: true });
    expect(verdict.deadBecause).toEqual(['no heartbeat recorded', 'lock session (none) is gone']);
  });

  it('no probe for the run (nothing seen of it on the server): dead', () => {
    const r = run();
    const verdict = judgeRun(r, evidence({ latestRun: r, unfinishedRuns: [r] }), now);
    expect(verdict).toMatchObject({ live: false, sessionAlive: false, holdsLock: false, processAlive: null });
  });

  it('a finished run is not live; its end comes first among the reasons', () => {
    const r = run({ finishedAt: secondsAgo(30), jobStatus: 'Completed', heartbeatAt: secondsAgo(40) });
    const verdict = judgeRun(r, withRun(r), now);
    expect(verdict.live).toBe(false);
    expect(verdict.deadBecause).toEqual([
      `run finished ${secondsAgo(30).toISOString()}`,
      `heartbeat stale since ${secondsAgo(40).toISOString()} (40 s ago, stale after 11 s)`,
    ]);
  });

  it('stale after two intervals plus a second, not before', () => {
    expect(staleAfterMs(5000)).toBe(11_000);
    expect(staleAfterMs(50)).toBe(1100);
    const at = (ageMs: number) => {
      const r = run({ heartbeatAt: new Date(now.getTime() - ageMs) });
      return judgeRun(r, withRun(r), now).heartbeatStale;
    };
    expect(at(11_000)).toBe(false);
    expect(at(11_001)).toBe(true);
  });
});

describe('the live run and the job status derived from it', () => {
  it('liveRun: the unfinished run whose runner is alive, or null', () => {
    const dead = run({ runId: 6, dbSessionId: '80' });
    const alive = run({ runId: 7 });
    const both = evidence({
      latestRun: alive,
      unfinishedRuns: [alive, dead],
      probes: [probe(7), probe(6, { session: null, holdsLock: false, processAlive: false })],
    });
    expect(liveRun(both, now)?.runId).toBe(7);
    expect(liveRun(evidence({ ...both, probes: [probe(6, { session: null, holdsLock: false })] }), now)).toBeNull();
    expect(liveRun(evidence(), now)).toBeNull();
  });

  it('a live run: its recorded status, only stop allowed', () => {
    expect(jobView(withRun(run()), now)).toEqual({
      runId: 7,
      status: 'Running',
      recordedStatus: 'Running',
      live: true,
      allowedActions: ['stop'],
    });
  });

  it('an unfinished run whose runner is dead is Died whatever its record says; only repair is allowed', () => {
    const r = run({ jobStatus: 'Stopping' });
    expect(jobView(withRun(r, { session: null, holdsLock: false }), now)).toEqual({
      runId: 7,
      status: 'Died',
      recordedStatus: 'Stopping',
      live: false,
      allowedActions: ['repair'],
    });
  });

  it('a finished run keeps its recorded status; no run at all is NotStarted', () => {
    const done = run({ jobStatus: 'Completed', finishedAt: secondsAgo(5) });
    expect(jobView(withRun(done), now)).toMatchObject({ status: 'Completed', live: false });
    expect(jobView(evidence(), now)).toEqual({
      runId: null,
      status: 'NotStarted',
      recordedStatus: 'NotStarted',
      live: false,
      allowedActions: ['start', 'resume', 'restart'],
    });
  });
});
