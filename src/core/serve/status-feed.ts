import { DmrError } from '../errors.js';
import { statusTablesMissing } from './history-page.js';
import { diagnose } from '../doctor/diagnose.js';
import type { ProcessProbe } from '../doctor/evidence.js';
import type { DiagnoseOptions, DoctorReport, Finding } from '../doctor/finding.js';
import { gatherEvidence } from '../doctor/gather-evidence.js';
import { driftAwareActions } from '../hints/drift-aware-actions.js';
import { withUserFlags, type UserFlags } from '../hints/user-flags.js';
import type { StatusStore } from '../status/status-store.js';
import { presentTables, readChangeMarks, type PresentTables } from './change-marks.js';
import { readLiveStatus, type LiveStatus } from './live-status.js';
import { redactText } from './redact-answer.js';

/** Whether the server can read the database now, and since when. */
interface DatabaseState {
  readonly ok: boolean;
  /** Why not, in the driver's words (redacted); null while ok. */
  readonly message: string | null;
  /** unreachable: no answer or an error; no-status-tables: it answers but has nothing to show yet. */
  readonly reason: 'unreachable' | 'no-status-tables' | null;
  readonly since: Date;
}

/** Doctor's report as `dmr doctor --json` gives its findings: each with the command to run, flags included. */
interface DoctorView extends DoctorReport {
  readonly findings: readonly (Finding & { readonly command: string })[];
}

/** What the feed pushes to every open page. */
export type FeedEvent =
  | { readonly type: 'status'; readonly data: LiveStatus }
  | { readonly type: 'doctor'; readonly data: DoctorView }
  | { readonly type: 'database'; readonly data: DatabaseState };

interface FeedOptions {
  readonly store: StatusStore;
  /** How often the change marks are read (the page's 1 s promise rests on it). */
  readonly pollMs: number;
  /** How often doctor is run without a change (liveness changes with time, not rows). */
  readonly doctorMs: number;
  readonly probeProcess: ProcessProbe;
  readonly diagnose?: Partial<DiagnoseOptions>;
  /** Connection flags for the findings' commands, and the task folder for their resume/restart advice. */
  readonly suggestions?: { readonly flags: UserFlags; readonly sqlDir: string };
  /** A poll not answered in this long counts as the database lost. */
  readonly answerMs?: number;
}

/** A read not answered in this long counts as the database lost (the feed's poll, and each API read). */
export const databaseAnswerMs = 5000;
const tablesEveryMs = 5000;
const orphanSettleMs = 1500;

/**
 * ONE poll loop for the whole server, fanned out to every subscriber: each tick reads the change
 * marks; on a change it reads the live status, and it runs doctor on a change or every
 * `doctorMs`. Events are sent only when what they carry changed. A failed or unanswered poll
 * turns into a `database` event, and the loop keeps trying until the database answers again.
 */
export class StatusFeed {
  private readonly listeners = new Set<(event: FeedEvent) => void>();
  private last: { status?: FeedEvent; doctor?: FeedEvent; database?: FeedEvent } = {};
  private marks: string | null = null;
  private statusKey = '';
  private doctorKey = '';
  private doctorAt = 0;
  private orphanSeenAt: number | null = null;
  private tables: PresentTables | null = null;
  private tablesAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;
  private current: Promise<void> = Promise.resolve();
  /** Database statements the feed has sent (its load on the database, for bench/serve). */
  queries = 0;

  constructor(private readonly o: FeedOptions) {
    o.store.database.knex.on('query', () => this.queries++);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current.catch(() => undefined);
  }

