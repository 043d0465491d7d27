import yargs, { type Argv } from 'yargs';
import { setProgramName } from '../config/program-name.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { GlobalArgs } from './command.js';
import { commandsFor } from './commands/index.js';
import { hint, setUserFlags, userFlagsOf } from './hints.js';
import { renderError } from './render-error.js';

function globalOptions(parser: Argv): Argv<GlobalArgs> {
  return parser
    .option('url', {
      type: 'string',
      describe:
        'connection URL: postgres://, mysql://, mssql://, sqlite:PATH (default: $DMR_DATABASE_URL or the knexfile)',
    })
    .option('env', { type: 'string', describe: 'knexfile environment to use (default: development)' })
    .option('knexfile', { type: 'string', describe: 'path to the knexfile (default: ./knexfile.ts)' })
    .option('schema', {
      type: 'string',
      describe: "schema of dmr's tables (default App; on MySQL/MariaDB the URL's database; ignored on SQLite)",
    })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' })
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'show stack traces',
    }) as unknown as Argv<GlobalArgs>;
}

/** Parses argv, runs one command and returns the process exit code. The only place that decides it. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const verbose = argv.includes('--verbose');
  const json = wantsJson(argv);
  const parser = globalOptions(yargs([...argv]))
    .scriptName('dmr')
    .usage('$0 <command> [options]')
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      throw error ?? new UsageError(message, 'see `dmr --help`');
    })
    .help()
    .version();
  const { loaded, stubs } = await commandsFor(argv);
  for (const name of stubs) parser.command(name, false);
  for (const command of loaded) {
    parser.command({
      command: command.command,
      describe: command.describe,
      builder: (y: Argv) => command.builder(y as Argv<GlobalArgs>),
      handler: async (args) => {
        setProgramName(`dmr ${String(args._[0] ?? command.command.split(' ')[0])}`);
        setUserFlags(userFlagsOf(args as unknown as GlobalArgs, argv));
        exitCode = await command.run(args as unknown as GlobalArgs);
      },
    });
  }
  try {
    await parser.parseAsync();
    return exitCode;
  } catch (error) {
    return renderError(error, { verbose, json, rewrite: hint });
  }
}

/** --json as the user wrote it, known before (and even when) yargs fails to parse the rest. */
function wantsJson(argv: readonly string[]): boolean {
  let json = false;
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg === '--json' || arg === '--json=true') json = true;
    if (arg === '--no-json' || arg === '--json=false') json = false;
  }
  return json;
}
