import type { Ora } from 'ora';
import type { RunEvent } from '../../core/runner/run-events.js';
import { plural } from '../../core/plural.js';
import { formatAge } from '../../core/time.js';
import { out } from '../output.js';

/**
 * Draws run progress on stderr: an ora spinner per stage and task with elapsed time on a
 * terminal, plain lines otherwise. stdout stays free for results (--json). ora never reads
 * stdin (discardStdin: false): its raw mode would turn Ctrl-C into a keystroke, not SIGINT.
 */
export async function createRunProgress(): Promise<(event: RunEvent) => void> {
  const tty = out.stderrIsTty;
  // ora is loaded only for a terminal: plain lines need none of it.
  const ora = tty ? (await import('ora')).default : null;
  let spinner: Ora | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let label = '';
  // The running task with its place in the stage; a copy task's progress lines follow it.
  let taskLabel = '';
  let since = 0;
  let eta: number | null = null;
  const stopTicker = () => {
    if (ticker) clearInterval(ticker);
    ticker = null;
  };
  const spin = (text: string, etaSeconds: number | null) => {
    label = text;
    since = Date.now();
    eta = etaSeconds;
    spinner = ora ? ora({ text, stream: process.stderr, discardStdin: false }).start() : null;
    stopTicker();
    ticker = setInterval(() => {
      const elapsed = (Date.now() - since) / 1000;
      const left = eta === null ? '' : `, stage ETA ~${about(Math.max(0, eta - elapsed))}`;
      if (spinner) spinner.text = `${label} ${elapsed.toFixed(0)}s${left}`;
    }, 1000);
    ticker.unref();
  };
  const plain = (text: string) => out.info(text);
  return (event) => {
    switch (event.type) {
      case 'lock-waiting':
        plain(`waiting for the run lock held by ${event.holder}`);
        break;
      case 'run-started':
        plain(`run ${event.runId}: ${event.stages.join(' -> ')}`);
        break;
      case 'stage-started': {
        const usual = event.estimatedSeconds === null ? '' : `, took ~${about(event.estimatedSeconds)} last time`;
        plain(`${event.stage}: processing (${plural(event.tasks, 'task')}${usual})`);
        break;
      }
      case 'task-started': {
        const position = `task ${event.index} of ${event.of}`;
        const left = event.etaSeconds === null ? '' : `, stage ETA ~${about(event.etaSeconds)}`;
        taskLabel = `${event.stage} ${event.task} [${position}]`;
        if (tty) spin(taskLabel, event.etaSeconds);
        else plain(`${event.stage}: ${event.task} started (${position}${left})`);
        break;
      }
      case 'task-finished': {
        const text = `${event.stage} ${event.task} ${event.seconds.toFixed(2)}s`;
        stopTicker();
        if (spinner) {
          if (event.ok) spinner.succeed(text);
          else spinner.fail(text);
          spinner = null;
        } else
          plain(`${event.stage}: ${event.task} ${event.ok ? 'finished' : 'failed'} in ${event.seconds.toFixed(2)}s`);
        break;
      }
      case 'task-progress':
        if (spinner) label = `${taskLabel}: ${event.message}`;
        else if (!event.transient) plain(`${event.stage}: ${event.task}: ${event.message}`);
        if (spinner && !event.transient) spinner.info(label).start(label);
        break;
      case 'stage-finished':
        plain(`${event.stage}: ${event.status} in ${event.seconds.toFixed(1)}s`);
        break;
      case 'stopping':
        stopTicker();
        spinner?.stop();
        spinner = null;
        out.info(`stopping: ${event.reason}`);
        break;
      case 'warning':
        out.info(`warning: ${event.message}`);
        break;
    }
  };
}

/** An estimate as 12s or 3m 4s. */
function about(seconds: number): string {
  return formatAge(Math.round(seconds));
}