  /** Adds a listener of every event from now on; returns how to remove it. */
  subscribe(listener: (event: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The latest event of each kind, for a page that connects now. */
  latest(): FeedEvent[] {
    return [this.last.database, this.last.status, this.last.doctor].filter((e): e is FeedEvent => e !== undefined);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Resolves once the feed has read (or failed to read) the database at least once. */
  async ready(): Promise<void> {
    while (!this.last.database && !this.stopped) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.tick().finally(() => this.schedule(this.o.pollMs));
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const answerMs = this.o.answerMs ?? databaseAnswerMs;
    const slow = setTimeout(
      () => this.database(false, `the database has not answered for ${answerMs / 1000} s`, 'unreachable'),
      answerMs,
    );
    try {
      await this.read();
      this.database(true, null, null);
    } catch (error) {
      this.tables = null;
      if (error instanceof DmrError) this.database(false, `${error.message}: ${error.hint ?? ''}`, 'no-status-tables');
      else this.database(false, redactText(this.o.store.database.adapter.describeError(error).message), 'unreachable');
    } finally {
      clearTimeout(slow);
      this.running = false;
    }
  }

  private async read(): Promise<void> {
    const { store } = this.o;
    const now = Date.now();
    if (!this.tables || now - this.tablesAt > tablesEveryMs) {
      this.tables = await presentTables(store);
      this.tablesAt = now;
    }
    if (!this.tables.status) throw statusTablesMissing(store);
    const marks = await readChangeMarks(store, this.tables);
    this.database(true, null, null);
    const changed = marks !== this.marks;
    const doctorDue = changed || now - this.doctorAt >= this.o.doctorMs || this.orphanSeenAt !== null;
    if (changed || doctorDue) {
      const live = await readLiveStatus(store, this.o.probeProcess);
      const key =
        JSON.stringify(live.status, (k, v: unknown) => (k === 'heartbeatAgeSeconds' ? undefined : v)) +
        JSON.stringify([live.copies, live.currentTask, live.verifications]);
      if (key !== this.statusKey || changed) {
        this.statusKey = key;
        this.emit({ type: 'status', data: live });
      }
    }
    this.marks = marks;
    if (doctorDue) await this.runDoctor(now);
  }

  private async runDoctor(now: number): Promise<void> {
    this.doctorAt = now;
    const evidence = await gatherEvidence(this.o.store, { probeProcess: this.o.probeProcess, settleMs: 0 });
    const report = await this.view(diagnose(evidence, new Date(), this.o.diagnose));
    const orphan = report.findings.some((f) => f.rule === 'orphaned-lock');
    // A runner between taking the lock and writing its run record looks like an orphan: wait before saying so.
    if (orphan && !this.doctorKey.includes('"orphaned-lock"')) {
      this.orphanSeenAt ??= now;
      if (now - this.orphanSeenAt < orphanSettleMs) return;
    }
    this.orphanSeenAt = null;
    const key = JSON.stringify({
      ...report,
      checkedAt: undefined,
      findings: report.findings.map((f) => ({ ...f, evidence: stable(f.evidence) })),
    });
    if (key === this.doctorKey) return;
    this.doctorKey = key;
    this.emit({ type: 'doctor', data: report });
  }

  /** The advice as `dmr doctor` words it: restart where resume would refuse drifted tasks, and the server's flags. */
  private async view(diagnosis: DoctorReport): Promise<DoctorView> {
    const { suggestions } = this.o;
    const report = suggestions ? await driftAwareActions(diagnosis, this.o.store, suggestions.sqlDir) : diagnosis;
    const flags = suggestions?.flags ?? {};
    return { ...report, findings: report.findings.map((f) => ({ ...f, command: withUserFlags(f.action, flags) })) };
  }

  private database(ok: boolean, message: string | null, reason: DatabaseState['reason']): void {
    const previous = this.last.database?.type === 'database' ? this.last.database.data : null;
    if (previous && previous.ok === ok && (ok || previous.message === message)) return;
    if (!ok) this.marks = null;
    this.emit({
      type: 'database',
      data: { ok, message, reason, since: previous && previous.ok === ok ? previous.since : new Date() },
    });
  }

  private emit(event: FeedEvent): void {
    this.last = { ...this.last, [event.type]: event };
    for (const listener of this.listeners) listener(event);
  }
}

/** Evidence without the ages that grow every second, so an unchanged verdict is not sent again. */
function stable(evidence: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(evidence, (k, v: unknown) => (/age/i.test(k) ? undefined : v))) as Record<
    string,
    unknown
  >;
}
