/** The database families dmr speaks, one folder and one Dialect each; MariaDB is `mysql`. */
export type DialectName = 'postgres' | 'mysql' | 'mssql' | 'sqlite';
