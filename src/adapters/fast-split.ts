import type { SplitterOptions } from 'dbgate-query-splitter';

/** A statement as the splitter found it: its text from the first non-blank character, and where that is. */
export interface FoundStatement {
  readonly text: string;
  readonly position: number;
  readonly line: number;
}

/** Where the unfinished statement at the end of a window begins. */
export interface FastSplit {
  readonly statements: FoundStatement[];
  readonly restPosition: number;
  readonly restLine: number;
}

/**
 * Whether `fastSplit` gives exactly what dbgate-query-splitter gives for this window: options
 * with only quotes, -- and block comments, dollar quoting and a ; delimiter, and a window free
 * of what those options would treat specially (DELIMITER, BEGIN for BEGIN...END blocks).
 * Everything else goes to dbgate.
 */
export function fastSplitApplies(o: SplitterOptions, window: string, delimiter: string | null): boolean {
  if (delimiter !== ';' || o.allowSemicolon === false || o.noSplit || o.splitByLines || o.splitByEmptyLine)
    return false;
  if (
    o.allowGoDelimiter ||
    o.adaptiveGoSplit ||
    o.allowSlashDelimiter ||
    o.allowCustomSqlTerminator ||
    o.allowCustomSetTerm
  )
    return false;
  if (
    o.preventSingleLineSplit ||
    o.keepSemicolonInCommands ||
    o.copyFromStdin ||
    o.queryParameterStyle ||
    o.ignoreComments
  )
    return false;
  if (!o.doubleDashComments || !o.multilineComments || o.javaScriptComments) return false;
  for (const quote of o.stringsBegins) {
    const escape = o.stringEscapes[quote];
    if (
      !['"', "'", '`'].includes(quote) ||
      o.stringsEnds[quote] !== quote ||
      (escape !== undefined && escape !== quote && escape !== '\\')
    )
      return false;
  }
  if (o.allowCustomDelimiter && /delimiter/i.test(window)) return false;
  if (o.skipSeparatorBeginEnd && /begin/i.test(window)) return false;
  return true;
}

/**
 * dbgate-query-splitter's splitting for the plain case, on character codes instead of a token
 * object and a string slice per character: about 20x faster, the same statements (the
 * differential test in test/tasks/split-script.test.ts holds it to that). `final` says the
 * input ends with this window; otherwise the statement under way at its end is left for the
 * next, and so is one whose dollar quote does not close inside the window.
 */
export function fastSplit(s: string, o: SplitterOptions, final: boolean): FastSplit {
  const n = s.length;
  const statements: FoundStatement[] = [];
  const backslashEscapes = new Set(
    o.stringsBegins.filter((q) => o.stringEscapes[q] === '\\').map((q) => q.charCodeAt(0)),
  );
  const quotes = new Set(o.stringsBegins.map((q) => q.charCodeAt(0)));
  const dollar = o.allowDollarDollarString === true;
  const dollarTag = /\$[a-zA-Z0-9_]*\$/y;
  let i = 0;
  let line = 0;
  let commandStart = 0;
  let commandLine = 0;
  let trimStart = -1;
  let trimLine = 0;
  let noWhite = 0;
  const push = () => {
    if (trimStart < 0) return;
    const text = s.slice(trimStart, noWhite);
    if (text.trim()) statements.push({ text, position: trimStart, line: trimLine });
  };
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c === 59) {
      push();
      i++;
      commandStart = i;
      commandLine = line;
      trimStart = -1;
      continue;
    }
    if (trimStart < 0) {
      trimStart = i;
      trimLine = line;
    }
    let end: number;
    if (quotes.has(c)) {
      let j = i + 1;
      if (backslashEscapes.has(c)) {
        while (j < n && s.charCodeAt(j) !== c) j += s.charCodeAt(j) === 92 ? 2 : 1;
      } else {
        j = s.indexOf(s[i] as string, j);
        if (j < 0) j = n;
      }
      end = Math.min(j + 1, n);
    } else if (c === 45 && s.charCodeAt(i + 1) === 45) {
      end = s.indexOf('\n', i + 2);
      if (end < 0) end = n;
    } else if (c === 47 && s.charCodeAt(i + 1) === 42) {
      const close = s.indexOf('*/', i + 2);
      end = close < 0 ? n : close + 2;
    } else if (dollar && c === 36) {
      // dbgate: $tag$ opens a string when the same tag closes it later; otherwise $ is plain text.
      dollarTag.lastIndex = i;
      const tag = dollarTag.exec(s)?.[0];
      const close = tag ? s.indexOf(tag, i + tag.length) : -1;
      if (tag && close < 0 && !final) return { statements, restPosition: commandStart, restLine: commandLine };
      end = close >= 0 && tag ? close + tag.length : i + 1;
    } else {
      end = i + 1;
    }
    for (let k = i + 1; k < end; k++) if (s.charCodeAt(k) === 10) line++;
    noWhite = end;
    i = end;
  }
  if (final) push();
  return { statements, restPosition: commandStart, restLine: commandLine };
}
