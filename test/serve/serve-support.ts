import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { cliPath, projectRoot } from '../support/cli.js';
import type { TestDatabase } from '../support/databases.js';

export const sleep3Dir = path.join(projectRoot, 'test/fixtures/serve/sleep3');
export const slowDir = path.join(projectRoot, 'test/fixtures/doctor/slow');
export const fastDir = path.join(projectRoot, 'test/fixtures/doctor/fast');

/** A parsed JSON answer, loosely typed so that assertions can reach into it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A `dmr serve` started as a real process on a free port. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the server wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `dmr serve --port 0 --json` and waits for the URL in the document it prints. */
export async function startServe(args: readonly string[]): Promise<ServeProcess> {
  const port = args.includes('--port') ? [] : ['--port', '0'];
  const poll = args.includes('--poll') ? [] : ['--poll', '200ms'];
  const child = spawn(process.execPath, [cliPath, 'serve', ...port, '--json', ...poll, ...args], {
    cwd: projectRoot,
    env: { ...process.env, DMR_DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dmr serve did not start: ${stdout}\n${stderr}`)), 30_000);
    const check = () => {
      const match = /"url": "(http:\/\/[^"]+)"/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`dmr serve exited ${code}: ${stdout}\n${stderr}`)));
  });
  return {
    child,
    url,
    output: () => ({ stdout, stderr }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** --url and --schema of a test database. */
export function targetOf(db: TestDatabase): string[] {
  return ['--url', db.url, '--schema', db.schema];
}

/** GET or POST and the parsed JSON answer. */
export async function api(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Json; text: string; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: response.status, body, text, headers: response.headers };
}

/** One server-sent event. */
export interface SseEvent {
  readonly type: string;
  readonly data: Json;
}

/** Reads /api/events until `until` accepts an event (or `timeoutMs` passes); returns the events seen. */
export async function readEvents(
  url: string,
  until: (e: SseEvent, all: SseEvent[]) => boolean,
  timeoutMs = 20_000,
  headers: Record<string, string> = {},
): Promise<SseEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: SseEvent[] = [];
  try {
    const response = await fetch(`${url}/api/events`, { signal: controller.signal, headers });
    if (!response.body) throw new Error(`no event stream (HTTP ${response.status})`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (!type || data === undefined) continue;
        const event = { type, data: JSON.parse(data) };
        events.push(event);
        if (until(event, events)) return events;
      }
    }
    throw new Error(`the event stream ended; events: ${JSON.stringify(events.map((e) => e.type))}`);
  } catch (error) {
    if (controller.signal.aborted)
      throw new Error(`no matching event within ${timeoutMs} ms; saw ${events.map((e) => e.type).join(', ')}`, {
        cause: error,
      });
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** Polls `check` until it returns a value that is not undefined (a generous wait, not a timed assertion). */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A GET through node:http, which (unlike fetch) lets a test set the Host header. */
export function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers }, (response) => {
      let text = '';
      response.on('data', (d: Buffer) => (text += d.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    request.on('error', reject);
  });
}
