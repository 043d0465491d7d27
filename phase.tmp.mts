import knexFactory from 'knex';
import { verifyData } from './src/core/verify/verify-data.ts';
const knex = knexFactory({
  client: 'mysql2',
  connection: { host: '127.0.0.1', user: 'root', database: 'dmr_vscratch' },
  pool: { min: 0, max: 4 },
});
const knex2 = knexFactory({
  client: 'mysql2',
  connection: { host: '127.0.0.1', user: 'root', database: 'dmr_vscratch' },
  pool: { min: 0, max: 4 },
});
const t0 = performance.now();
const r = await verifyData({
  source: { knex, dialect: 'mysql', display: 's' },
  target: { knex: knex2, dialect: 'mysql', display: 't' },
  tables: [{ source: 'c', target: process.argv[2] ?? 'd2' }],
  onEvent: (e) =>
    console.log(((performance.now() - t0) / 1000).toFixed(2), e.type, (e as any).phase ?? '', (e as any).detail ?? ''),
});
console.log(((performance.now() - t0) / 1000).toFixed(2), r.tables[0]!.status, r.tables[0]!.differenceCount);
await knex.destroy();
await knex2.destroy();
