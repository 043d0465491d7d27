import type { SplitterOptions } from 'dbgate-query-splitter';
import {
  finishSplitStream,
  getInitialDelimiter,
  splitQueryLine,
  type SplitLineContext,
  type SplitResultItem,
} from 'dbgate-query-splitter/lib/splitQuery.js';
import type { ScriptSplitter, ScriptStatement } from './dialect-adapter.js';
import { fastSplit, fastSplitApplies, type FoundStatement } from './fast-split.js';

/** Splits a whole script with the dialect's splitter options, keeping each statement's 1-based start line. */
export function splitScriptWith(options: SplitterOptions, script: string): ScriptStatement[] {
  const splitter = scriptSplitterWith(options);
  return [...splitter.push(script), ...splitter.end()];
}

/**
 * Text is split once at least this much is buffered (and only at line ends): a millisecond or
 * two of work, and strings below V8's large-object size, which only a full GC would free.
 */
const windowChars = 48 * 1024;

/**
 * An incremental splitter: text goes in piece by piece, statements come out as soon as they are
 * complete. dbgate's own stream mode splits line by line and so breaks strings and dollar-quoted
 * bodies that span lines; this one splits windows that end at a line end and carries the
 * unfinished statement (and the DELIMITER in force) into the next window. Windows are small, so
 * a large file never blocks the event loop for long; a statement longer than a window waits
 * until it is complete (the window doubles, so that stays linear). Plain windows take a fast
 * path that gives the same statements as dbgate (see fast-split.ts).
 */
export function scriptSplitterWith(options: SplitterOptions, minWindow = windowChars): ScriptSplitter {
  const rich: SplitterOptions = { ...options, returnRichInfo: true };
  let pending = '';
  let base = 0;
  let lineBase = 0;
  let delimiter = getInitialDelimiter(rich);
  let dataOnLine = false;
  let needed = minWindow;

  const split = (window: string, final: boolean): ScriptStatement[] => {
    let found: FoundStatement[];
    let rest: number;
    let restLine: number;
    if (fastSplitApplies(rich, window, delimiter)) {
      const result = fastSplit(window, rich, final);
      [found, rest, restLine] = [result.statements, result.restPosition, result.restLine];
    } else {
      const items: SplitResultItem[] = [];
      const context = newContext(rich, window, delimiter, dataOnLine, (item) => items.push(item));
      splitQueryLine(context);
      // At the end of the input the text after the last delimiter is a statement too.
      if (final) finishSplitStream(context);
      found = items.map(fromDbgate);
      [rest, restLine, delimiter] = [context.commandStartPosition, context.commandStartLine, context.currentDelimiter];
    }
    const statements: ScriptStatement[] = [];
    for (const f of found) {
      const statement = toStatement(f, base, lineBase);
      if (statement) statements.push(statement);
    }
    if (!final) {
      dataOnLine = lineHasData(window, rest, delimiter);
      pending = window.slice(rest) + pending;
      base += rest;
      lineBase += restLine;
      needed = Math.max(minWindow, 2 * (window.length - rest));
    }
    return statements;
  };

  return {
    push(text) {
      pending += text;
      if (pending.length < needed) return [];
      const cut = pending.lastIndexOf('\n') + 1;
      if (cut === 0) return [];
      const window = pending.slice(0, cut);
      pending = pending.slice(cut);
      return split(window, false);
    },
    end() {
      const window = pending;
      pending = '';
      return window ? split(window, true) : [];
    },
  };
}

function newContext(
  options: SplitterOptions,
  source: string,
  delimiter: string,
  wasDataOnLine: boolean,
  pushOutput: (item: SplitResultItem) => void,
): SplitLineContext {
  return {
    options,
    source,
    end: source.length,
    position: 0,
    currentCommandStart: 0,
    currentDelimiter: delimiter,
    pushOutput,
    commandPart: '',
    line: 0,
    column: 0,
    streamPosition: 0,
    noWhiteLine: 0,
    noWhiteColumn: 0,
    noWhitePosition: 0,
    commandStartPosition: 0,
    commandStartLine: 0,
    commandStartColumn: 0,
    trimCommandStartPosition: 0,
    trimCommandStartLine: 0,
    trimCommandStartColumn: 0,
    wasDataInCommand: false,
    isCopyFromStdin: false,
    isCopyFromStdinCandidate: false,
    wasDataOnLine,
    beginEndIdentLevel: 0,
  };
}

/** Whether the next window starts in a line that had text before it (DELIMITER and GO count only at a line's start). */
function lineHasData(window: string, rest: number, delimiter: string | null): boolean {
  let before = window.slice(window.lastIndexOf('\n', rest - 1) + 1, rest).trimEnd();
  if (delimiter && before.endsWith(delimiter)) before = before.slice(0, -delimiter.length);
  return before.trim() !== '';
}

function fromDbgate(item: SplitResultItem): FoundStatement {
  if (typeof item === 'string') return { text: item, position: 0, line: 0 };
  const start = item.trimStart ?? item.start;
  return { text: item.text, position: start.position, line: start.line };
}

function toStatement(f: FoundStatement, base: number, lineBase: number): ScriptStatement | null {
  const text = f.text;
  const first = text.charCodeAt(0);
  // Only text that starts blank or with a comment can be blank once comments are gone.
  if ((first <= 32 || first === 45 || first === 47) && !stripComments(text).trim()) return null;
  const leading = first <= 32 ? text.length - text.trimStart().length : 0;
  const skippedLines = leading > 0 ? text.slice(0, leading).split('\n').length - 1 : 0;
  return { sql: text, line: lineBase + f.line + 1 + skippedLines, offset: base + f.position };
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}
