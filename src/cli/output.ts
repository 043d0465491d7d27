// A reader that goes away (`dmr status | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

let documentWritten = false;

/** Where commands write: stdout for results, stderr for progress and errors. */
export const out = {
  isTty: Boolean(process.stdout.isTTY),
  /** A terminal that can draw spinners: ora needs a known width (a pty may report 0 columns). */
  stderrIsTty: Boolean(process.stderr.isTTY) && (process.stderr.columns ?? 0) > 0,
  line(text = ''): void {
    process.stdout.write(`${text}\n`);
  },
  /** The one JSON document of a command (`--json`); a second one would break the contract. */
  json(value: unknown): void {
    out.document(`${JSON.stringify(value, null, 2)}\n`);
  },
  /** A JSON document already serialised (verify's report). */
  document(text: string): void {
    if (documentWritten) throw new Error('a second JSON document on stdout');
    documentWritten = true;
    process.stdout.write(text);
  },
  /** True once a command wrote its JSON document: an error after it goes to stderr only. */
  get wroteDocument(): boolean {
    return documentWritten;
  },
  info(text: string): void {
    process.stderr.write(`${text}\n`);
  },
};
