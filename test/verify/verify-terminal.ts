import { spawn, spawnSync } from 'node:child_process';
import { requireServices } from '../support/databases.js';

/**
 * python3 with its pty module drives a real pseudo-terminal: Ctrl-C typed there is turned into SIGINT by the
 * terminal, as for a user.
 */
const hasPythonPty = spawnSync('python3', ['-c', 'import pty, termios, fcntl'], { encoding: 'utf8' }).status === 0;

/**
 * Whether the tests typing on a pseudo-terminal can run: without python3's pty module they skip with a printed
 * reason, or fail under DMR_REQUIRE_SERVICES=1 (CI), where a skipped Ctrl-C test would pass unseen.
 */
export function ptyAvailable(what: string, available = hasPythonPty, required = requireServices): boolean {
  if (available) return true;
  const reason = 'python3 with the pty module is not available (apt-get install python3)';
  if (required) throw new Error(`DMR_REQUIRE_SERVICES=1 but ${reason}: ${what} cannot run`);
  console.warn(`skipping ${what}: ${reason}`);
  return false;
}

/**
 * Runs argv on a pty of 160x30 (so spinners draw; CI removed from the environment, ora draws
 * nothing under CI). Prints READY once `waitFor` appeared on the screen, then waits for a line
 * on stdin before typing `keys` (gapMs apart), and prints a JSON summary when the child ends.
 */
const driver = String.raw`
import os, pty, sys, time, json, fcntl, termios, struct, select
args = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 30, 160, 0, 0))
    env = dict(os.environ)
    env.pop('CI', None)
    os.execvpe(args['argv'][0], args['argv'], env)
out = b''
state = 'waiting'
sent_at = None
status = None
while status is None:
    watch = [fd] + ([sys.stdin] if state == 'ready' else [])
    readable, _, _ = select.select(watch, [], [], 0.05)
    if fd in readable:
        try:
            out += os.read(fd, 65536)
        except OSError:
            pass
    if state == 'waiting' and args['waitFor'].encode() in out:
        print('READY', flush=True)
        state = 'ready'
    if state == 'ready' and sys.stdin in readable:
        sys.stdin.readline()
        for i, key in enumerate(args['keys']):
            if i:
                time.sleep(args['gapMs'] / 1000)
            os.write(fd, key.encode())
            sent_at = sent_at or time.time()
        state = 'sent'
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
ended = time.time()
try:
    while True:
        readable, _, _ = select.select([fd], [], [], 0.2)
        if not readable:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        out += chunk
except OSError:
    pass
print(json.dumps({
    'exit': os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
    'signal': os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
    'afterKeysMs': round((ended - sent_at) * 1000) if sent_at else None,
    'screen': out.decode('utf8', 'replace'),
}), flush=True)
`;

interface TerminalResult {
  /** Exit code, or null when a signal ended the process. */
  readonly exit: number | null;
  /** Number of the signal that ended the process. */
  readonly signal: number | null;
  /** From the first key typed to the end of the process. */
  readonly afterKeysMs: number | null;
  /** Everything drawn on the terminal, escape sequences removed. */
  readonly screen: string;
}

export interface TerminalRun {
  /** Resolves with the screen so far once `waitFor` appeared. */
  readonly ready: Promise<void>;
  /** Types the keys. */
  type(): void;
  readonly done: Promise<TerminalResult>;
}

export function runOnTerminal(
  argv: readonly string[],
  waitFor: string,
  keys: readonly string[],
  gapMs = 0,
): TerminalRun {
  const child = spawn('python3', ['-c', driver, JSON.stringify({ argv, waitFor, keys, gapMs })], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let stdout = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.startsWith('READY\n')) onReady();
  });
  const done = new Promise<TerminalResult>((resolve, reject) => {
    child.on('close', () => {
      const line = stdout.split('\n').filter(Boolean).at(-1) ?? '';
      try {
        const result = JSON.parse(line) as TerminalResult;
        // eslint-disable-next-line no-control-regex -- strips the terminal's escape sequences (ESC [ ... letter)
        resolve({ ...result, screen: result.screen.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '') });
      } catch {
        reject(new Error(`terminal driver failed: ${stdout}`));
      }
    });
  });
  return { ready: Promise.race([ready, done.then(() => undefined)]), type: () => child.stdin.write('go\n'), done };
}
