import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';

/**
 * schema:server-wide-app: on MySQL/MariaDB dmr keeps its tables in the connection's own database; status
 * tables in the server-wide App database (an older dmr's default, shared by every project on the server)
 * hold runs this schema does not show. A warning: nothing is wrong here, but the history may be there.
 */
export function serverWideAppRule(evidence: Evidence): Finding[] {
  const found = evidence.serverWideApp;
  if (!found) return [];
  return [
    {
      id: 'schema:server-wide-app',
      rule: 'schema',
      severity: 'warning',
      stage: null,
      message:
        `status tables also exist in the server-wide database ${found.schema} with ${found.runs} run record(s); ` +
        `this database's runs are kept in ${evidence.schema}, the connection's own database`,
      evidence: {
        schema: found.schema,
        runs: found.runs,
        lastActivity: found.lastActivity?.toISOString() ?? null,
        using: evidence.schema,
      },
      action: `dmr doctor --schema ${found.schema} (to see those runs); drop ${found.schema} once nothing uses it`,
    },
  ];
}
