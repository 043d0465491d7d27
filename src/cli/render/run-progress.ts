import type { Ora } from 'ora';
import type { RunEvent } from '../../core/runner/run-events.js';
import { out } from '../output.js';
import { plural } from '../../core/plural.js';

/**
 * Draws run progress on stderr: an ora spinner per stage and task with elapsed time on a
 * terminal, plain lines otherwise. stdout stays free for results (--json).
 */
export async function createRunProgress(): Promise<(event: RunEvent) => void> {
  const tty = out.stderrIsTty;
  // ora is loaded only for a terminal: plain lines need none of it.
  const ora = tty ? (await import('ora')).default : null;
  let spinner: Ora | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let label = '';
  let since = 0;
  const stopTicker = () => {
    if (ticker) clearInterval(ticker);
    ticker = null;
  };
  const spin = (text: string) => {
    label = text;
    since = Date.now();
    spinner = ora ? ora({ text, stream: process.stderr }).start() : null;
    stopTicker();
    ticker = setInterval(() => {
      if (spinner) spinner.text = `${label} ${((Date.now() - since) / 1000).toFixed(0)}s`;
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
      case 'stage-started':
        plain(`${event.stage}: processing (${plural(event.tasks, 'task')})`);
        break;
      case 'task-started':
        if (tty) spin(`${event.stage} ${event.task}`);
        else plain(`${event.stage}: ${event.task} started`);
        break;
      case 'task-finished': {
        const text = `${event.stage} ${event.task} ${event.seconds.toFixed(2)}s`;
        stopTicker();
        if (spinner) {
          if (event.ok) spinner.succeed(text);
          else spinner.fail(text);
          spinner = null;
        } else plain(`${event.stage}: ${event.task} ${event.ok ? 'finished' : 'failed'} in ${event.seconds.toFixed(2)}s`);
        break;
      }
      case 'task-progress':
        if (spinner) label = `${event.stage} ${event.task}: ${event.message}`;
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
