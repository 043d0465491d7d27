import { StatusStore } from './status-store.js';

/** The schema dmr used for its tables before it followed the connection's own database on MySQL/MariaDB. */
const serverWideSchema = 'App';

/** Status tables in the server-wide `App` database, seen from a store that uses another database. */
export interface ServerWideApp {
  readonly schema: string;
  /** Run records there (0 when the table is missing: tables from Generate or an old dmr). */
  readonly runs: number;
  /** The latest history line's date, when there is one. */
  readonly lastActivity: Date | null;
}

/**
 * On MySQL/MariaDB, where a schema is a server-wide database, looks for dmr's status tables in `App`
 * while this store uses the default, the connection's own database: runs recorded there (by an older
 * dmr, or by Generate) are invisible to status and resume unless the user passes --schema App. Null
 * elsewhere, or when App holds no status tables or cannot be read.
 */
export async function findServerWideApp(
  store: StatusStore,
  serverWide = serverWideSchema,
): Promise<ServerWideApp | null> {
  const { database } = store;
  // Only where the default is in use: a user who chose --schema knows where the tables are.
  if (!database.adapter.capabilities.schemaIsDatabase || store.schema !== (database.defaultSchema ?? serverWideSchema))
    return null;
  if (store.schema.toLowerCase() === serverWide.toLowerCase()) return null;
  try {
    const app = new StatusStore(database, serverWide);
    if (!(await app.hasTable('migrations'))) return null;
    const runs = (await app.hasTable('runs')) ? Number((await app.table('runs').count({ n: '*' }))[0]?.n ?? 0) : 0;
    const [last] = (await app.hasTable('histories')) ? await app.history(1) : [];
    return { schema: serverWide, runs, lastActivity: last?.date ?? null };
  } catch {
    return null;
  }
}

/** The hint that points at the server-wide tables, for messages and findings. */
export function serverWideHint(found: ServerWideApp, database: string): string {
  const when = found.lastActivity ? `, last activity ${found.lastActivity.toISOString()}` : '';
  return (
    `status tables also exist in the server-wide database ${found.schema} (${found.runs} run record(s)${when}); ` +
    `dmr now keeps them in the connection's own database ${database}: pass --schema ${found.schema} to use those`
  );
}
