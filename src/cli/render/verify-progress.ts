import type { Ora } from 'ora';
import type { TableVerdict, VerifyEvent } from '../../core/verify/verify-types.js';
import { out } from '../output.js';

interface RunningTable {
  phase: string;
  readonly started: number;
  readonly estimated?: number;
  done?: number;
  total?: number;
}

const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function finishedLine(v: TableVerdict): string {
  if (v.status === 'skipped') return `${v.table}: skipped: ${v.reason ?? ''}`;
  return `${v.table}: ${v.status} (${v.sourceRows} / ${v.targetRows} rows, ${v.durationMs} ms)`;
}

/**
 * Progress on stderr. On a terminal an ora spinner shows each running table with its phase,
 * rows done of total and elapsed time, after the tables and rows done overall; otherwise a
 * plain line per finished table. ora never reads stdin (discardStdin: false), so Ctrl-C
 * stays SIGINT.
 */
export async function verifyProgress(): Promise<{ onEvent: (event: VerifyEvent) => void; stop: () => void }> {
  // ora is loaded only for a terminal: plain lines need none of it.
  const ora = out.stderrIsTty ? (await import('ora')).default : null;
  const running = new Map<string, RunningTable>();
  const spinner: Ora | null = ora ? ora({ stream: process.stderr, discardStdin: false }) : null;
  const overall = { tables: 0, finished: 0, rows: 0, estimated: undefined as number | undefined };
  const tableText = (name: string, t: RunningTable) => {
    const rows = t.total
      ? `, ${count(t.done ?? 0)} of ${count(t.total)} rows`
      : t.estimated !== undefined
        ? `, ~${count(t.estimated)} rows`
        : '';
    return `${name}: ${t.phase}${rows}, ${seconds(Date.now() - t.started)}`;
  };
  const refresh = () => {
    if (!spinner) return;
    const of = overall.estimated !== undefined ? ` of ~${count(overall.estimated)}` : '';
    const rows = `${count(overall.rows)}${of} rows`;
    spinner.text = [
      `${overall.finished}/${overall.tables} tables, ${rows}`,
      ...[...running].map(([name, t]) => tableText(name, t)),
    ].join('  ');
    if (running.size && !spinner.isSpinning) spinner.start();
    if (!running.size && spinner.isSpinning) spinner.stop();
  };
  // Elapsed times move even while a long aggregate runs.
  const timer = spinner ? setInterval(refresh, 1000) : null;
  timer?.unref();
  return {
    onEvent(event) {
      if (event.type === 'plan') Object.assign(overall, { tables: event.tables, estimated: event.estimatedRows });
      if (event.type === 'table-start')
        running.set(event.table, {
          phase: 'starting',
          started: Date.now(),
          ...(event.estimatedRows !== undefined ? { estimated: event.estimatedRows } : {}),
        });
      const current = 'table' in event ? running.get(event.table) : undefined;
      if (event.type === 'table-phase' && current) {
        current.phase = event.detail ? `${event.phase} ${event.detail}` : event.phase;
        delete current.total;
      }
      if (event.type === 'table-rows' && current) Object.assign(current, { done: event.done, total: event.total });
      if (event.type === 'table-done') {
        const v = event.verdict;
        running.delete(v.table);
        overall.finished++;
        overall.rows += Math.max(v.sourceRows ?? 0, v.targetRows ?? 0);
        if (spinner) spinner.stopAndPersist({ symbol: v.status === 'equal' ? '✔' : '✖', text: finishedLine(v) });
        else out.info(finishedLine(v));
      }
      refresh();
    },
    stop() {
      if (timer) clearInterval(timer);
      spinner?.stop();
    },
  };
}
