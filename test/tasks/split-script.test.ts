import {
  mssqlSplitterOptions,
  mysqlSplitterOptions,
  postgreSplitterOptions,
  splitQuery,
  sqliteSplitterOptions,
  type SplitterOptions,
} from 'dbgate-query-splitter';
import { describe, expect, it } from 'vitest';
import { scriptSplitterWith } from '../../src/adapters/split-script.js';

/** What dmr split before it streamed: dbgate on the whole text, comment-only statements dropped. */
function reference(options: SplitterOptions, script: string) {
  const items = splitQuery(script, { ...options, returnRichInfo: true });
  const out: { sql: string; line: number; offset: number }[] = [];
  for (const item of items) {
    if (typeof item === 'string') continue;
    const text = item.text;
    if (
      !text
        .replace(/--[^\n]*/g, '')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .trim()
    )
      continue;
    const leading = text.length - text.trimStart().length;
    const start = item.trimStart ?? item.start;
    out.push({
      sql: text,
      line: start.line + 1 + text.slice(0, leading).split('\n').length - 1,
      offset: start.position,
    });
  }
  return out;
}

function streamed(options: SplitterOptions, script: string, window: number, random: () => number) {
  const splitter = scriptSplitterWith(options, window);
  const out = [];
  for (let i = 0; i < script.length;) {
    const size = 1 + Math.floor(random() * 40);
    out.push(...splitter.push(script.slice(i, i + size)));
    i += size;
  }
  out.push(...splitter.end());
  return out.map((s) => ({ sql: s.sql, line: s.line, offset: s.offset }));
}

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

const common = [
  'insert into t values (1, \'a;b\', "c;d")',
  ';',
  ';\n',
  '\n',
  '\r\n',
  '  ',
  '\t',
  ';;',
  "select 'it''s; x'",
  "-- comment; with 'quote\n",
  "/* block ; 'x' \n more */",
  'select 1 -- trailing   ',
  "select 'multi\nline;string'",
  'select "a""b"',
  '/*/ odd */',
  'update t set x = x + 1 where y = 2',
];
const dialects: [string, SplitterOptions, string[]][] = [
  ['postgres', postgreSplitterOptions, ['do $$ begin perform 1; end $$', 'select $1', 'select $tag$ a;\n b $tag$']],
  [
    'mysql',
    mysqlSplitterOptions,
    [
      "select 'a\\'b;c'",
      '`weird;name`',
      '\nDELIMITER //\ncreate procedure p() begin select 1; end //\nDELIMITER ;\n',
      'select "x\\";y"',
    ],
  ],
  [
    'sqlite',
    sqliteSplitterOptions,
    ['create trigger tr after insert on t begin select 1; end', 'select legend, weekend from t'],
  ],
  ['mssql', mssqlSplitterOptions, ['\nGO\n', 'select [a;b]', '\ngo\n']],
];

describe('the incremental splitter gives the statements dbgate gives on the whole text', () => {
  for (const [name, options, special] of dialects) {
    it(`${name}: plain and special scripts, pushed in random pieces through small windows`, () => {
      for (let seed = 1; seed <= 300; seed++) {
        const random = rng(seed);
        const pool = seed % 3 === 0 ? [...common, ...special] : common;
        const parts: string[] = [];
        const count = 5 + Math.floor(random() * 60);
        for (let i = 0; i < count; i++) parts.push(pool[Math.floor(random() * pool.length)] as string);
        const script = parts.join(random() < 0.5 ? '' : ' ');
        const expected = reference(options, script);
        const window = 16 + Math.floor(random() * 200);
        expect(streamed(options, script, window, random), `seed ${seed}: ${JSON.stringify(script)}`).toEqual(expected);
        for (const s of expected) expect(script.slice(s.offset, s.offset + s.sql.length)).toBe(s.sql);
      }
    });
  }

  it('keeps a statement longer than the window whole, and CR LF inside values', () => {
    const long = `insert into t values ('${'x;'.repeat(5000)}\r\nend');\r\nselect 2;\r\n`;
    const statements = streamed(postgreSplitterOptions, long, 64, rng(7));
    expect(statements.map((s) => s.line)).toEqual([1, 3]);
    expect(statements[0]?.sql).toContain('\r\nend');
  });
});
