import type { Ora } from 'ora';
import type { VerifyEvent } from '../../core/verify/verify-types.js';
import { out } from '../output.js';

/** Progress on stderr: an ora spinner naming the running tables on a terminal, a plain line per finished table otherwise. */
export async function verifyProgress(): Promise<{ onEvent: (event: VerifyEvent) => void; stop: () => void }> {
  // ora is loaded only for a terminal: plain lines need none of it.
  const ora = out.stderrIsTty ? (await import('ora')).default : null;
  const running = new Map<string, string>();
  const spinner: Ora | null = ora ? ora({ stream: process.stderr }) : null;
  const refresh = () => {
    if (!spinner) return;
    spinner.text = [...running].map(([t, p]) => `${t}: ${p}`).join('  ');
    if (running.size && !spinner.isSpinning) spinner.start();
    if (!running.size && spinner.isSpinning) spinner.stop();
  };
  return {
    onEvent(event) {
      if (event.type === 'table-start') running.set(event.table, 'starting');
      if (event.type === 'table-phase') running.set(event.table, event.detail ? `${event.phase} ${event.detail}` : event.phase);
      if (event.type === 'table-done') {
        const v = event.verdict;
        running.delete(v.table);
        const text = `${v.table}: ${v.status} (${v.sourceRows} / ${v.targetRows} rows, ${v.durationMs} ms)`;
        if (spinner) {
          spinner.stopAndPersist({ symbol: v.status === 'equal' ? '✔' : '✖', text });
        } else out.info(text);
      }
      refresh();
    },
    stop() {
      spinner?.stop();
    },
  };
}
