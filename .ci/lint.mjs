// `npm run lint`: prettier and eslint (each single-threaded, together most of the time) side by side, then the
// layer and unused checks. Each check's output is printed whole when it ends; the exit code is 1 if any failed.
import { spawn } from 'node:child_process';
import process from 'node:process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs `npm run -s <script>`, its output collected; resolves with whether it passed. */
function check(script) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '-s', script], { shell: process.platform === 'win32' });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => {
      process.stdout.write(`== ${script}: ${code === 0 ? 'ok' : `failed (exit ${code})`}\n${output}`);
      resolve(code === 0);
    });
  });
}

const side = await Promise.all([check('lint:format'), check('lint:code')]);
const rest = [await check('lint:layers'), await check('lint:unused')];
process.exitCode = [...side, ...rest].every(Boolean) ? 0 : 1;
