import { UsageError } from '../errors.js';
import { statusTablesExist } from '../status/ensure-status-tables.js';
import type { HistoryLine, StatusStore } from '../status/status-store.js';
import { toDate } from '../time.js';
import { badRequest } from './http-error.js';

/** A validated /api/history request. */
interface HistoryQuery {
  /** Stage code (ods, rds, report); absent: every line, run-wide ones included. */
  readonly stage?: string;
  /** Only lines with a smaller id: the `next.before` of the previous page. */
  readonly before?: number;
  readonly limit: number;
}

/** One page of history, newest first, and the cursor of the next older page. */
interface HistoryPage {
  readonly stage: string | null;
  readonly lines: readonly (HistoryLine & { readonly stage: string | null })[];
  /** Pass as ?before= for older lines; null when this page holds the oldest. */
  readonly nextBefore: number | null;
}

const maxHistoryLimit = 500;
const known = new Set(['stage', 'before', 'limit']);

/** Checks the query string; a bad parameter is a 400 with one line naming it. */
export function parseHistoryQuery(query: Readonly<Record<string, unknown>>): HistoryQuery {
  for (const key of Object.keys(query)) {
    if (!known.has(key)) throw badRequest(`unknown parameter ${JSON.stringify(key)}: use stage, before, limit`);
  }
  const one = (key: string): string | undefined => {
    const value = query[key];
    if (Array.isArray(value)) throw badRequest(`${key} is given more than once`);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const stage = one('stage');
  if (stage !== undefined && !/^[A-Za-z0-9_-]{1,50}$/.test(stage))
    throw badRequest(`stage ${JSON.stringify(stage.slice(0, 60))} is not a stage code`);
  const before = integer(one('before'), 'before', 1, Number.MAX_SAFE_INTEGER);
  const limit = integer(one('limit'), 'limit', 1, maxHistoryLimit) ?? 50;
  return { stage, before, limit };
}

function integer(text: string | undefined, key: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw badRequest(
      `${key} must be a whole number from ${min} to ${max === maxHistoryLimit ? max : 'a history id'} ` +
        `(got ${JSON.stringify(text.slice(0, 40))})`,
    );
  }
  return n;
}

/** Reads one page of App.DataMigrationHistories through the status store. */
export async function readHistoryPage(store: StatusStore, query: HistoryQuery): Promise<HistoryPage> {
  if (!(await statusTablesExist(store))) throw statusTablesMissing(store);
  const types = await store.stageTypes();
  const type = query.stage === undefined ? undefined : types.find((t) => t.code === query.stage);
  if (query.stage !== undefined && !type) {
    throw badRequest(`unknown stage ${JSON.stringify(query.stage)}: stages are ${types.map((t) => t.code).join(', ')}`);
  }
  const q = store
    .table('histories')
    .select('*')
    .orderBy('DataMigrationHistoryId', 'desc')
    .limit(query.limit + 1);
  if (type) q.where('DataMigrationTypeId', type.id);
  if (query.before !== undefined) q.where('DataMigrationHistoryId', '<', query.before);
  const rows = (await q) as Record<string, unknown>[];
  const code = new Map(types.map((t) => [t.id, t.code]));
  const lines = rows.slice(0, query.limit).map((r) => {
    const typeId =
      r.DataMigrationTypeId === null || r.DataMigrationTypeId === undefined ? null : Number(r.DataMigrationTypeId);
    return {
      id: Number(r.DataMigrationHistoryId),
      date: toDate(r.DataMigrationHistoryDate),
      typeId,
      stage: typeId === null ? null : (code.get(typeId) ?? null),
      message: String(r.DataMigrationHistoryMessage),
    };
  });
  const last = lines.at(-1);
  return { stage: type?.code ?? null, lines, nextBefore: rows.length > query.limit && last ? last.id : null };
}

/** The words of `dmr status` when there is nothing to read. */
export function statusTablesMissing(store: StatusStore): UsageError {
  return new UsageError(
    `status tables not found in ${store.database.display} (schema ${store.schema})`,
    'run `dmr init` or `dmr migrate` first, or check --url/--schema',
  );
}
