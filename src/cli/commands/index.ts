import type { DmrCommand } from '../command.js';

/** A command by name, its module imported only when it is the one that runs (start-up time and memory). */
interface CommandEntry {
  readonly name: string;
  load(): Promise<DmrCommand<object>>;
}

const entry = <A>(name: string, load: () => Promise<DmrCommand<A>>): CommandEntry => ({
  name,
  load: load as () => Promise<DmrCommand<object>>,
});

/** Every command, in the order `dmr --help` lists them. */
const commands: readonly CommandEntry[] = [
  entry('migrate', async () => (await import('./migrate-command.js')).migrateCommand),
  entry('status', async () => (await import('./status-command.js')).statusCommand),
  entry('doctor', async () => (await import('./doctor-command.js')).doctorCommand),
  entry('stop', async () => (await import('./stop-command.js')).stopCommand),
  entry('resume', async () => (await import('./resume-command.js')).resumeCommand),
  entry('restart', async () => (await import('./restart-command.js')).restartCommand),
  entry('reset', async () => (await import('./reset-command.js')).resetCommand),
  entry('verify', async () => (await import('./verify-command.js')).verifyCommand),
  entry('copy', async () => (await import('./copy-command.js')).copyCommand),
  entry('serve', async () => (await import('./serve-command.js')).serveCommand),
  entry('init', async () => (await import('./init-command.js')).initCommand),
  entry('check', async () => (await import('./check-command.js')).checkCommand),
];

/**
 * The commands to register for this argv: only the named one when argv names a known command (the others
 * stay hidden stubs), none for `dmr --version`, every one for `dmr`, `dmr --help` or an unknown name (the help
 * and suggestions list them).
 */
export async function commandsFor(argv: readonly string[]): Promise<{ loaded: DmrCommand<object>[]; stubs: string[] }> {
  const named = argv.find((arg) => !arg.startsWith('-'));
  const wanted = commands.find((c) => c.name === named);
  if (!named && argv.includes('--version')) return { loaded: [], stubs: commands.map((c) => c.name) };
  if (!wanted) return { loaded: await Promise.all(commands.map((c) => c.load())), stubs: [] };
  return { loaded: [await wanted.load()], stubs: commands.filter((c) => c !== wanted).map((c) => c.name) };
}
