import type { CopyLockSql } from '../copy-locks.js';
import type { SessionLockSql } from '../session-run-lock.js';

/**
 * T-SQL text of the SQL Server run lock and session queries, kept apart so tests can check it
 * without a server. sp_getapplock with @LockOwner = 'Session' is released when the session ends.
 * https://learn.microsoft.com/sql/relational-databases/system-stored-procedures/sp-getapplock-transact-sql
 * The lock statements run on the lock's own mssql session and bind the resource as @p0; the
 * others run through knex (`?`).
 */
export const mssqlSql = {
  acquireLock:
    `declare @result int;
exec @result = sp_getapplock @Resource = @p0, @LockMode = 'Exclusive', @LockOwner = ` +
    `'Session', @LockTimeout = 0, @DbPrincipal = 'public';
select @result as result, @@spid as id;`,
  releaseLock: `exec sp_releaseapplock @Resource = @p0, @LockOwner = 'Session', @DbPrincipal = 'public';`,
  currentSession: 'select @@spid as id',
  /** Application locks show as resource_description '0:[name]:(hash)' in sys.dm_tran_locks. */
  lockHolder: `select top 1 cast(l.request_session_id as varchar(12)) as id
from sys.dm_tran_locks l
where l.resource_type = 'APPLICATION' and l.resource_database_id = db_id()
  and l.request_owner_type = 'SESSION' and l.request_status = 'GRANT'
  and charindex(?, l.resource_description) > 0`,
  session: `select cast(s.session_id as varchar(12)) as id, s.login_name as [user], s.host_name as clientHost,
  s.program_name as program, s.login_time as startedAt, coalesce(r.status, s.status) as state, t.text as query
from sys.dm_exec_sessions s
left join sys.dm_exec_requests r on r.session_id = s.session_id
outer apply sys.dm_exec_sql_text(r.sql_handle) t
where s.session_id = ?`,
  activeSessions: `select cast(s.session_id as varchar(12)) as id, s.login_name as [user], s.host_name as clientHost,
  s.program_name as program, s.login_time as startedAt, coalesce(r.status, s.status) as state, t.text as query
from sys.dm_exec_sessions s
left join sys.dm_exec_requests r on r.session_id = s.session_id
outer apply sys.dm_exec_sql_text(r.sql_handle) t
where s.is_user_process = 1 and s.database_id = db_id() and s.session_id <> @@spid
  and r.session_id is not null and t.text like '%Migrate[_]Data%'`,
} as const;

/** Resource name of the run lock for a status schema (sp_getapplock allows 255 characters). */
export function mssqlLockResource(schema: string): string {
  return `dmr:${schema}`.slice(0, 255);
}

/** The run lock's statements for a status schema, as its own session sends them (the resource as @p0). */
export function mssqlRunLockSql(schema: string): SessionLockSql {
  return {
    acquire: mssqlSql.acquireLock,
    release: mssqlSql.releaseLock,
    bindings: [mssqlLockResource(schema)],
    acquired: (row) => Number(row.result) >= 0,
  };
}

/**
 * `dmr copy`'s per-table locks: an exclusive session applock per target table, named after the target
 * database and table (`@p0`, as the copy locks' own session binds it); ok is 1 when held.
 */
export function mssqlCopyLockSql(database: string): CopyLockSql {
  return {
    acquire:
      `declare @r int; exec @r = sp_getapplock @Resource = @p0, @LockMode = 'Exclusive', ` +
      `@LockOwner = 'Session', @LockTimeout = 0; select case when @r >= 0 then 1 else 0 end as ok`,
    release: `exec sp_releaseapplock @Resource = @p0, @LockOwner = 'Session'`,
    bindings: (name) => [`dmr-copy:${database}/${name}`.slice(0, 255)],
    acquired: (row) => Number(row.ok) === 1,
  };
}
