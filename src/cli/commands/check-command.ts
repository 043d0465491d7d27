import path from 'node:path';
import { resolveConnection, type ResolvedConnection } from '../../config/resolve-connection.js';
import { runCheck, type CheckSide } from '../../core/check/run-check.js';
import { ExitCode, UsageError } from '../../core/errors.js';
import { assertIdentifier } from '../../core/identifiers.js';
import { assertName } from '../../core/verify/verify-names.js';
import { defineCommand, type GlobalArgs } from '../command.js';
import { out } from '../output.js';
import { renderCheckText } from '../render/check-text.js';

interface CheckFlags {
  readonly 'sql-dir': string;
  readonly encoding: string;
  readonly source?: string;
  readonly target?: string;
  readonly 'source-schema'?: string;
  readonly 'target-schema'?: string;
}

function resolveSide(value: string, args: GlobalArgs): Promise<ResolvedConnection> {
  return value.includes(':')
    ? resolveConnection({ url: value })
    : resolveConnection({ env: value, knexfile: args.knexfile });
}

/** The status database, or null when none is configured and only --source/--target are to be checked. */
async function statusConnection(args: GlobalArgs & CheckFlags): Promise<ResolvedConnection | null> {
  try {
    return await resolveConnection({ url: args.url, env: args.env, knexfile: args.knexfile });
  } catch (error) {
    if (error instanceof UsageError && /no database configured/.test(error.message) && (args.source || args.target))
      return null;
    throw error;
  }
}

export const checkCommand = defineCommand<CheckFlags>({
  command: 'check',
  describe:
    'pre-flight, read-only: reachable, version, clock, privileges, status tables and the task tree; exit 1 on problems',
  builder: (y) =>
    y
      .option('sql-dir', { type: 'string', default: 'sql', describe: 'folder holding <stage>/ task folders' })
      .option('encoding', { type: 'string', default: 'utf-8', describe: 'encoding of the task files' })
      .option('source', {
        type: 'string',
        describe: 'also check a verify/copy source: a URL or a knexfile environment',
      })
      .option('target', {
        type: 'string',
        describe: 'also check a verify/copy target: a URL or a knexfile environment',
      })
      .option('source-schema', { type: 'string', describe: 'schema (MySQL: database) of the source tables' })
      .option('target-schema', { type: 'string', describe: 'schema (MySQL: database) of the target tables' }) as never,
  run: async (args) => {
    if (args.schema !== undefined) assertIdentifier(args.schema, '--schema');
    const side = async (
      value: string | undefined,
      schema: string | undefined,
      flag: string,
    ): Promise<CheckSide | undefined> =>
      value
        ? { connection: await resolveSide(value, args), ...(schema ? { schema: assertName(schema, flag) } : {}) }
        : undefined;
    const source = await side(args.source, args['source-schema'], '--source-schema');
    const target = await side(args.target, args['target-schema'], '--target-schema');
    const status = await statusConnection(args);
    const document = await runCheck({
      status,
      ...(args.schema !== undefined ? { schema: args.schema } : {}),
      sqlDir: path.resolve(args['sql-dir']),
      encoding: args.encoding,
      ...(source ? { source } : {}),
      ...(target ? { target } : {}),
      cwd: process.cwd(),
    });
    if (args.json) out.json(document);
    else renderCheckText(document);
    return document.ready ? ExitCode.ok : ExitCode.answeredNo;
  },
});
