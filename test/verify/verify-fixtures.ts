import type { Knex } from 'knex';
import type { DialectName } from '../../src/adapters/dialect-name.js';
import type { VerifyOptions, VerifySide } from '../../src/core/verify/verify-types.js';
import type { TestDatabase } from '../support/databases.js';

/** Declared types per dialect; two PostgreSQL variants so a PostgreSQL pair also differs in declared types. */
const declaredTypes = {
  postgres: {
    id: 'integer',
    flag: 'boolean',
    happened: 'timestamp(3)',
    price: 'numeric(12,4)',
    name: 'text',
    ratio: 'double precision',
    day: 'date',
    data: 'bytea',
    note: 'varchar(50)',
  },
  postgres2: {
    id: 'bigint',
    flag: 'boolean',
    happened: 'timestamp(6)',
    price: 'numeric(10,2)',
    name: 'varchar(100)',
    ratio: 'double precision',
    day: 'date',
    data: 'bytea',
    note: 'text',
  },
  mysql: {
    id: 'int',
    flag: 'tinyint(1)',
    happened: 'datetime(3)',
    price: 'decimal(10,2)',
    name: 'varchar(100)',
    ratio: 'double',
    day: 'date',
    data: 'varbinary(100)',
    note: 'text',
  },
  sqlite: {
    id: 'integer',
    flag: 'boolean',
    happened: 'datetime(3)',
    price: 'decimal(10,2)',
    name: 'varchar(100)',
    ratio: 'double',
    day: 'date',
    data: 'blob',
    note: 'text',
  },
} as const;

export type TypeSet = keyof typeof declaredTypes;

export interface ItemRow {
  id: number;
  flag: boolean | null;
  happened: string | null;
  price: string | null;
  name: string | null;
  ratio: number | null;
  day: string | null;
  data: Buffer | null;
  note: string | null;
}

/**
 * Rows exercising the canonical forms: -0, trailing decimal zeros, unicode, '', NULL, '<null>', pre-1970, tiny and
 * huge doubles.
 */
export function baseRows(): ItemRow[] {
  const rows: ItemRow[] = [
    {
      id: 1,
      flag: true,
      happened: '2024-03-04 05:06:07.123',
      price: '1.80',
      name: 'Alpha',
      ratio: 0.1,
      day: '2024-03-04',
      data: Buffer.from([0, 1, 255]),
      note: 'ab',
    },
    {
      id: 2,
      flag: false,
      happened: '1969-12-31 23:59:59.999',
      price: '-0.00',
      name: 'Ünïcødé ✓ 𝄞',
      ratio: 1 / 3,
      day: '1969-12-31',
      data: Buffer.alloc(0),
      note: null,
    },
    { id: 3, flag: null, happened: null, price: null, name: null, ratio: null, day: null, data: null, note: '' },
    {
      id: 4,
      flag: true,
      happened: '2000-01-01 00:00:00.000',
      price: '12345678.91',
      name: 'a,b"c\\d',
      ratio: -2.5e-10,
      day: '2000-02-29',
      data: Buffer.from('hi'),
      note: '<null>',
    },
    {
      id: 5,
      flag: false,
      happened: '2024-12-31 23:59:59.500',
      price: '-0.50',
      name: 'abc',
      ratio: 1.234567891234,
      day: '2024-12-31',
      data: Buffer.from([16]),
      note: 'c',
    },
    {
      id: 6,
      flag: true,
      happened: '2010-06-15 12:00:00.001',
      price: '100',
      name: '',
      ratio: 1e20,
      day: '2010-06-15',
      data: Buffer.from([1, 2]),
      note: 'x y',
    },
    {
      id: 7,
      flag: true,
      happened: '2011-01-01 00:00:00.010',
      price: '0.01',
      name: 'Beta',
      ratio: 0,
      day: '2011-01-01',
      data: Buffer.from([7]),
      note: 'tail',
    },
  ];
  for (let id = 8; id <= 40; id++)
    rows.push({
      id,
      flag: id % 2 === 0,
      happened: `2020-01-${String((id % 28) + 1).padStart(2, '0')} 10:11:12.${String(id * 7).padStart(3, '0')}`,
      price: `${id}.${id % 10}0`,
      name: `name ${id}`,
      ratio: id / 7,
      day: '2020-02-02',
      data: Buffer.from([id]),
      note: `note ${id}`,
    });
  return rows;
}

export async function createItems(
  db: TestDatabase,
  table: string,
  types: TypeSet,
  rows: readonly ItemRow[],
  primaryKey = true,
): Promise<void> {
  const t = declaredTypes[types];
  const q = (n: string) => (db.dialect === 'mysql' ? `\`${n}\`` : `"${n}"`);
  const cols = Object.entries(t).map(([name, type]) => `${q(name)} ${type}${name === 'id' ? ' not null' : ''}`);
  await db.knex.raw(`create table ${q(table)} (${cols.join(', ')}${primaryKey ? `, primary key (${q('id')})` : ''})`);
  await insertItems(db.knex, db.dialect, table, rows);
}

async function insertItems(knex: Knex, dialect: DialectName, table: string, rows: readonly ItemRow[]): Promise<void> {
  const asInt = dialect !== 'postgres';
  const converted = rows.map((r) => ({
    ...r,
    flag: r.flag === null ? null : asInt ? (r.flag ? 1 : 0) : r.flag,
    price: dialect === 'sqlite' && r.price !== null ? Number(r.price) : r.price,
  }));
  for (let i = 0; i < converted.length; i += 200) await knex(table).insert(converted.slice(i, i + 200));
}

export function side(db: TestDatabase): VerifySide {
  return { knex: db.knex, dialect: db.dialect, display: db.url };
}

export function options(source: TestDatabase, target: TestDatabase, extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return { source: side(source), target: side(target), ...extra };
}
