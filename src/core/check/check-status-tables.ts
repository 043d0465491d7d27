import type { Knex } from 'knex';
import type { PrivilegeAnswer } from '../../adapters/preflight-probe.js';
import type { StatusStore } from '../status/status-store.js';
import { TableName, generateTables, tableDefinitions, tableOrder, type TableKey } from '../status/status-tables.js';
import type { CheckItem } from './check-types.js';
import { privilegeItem } from './check-database.js';

/** The columns a table definition creates, read by running it against a recorder. */
function expectedColumns(key: TableKey): string[] {
  const columns: string[] = [];
  const chain: unknown = new Proxy(() => chain, { get: () => () => chain });
  const recorder = new Proxy(
    {},
    {
      get: (_target, _method) => (name: unknown) => {
        if (typeof name === 'string') columns.push(name);
        return chain;
      },
    },
  ) as Knex.CreateTableBuilder;
  tableDefinitions[key](recorder);
  return columns;
}

/**
 * The status tables: each present with every column dmr and Generate use (Generate-shaped), or
 * missing and creatable (the create privilege), never created here.
 */
export async function checkStatusTables(store: StatusStore, create: PrivilegeAnswer): Promise<CheckItem[]> {
  const items: CheckItem[] = [];
  const missing: string[] = [];
  for (const key of tableOrder) {
    const name = TableName[key];
    if (!(await store.hasTable(key))) {
      missing.push(name);
      continue;
    }
    const info = await store.table(key).columnInfo();
    const present = new Set(Object.keys(info).map((c) => c.toLowerCase()));
    const absent = expectedColumns(key).filter((c) => !present.has(c.toLowerCase()));
    if (absent.length) {
      const generate = generateTables.has(key);
      items.push({
        id: `status-table:${name}`,
        state: 'problem',
        neededBy: ['migrate', 'status', 'doctor'],
        message: `${store.schema}.${name} lacks column${absent.length === 1 ? '' : 's'} ${absent.join(', ')}: ${
          generate ? "not Generate's layout" : 'made by another dmr version'
        }; dmr never alters existing tables: fix it by hand or drop it`,
      });
    }
  }
  if (missing.length === 0) {
    if (items.length === 0)
      items.push({
        id: 'status-tables',
        state: 'ok',
        neededBy: [],
        message: `status tables present in ${store.schema}, Generate-shaped`,
      });
    return items;
  }
  const creatable = privilegeItem(
    'status-tables',
    create,
    ['migrate', 'init'],
    'problem',
    `missing status tables (${missing.join(', ')})`,
  );
  items.push(
    creatable.state === 'ok'
      ? {
          ...creatable,
          state: 'info',
          message: `${missing.join(', ')} not present in ${store.schema} yet: dmr init or dmr migrate creates them`,
        }
      : creatable,
  );
  return items;
}
