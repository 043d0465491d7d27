import type { DialectName } from './dialect-name.js';

/** Identifier quoting per dialect, shared by the dialect adapters and the row-hash dialects. */
export const quoteIdentifierFor: Readonly<Record<DialectName, (name: string) => string>> = {
  postgres: (name) => `"${name.replace(/"/g, '""')}"`,
  sqlite: (name) => `"${name.replace(/"/g, '""')}"`,
  mysql: (name) => `\`${name.replace(/`/g, '``')}\``,
  mssql: (name) => `[${name.replace(/]/g, ']]')}]`,
};
