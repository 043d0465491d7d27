import type { Ora } from 'ora';
import type { CopyEvent } from '../../core/copy/copy-types.js';
import { out } from '../output.js';
import { plural } from '../../core/plural.js';

interface TableProgress {
  readonly started: number;
  readonly expected: number;
  rows: number;
}

const rate = (rows: number, ms: number) => (ms > 0 ? Math.round((rows * 1000) / ms) : 0);

/**
 * Copy progress on stderr: on a terminal an ora spinner with rows, rows/s and ETA per running
 * table (discardStdin off, so Ctrl-C still reaches dmr); plain lines per table otherwise.
 */
export async function copyProgress(): Promise<{ onEvent: (event: CopyEvent) => void; stop: () => void }> {
  const ora = out.stderrIsTty ? (await import('ora')).default : null;
  const spinner: Ora | null = ora ? ora({ stream: process.stderr, discardStdin: false }) : null;
  const running = new Map<string, TableProgress>();
  const draw = () => {
    if (!spinner) return;
    const now = Date.now();
    spinner.text = [...running]
      .map(([table, p]) => {
        const perSecond = rate(p.rows, now - p.started);
        const eta = perSecond && p.expected > p.rows ? ` ETA ${Math.ceil((p.expected - p.rows) / perSecond)}s` : '';
        return `${table}: ${p.rows.toLocaleString('en')} rows, ${perSecond.toLocaleString('en')} rows/s${eta}`;
      })
      .join('  ');
    if (running.size && !spinner.isSpinning) spinner.start();
    if (!running.size && spinner.isSpinning) spinner.stop();
  };
  const ticker = spinner ? setInterval(draw, 500) : null;
  ticker?.unref();
  const line = (text: string) => (spinner ? spinner.stopAndPersist({ symbol: '·', text }) : out.info(text));
  return {
    onEvent(event) {
      if (event.type === 'table-start') {
        running.set(event.table, { started: Date.now(), expected: event.estimatedRows, rows: 0 });
        const skipped = event.skipped ? `, ${event.skipped} already copied (skipped)` : '';
        const chunks =
          event.chunkKind === 'all'
            ? '1 chunk'
            : event.chunkKind === 'keyset'
              ? 'keyset chunks'
              : plural(event.chunks, 'chunk');
        line(`${event.table} -> ${event.targetTable}: ${chunks}${skipped}`);
      } else if (event.type === 'chunk-done') {
        const p = running.get(event.table);
        if (p) p.rows += event.rows;
      } else if (event.type === 'notice') {
        line(`${event.table}: ${event.message}`);
      } else {
        const s = event.summary;
        running.delete(s.table);
        const counts = s.sourceCount === null ? '' : `, counts source ${s.sourceCount} target ${s.targetCount}`;
        line(
          `${s.table}: ${s.outcome}, ${s.rowsCopied} rows copied, ${s.rowsRejected} rejected in ` +
            `${s.seconds.toFixed(1)}s${counts}${s.error ? `: ${s.error}` : ''}`,
        );
      }
      draw();
    },
    stop() {
      if (ticker) clearInterval(ticker);
      spinner?.stop();
    },
  };
}
