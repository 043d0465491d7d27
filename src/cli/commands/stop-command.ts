import { stop } from '../../api/stop.js';
import { ExitCode } from '../../core/errors.js';
import { defineCommand } from '../command.js';
import { databaseOptions } from '../database-args.js';
import { hint } from '../hints.js';
import { out } from '../output.js';
import { parseDuration } from '../parse-duration.js';

interface StopFlags {
  readonly timeout: string;
}

export const stopCommand = defineCommand<StopFlags>({
  command: 'stop',
  describe: 'ask the live run to stop (it cancels its statement and records Stopped) and wait until it has',
  builder: (y) =>
    y.option('timeout', { type: 'string', default: '60s', describe: 'how long to wait for the run to end' }) as never,
  run: async (args) => {
    const end = await stop({
      ...databaseOptions(args),
      timeoutMs: parseDuration(args.timeout, '--timeout'),
      onRequested: (run) => {
        if (!args.json)
          out.info(
            `stop requested for run ${run.runId} (${run.command} by ${run.userName} on ${run.host}, ` +
              `pid ${run.pid}); waiting up to ${args.timeout}`,
          );
      },
    });
    if (args.json) out.json(end);
    else if (end.outcome === 'ended')
      out.line(`run ${end.runId} ${end.jobStatus ?? 'ended'}${end.error ? `: ${end.error}` : ''}`);
    else if (end.outcome === 'died')
      out.line(hint(`run ${end.runId}'s runner died before recording its end: run \`dmr doctor\``));
    else
      out.line(
        hint(`run ${end.runId} has not ended after ${args.timeout}; the stop stays requested: check \`dmr status\``),
      );
    return end.outcome === 'ended' ? ExitCode.ok : ExitCode.answeredNo;
  },
});
