import type { Argv } from 'yargs';

/** Options every command accepts. */
export interface GlobalArgs {
  readonly url?: string;
  readonly env?: string;
  readonly knexfile?: string;
  /** --schema; without it the database's default (App, or on MySQL/MariaDB the URL's database). */
  readonly schema?: string;
  readonly json: boolean;
  readonly verbose: boolean;
}

/**
 * A dmr command: yargs flags, then a run that returns the exit code. main.ts is the only
 * place that turns results and errors into the process's exit code.
 */
export interface DmrCommand<A = object> {
  readonly command: string;
  readonly describe: string;
  builder(yargs: Argv<GlobalArgs>): Argv<GlobalArgs & A>;
  run(args: GlobalArgs & A): Promise<number>;
}

/** Keeps a command module's argument type while listing it with others. */
export function defineCommand<A>(command: DmrCommand<A>): DmrCommand<A> {
  return command;
}
