/**
 * Connection environments for dmr (and knex). `dmr` uses `development` unless --env, --url or
 * DMR_DATABASE_URL says otherwise. Edits take effect on the next run: no rebuild needed.
 */
const config = {
  // Embedded default: a SQLite file in this folder, so every command works with no server.
  development: {
    client: 'better-sqlite3',
    connection: { filename: './dmr.sqlite3' },
    useNullAsDefault: true,
  },
  postgres: 'postgres://postgres@127.0.0.1:5432/postgres',
  mariadb: 'mysql://root@127.0.0.1:3306/test',
  // SQL Server (CEDS Generate): point at the Generate database; status tables live in schema App.
  generate: 'mssql://sa:change-me@127.0.0.1:1433/generate?encrypt=false&trustServerCertificate=true',
};

export default config;
