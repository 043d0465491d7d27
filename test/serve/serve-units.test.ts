import { describe, expect, it } from 'vitest';
import { bindsLoopbackOnly, isLoopback } from '../../src/core/serve/bind-address.js';
import { HttpError } from '../../src/core/serve/http-error.js';
import { parseHistoryQuery } from '../../src/core/serve/history-page.js';
import { redactText, safeJson } from '../../src/core/serve/redact-answer.js';
import { bearerOf, checkTokens, findToken, parseTokenSpec } from '../../src/core/serve/serve-tokens.js';

/** The pure parts of dmr serve: redaction, tokens, loopback names, history parameters. */
describe('redaction of answers', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/gen', 'postgres://db:5432/gen'],
    ['postgres://app:***@db/gen', 'postgres://db/gen'],
    ['mysql://root@127.0.0.1:3306/x', 'mysql://127.0.0.1:3306/x'],
    ['Server=db;User Id=sa;Password=p@ss;Database=g', 'Server=db;User Id=sa;Password=***;Database=g'],
    ['sqlite:/tmp/a.db', 'sqlite:/tmp/a.db'],
    ['see https://example.com/docs', 'see https://example.com/docs'],
  ])('%s -> %s', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it('keeps the JSON valid whatever a string holds', () => {
    const value = { message: 'password=hunter2 "quoted"} and mssql://sa:pw@h/db', nested: [{ u: 'x://a:b@c' }], n: 1 };
    const parsed = JSON.parse(safeJson(value));
    expect(parsed).toEqual({ message: 'password=*** "quoted"} and mssql://h/db', nested: [{ u: 'x://c' }], n: 1 });
  });
});

describe('tokens', () => {
  it('reads LABEL:SECRET and SECRET', () => {
    expect(parseTokenSpec('ops:0123456789abcdef0')).toEqual({ label: 'ops', secret: '0123456789abcdef0' });
    expect(parseTokenSpec('0123456789abcdef0')).toEqual({ label: 'token', secret: '0123456789abcdef0' });
    expect(parseTokenSpec('a/b:0123456789abcdef0')).toEqual({ label: 'token', secret: 'a/b:0123456789abcdef0' });
  });
  it.each(['ops:short', 'ops:', '0123456789 abcdef0'])('refuses %j', (spec) => {
    expect(() => parseTokenSpec(spec)).toThrow(/must be at least 16 characters without spaces/);
  });
  it('finds the token presented, and only that one', () => {
    const tokens = checkTokens([parseTokenSpec('a:aaaaaaaaaaaaaaaa1'), parseTokenSpec('b:bbbbbbbbbbbbbbbb2')]);
    expect(findToken(tokens, 'bbbbbbbbbbbbbbbb2')?.label).toBe('b');
    expect(findToken(tokens, 'bbbbbbbbbbbbbbbb')).toBeNull();
    expect(findToken(tokens, null)).toBeNull();
    expect(bearerOf('Bearer abc')).toBe('abc');
    expect(bearerOf('bearer  abc ')).toBe('abc');
    expect(bearerOf('Basic abc')).toBeNull();
    expect(() => checkTokens([parseTokenSpec('a:aaaaaaaaaaaaaaaa1'), parseTokenSpec('c:aaaaaaaaaaaaaaaa1')])).toThrow(
      'the token of c is given twice',
    );
  });
});

describe('loopback names', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['example.com', false],
    ['127.0.0.1.nip.io', false],
  ])('%s: %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
});

describe('a loopback name binds loopback only when every address it resolves to is loopback', () => {
  const resolving =
    (...addresses: string[]) =>
    () =>
      Promise.resolve(addresses.map((address) => ({ address })));
  it.each([
    ['localhost', ['127.0.0.1', '::1'], true],
    ['app.localhost', ['127.0.0.1'], true],
    ['app.localhost', ['127.0.0.1', '192.0.2.7'], false],
    ['localhost', ['10.0.0.5'], false],
    ['localhost', [], false],
  ])('%s -> %j: %s', async (host, addresses, loopback) => {
    expect(await bindsLoopbackOnly(host, resolving(...addresses))).toBe(loopback);
  });
  it('addresses are not looked up; a name that does not resolve counts by its name (listening fails)', async () => {
    const never = () => Promise.reject(new Error('looked up'));
    expect(await bindsLoopbackOnly('[::1]', never)).toBe(true);
    expect(await bindsLoopbackOnly('0.0.0.0', never)).toBe(false);
    expect(await bindsLoopbackOnly('example.com', never)).toBe(false);
    expect(await bindsLoopbackOnly('nowhere.localhost', never)).toBe(true);
  });
});

describe('history parameters', () => {
  it('defaults and accepts the three parameters', () => {
    expect(parseHistoryQuery({})).toEqual({ stage: undefined, before: undefined, limit: 50 });
    expect(parseHistoryQuery({ stage: 'rds', before: '12', limit: '500' })).toEqual({
      stage: 'rds',
      before: 12,
      limit: 500,
    });
    expect(parseHistoryQuery({ stage: '', before: '' })).toEqual({ stage: undefined, before: undefined, limit: 50 });
  });
  it.each([
    { limit: '0' },
    { limit: '1.5' },
    { before: '0' },
    { before: '99999999999999999' },
    { x: '1' },
    { limit: ['1', '2'] },
  ])('refuses %j with a 400', (query) => {
    let error: unknown;
    try {
      parseHistoryQuery(query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
  });
});
