import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { doctorDocument } from '../../api/doctor.js';
import { statusOnStore } from '../../api/status.js';
import { UsageError } from '../../core/errors.js';
import { assertBindAllowed, bindsLoopbackOnly } from '../../core/serve/bind-address.js';
import { redactText } from '../../core/serve/redact-answer.js';
import { closeGraceMs, settledWithin, startServer } from '../../core/serve/serve-app.js';
import type { LaunchedRun, RunLauncher } from '../../core/serve/serve-options.js';
import { checkTokens, parseTokenSpec, type ServeToken } from '../../core/serve/serve-tokens.js';
import type { GlobalArgs } from '../command.js';
import { defineCommand } from '../command.js';
import { userFlags } from '../hints.js';
import { openStore } from '../open-store.js';
import { out } from '../output.js';
import { parseDuration } from '../parse-duration.js';
import { probeProcess } from './doctor-command.js';

interface ServeFlags {
  readonly port: number;
  readonly host: string;
  readonly token?: string[];
  readonly 'token-file'?: string;
  readonly 'allow-actions': boolean;
  readonly poll: string;
  readonly 'sql-dir': string;
}

export const serveCommand = defineCommand<ServeFlags>({
  command: 'serve',
  describe: 'a live web page and JSON API over the status tables (loopback only unless given a token)',
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 7800, describe: 'port to listen on (0: any free port)' })
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'address to listen on; other than loopback needs --token',
        // [::1] as in a URL: the address inside the brackets (Node looked the bracketed text up as a name).
        coerce: (host: string) => (/^\[[0-9a-fA-F:.]+\]$/.test(host) ? host.slice(1, -1) : host),
      })
      .option('token', {
        type: 'string',
        array: true,
        describe: 'LABEL:SECRET bearer token (repeatable); the label is written in history for actions',
      })
      .option('token-file', {
        type: 'string',
        describe: 'file of LABEL:SECRET lines (keeps tokens out of the process list)',
      })
      .option('allow-actions', {
        type: 'boolean',
        default: false,
        describe: 'accept POST /api/actions/stop|resume|restart|fix (needs a token)',
      })
      .option('poll', {
        type: 'string',
        default: '250ms',
        describe: 'how often the one feed loop reads the status tables',
      })
      .option('sql-dir', {
        type: 'string',
        default: 'sql',
        describe: 'task folder for resume and restart actions',
      }) as never,
  run: async (args) => {
    const port = args.port;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--port ${String(port)} is not a port number`, 'use 0 to 65535');
    const pollMs = parseDuration(args.poll, '--poll', 50);
    if (pollMs > 1000)
      throw new UsageError(`--poll ${args.poll} is too slow for the page's 1 s promise`, 'use at most 1s');
    const tokens = readTokens(args);
    // Before the database is opened: a bind that needs a token fails without touching it.
    assertBindAllowed(args.host, await bindsLoopbackOnly(args.host), tokens.length > 0, args['allow-actions']);
    const store = await openStore(args, { poolMax: 4, readOnly: !args['allow-actions'], mustExist: true });
    try {
      const server = await startServer({
        store,
        host: args.host,
        port,
        tokens,
        allowActions: args['allow-actions'],
        pollMs,
        probeProcess,
        statusDocument: (s) => statusOnStore(s, userFlags()),
        doctorDocument: (s) => doctorDocument(s, { sqlDir: args['sql-dir'], suggestionFlags: userFlags() }),
        suggestions: { flags: userFlags(), sqlDir: path.resolve(args['sql-dir']) },
        launchRun: runLauncher(args),
      });
      const unsubscribe = server.feed.subscribe((event) => {
        if (event.type === 'database')
          out.info(
            event.data.ok
              ? 'dmr serve: the database answers'
              : `dmr serve: the database is lost: ${event.data.message}`,
          );
      });
      const database = redactText(store.database.display);
      if (args.json)
        out.json({
          url: server.url,
          database,
          schema: store.schema,
          actions: args['allow-actions'],
          tokens: tokens.map((t) => t.label),
        });
      else
        out.line(
          `dmr serve: ${server.url}/ watching ${database} (schema ${store.schema})` +
            `${args['allow-actions'] ? ', actions on' : ''}; Ctrl-C stops`,
        );
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      unsubscribe();
      if (!(await server.close()))
        out.info('dmr serve: a database read was still waiting for an answer; stopping without it');
      out.info(`dmr serve: stopped by ${signal}`);
      return signal === 'SIGINT' ? 130 : 143;
    } finally {
      // The pool waits for connections in use: a read stuck on the database must not hold the exit.
      await settledWithin(store.database.close(), closeGraceMs);
    }
  },
});

function readTokens(args: ServeFlags): ServeToken[] {
  const tokens = (args.token ?? []).map((spec) => parseTokenSpec(String(spec)));
  const file = args['token-file'];
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--token-file ${file}: ${(error as Error).message}`,
        'give a readable file of LABEL:SECRET lines',
      );
    }
    const lines = text.split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#'));
    tokens.push(...lines.map((line, i) => parseTokenSpec(line, `--token-file line ${i + 1}`)));
  }
  checkTokens(tokens);
  return tokens;
}

/**
 * Starts `dmr resume|restart` as its own process with this server's connection flags (the URL
 * through the environment, not argv).
 */
function runLauncher(args: GlobalArgs & ServeFlags): RunLauncher {
  const sqlDir = path.resolve(args['sql-dir']);
  const script = process.argv[1] ?? '';
  return (kind): LaunchedRun => {
    const flags = [kind, '--json', '--sql-dir', sqlDir];
    if (args.schema) flags.push('--schema', args.schema);
    if (!args.url && args.env) flags.push('--env', args.env);
    if (!args.url && args.knexfile) flags.push('--knexfile', args.knexfile);
    const env = args.url ? { ...process.env, DMR_DATABASE_URL: args.url } : process.env;
    const child = spawn(process.execPath, [...process.execArgv, script, ...flags], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
      child.on('error', (error) => resolve({ code: null, stderr: `dmr: ${error.message}` }));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    return {
      pid: child.pid ?? null,
      exited,
      detach: () => {
        child.stderr?.destroy();
        child.unref();
      },
    };
  };
}
