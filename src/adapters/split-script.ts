import { splitQuery, type SplitterOptions } from 'dbgate-query-splitter';
import type { ScriptStatement } from './dialect-adapter.js';

/** Splits a script with the dialect's splitter options, keeping each statement's 1-based start line. */
export function splitScriptWith(options: SplitterOptions, script: string): ScriptStatement[] {
  const items = splitQuery(script, { ...options, returnRichInfo: true });
  const statements: ScriptStatement[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      if (item.trim()) statements.push({ sql: item, line: 1 });
      continue;
    }
    const text = item.text;
    if (!stripComments(text).trim()) continue;
    const leading = text.length - text.trimStart().length;
    const skippedLines = text.slice(0, leading).split('\n').length - 1;
    statements.push({ sql: text, line: (item.trimStart ?? item.start).line + 1 + skippedLines });
  }
  return statements;
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}
