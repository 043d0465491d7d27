let current = 'dmr';

/**
 * Names the running command (`dmr migrate`): every connection opened afterwards shows it to the server
 * (PostgreSQL application_name, MySQL connection attribute program_name, SQL Server program_name) unless
 * the connection names itself.
 */
export function setProgramName(name: string): void {
  current = name;
}

/** The name connections give the server. */
export function programName(): string {
  return current;
}
