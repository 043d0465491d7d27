import { check } from '../../api/check.js';
import { ExitCode } from '../../core/errors.js';
import { assertIdentifier } from '../../core/identifiers.js';
import { assertName } from '../../core/verify/verify-names.js';
import { defineCommand } from '../command.js';
import { databaseOptions } from '../database-args.js';
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
    const schemaOf = (value: string | undefined, flag: string) => (value ? assertName(value, flag) : undefined);
    const document = await check({
      ...databaseOptions(args),
      sqlDir: args['sql-dir'],
      encoding: args.encoding,
      ...(args.source ? { source: args.source } : {}),
      ...(args.target ? { target: args.target } : {}),
      ...(args['source-schema'] ? { sourceSchema: schemaOf(args['source-schema'], '--source-schema') } : {}),
      ...(args['target-schema'] ? { targetSchema: schemaOf(args['target-schema'], '--target-schema') } : {}),
    });
    if (args.json) out.json(document);
    else renderCheckText(document);
    return document.ready ? ExitCode.ok : ExitCode.answeredNo;
  },
});
