// A reader that goes away (`dmr status | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

/** Where commands write: stdout for results, stderr for progress and errors. */
export const out = {
  isTty: Boolean(process.stdout.isTTY),
  /** A terminal that can draw spinners: ora needs a known width (a pty may report 0 columns). */
  stderrIsTty: Boolean(process.stderr.isTTY) && (process.stderr.columns ?? 0) > 0,
  line(text = ''): void {
    process.stdout.write(`${text}\n`);
  },
  json(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  },
  info(text: string): void {
    process.stderr.write(`${text}\n`);
  },
};
