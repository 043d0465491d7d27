import type { ProcessProbe } from '../doctor/evidence.js';
import type { DiagnoseOptions } from '../doctor/finding.js';
import type { UserFlags } from '../hints/user-flags.js';
import type { StatusStore } from '../status/status-store.js';
import type { ServeToken } from './serve-tokens.js';

/** A runner started for a resume or restart action (the CLI starts `dmr resume|restart` as its own process). */
export interface LaunchedRun {
  readonly pid: number | null;
  /** Settles when the runner process exits, with its exit code and the last lines it wrote to stderr. */
  readonly exited: Promise<{ readonly code: number | null; readonly stderr: string }>;
  /** Lets the runner go on by itself once the answer is sent. */
  detach(): void;
}

export type RunLauncher = (kind: 'resume' | 'restart') => LaunchedRun;

/** Everything `dmr serve` needs; the CLI resolves flags into it. */
export interface ServeOptions {
  readonly store: StatusStore;
  readonly host: string;
  /** 0 picks a free port (tests, bench). */
  readonly port: number;
  /** Accepted bearer tokens; empty: no token needed (loopback only, no actions). */
  readonly tokens: readonly ServeToken[];
  /** POST /api/actions/* exist only with it (and a token). */
  readonly allowActions: boolean;
  /** Poll interval of the one feed loop (ms). */
  readonly pollMs: number;
  /** Doctor runs at least this often (ms) even without a change. */
  readonly doctorMs?: number;
  readonly diagnose?: Partial<DiagnoseOptions>;
  readonly probeProcess: ProcessProbe;
  /** The document of `dmr status --json`; given by the CLI so both are made by the same code. */
  readonly statusDocument: (store: StatusStore) => Promise<unknown>;
  /** The document of `dmr doctor --json` (GET /api/doctor), from the same code as the CLI's. */
  readonly doctorDocument: (store: StatusStore) => Promise<unknown>;
  /**
   * The flags the page's fix commands carry and the task folder their resume/restart advice looks at, so a
   * finding on the page shows the command `dmr doctor` prints (`findings[].command`), not a bare one.
   */
  readonly suggestions?: { readonly flags: UserFlags; readonly sqlDir: string };
  /** Starts a runner for resume and restart actions; without it those actions answer 501. */
  readonly launchRun?: RunLauncher;
}
