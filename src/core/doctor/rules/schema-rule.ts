import { StatusId, defaultStages, statusCodes } from '../../status/status-codes.js';
import { TableName, generateTables } from '../../status/status-tables.js';
import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';

/**
 * schema: what dmr and Generate need of the status tables: Generate's four tables, the five
 * status codes with their ids, no duplicate codes, the three stages, one DataMigrations row per
 * stage, and only known status ids in DataMigrations.
 */
export function schemaRule(evidence: Evidence): Finding[] {
  const findings: Finding[] = [];
  const add = (id: string, stage: string | null, message: string, details: Record<string, unknown>, action: string) =>
    findings.push({
      id: `schema:${id}`,
      rule: 'schema',
      severity: 'problem',
      stage,
      message,
      evidence: details,
      action,
    });

  for (const key of generateTables) {
    if (!evidence.tables[key])
      add(
        `missing-table:${TableName[key]}`,
        null,
        `table ${TableName[key]} is missing`,
        { table: TableName[key] },
        'dmr init',
      );
  }
  if (evidence.tables.statuses) {
    for (const code of statusCodes) {
      const rows = evidence.statuses.filter((s) => s.code === code);
      if (rows.length === 0)
        add(
          `missing-status:${code}`,
          null,
          `status code ${code} is missing from DataMigrationStatuses`,
          { code, expectedId: StatusId[code] },
          'dmr init',
        );
      else if (rows.length > 1)
        add(
          `duplicate-status:${code}`,
          null,
          `status code ${code} appears ${rows.length} times (ids ${rows.map((r) => r.id).join(', ')})`,
          { code, ids: rows.map((r) => r.id) },
          `delete the extra ${code} rows from DataMigrationStatuses (keep id ${StatusId[code]})`,
        );
      else if (rows[0]?.id !== StatusId[code])
        add(
          `status-id:${code}`,
          null,
          `status code ${code} has id ${rows[0]?.id}, Generate uses ${StatusId[code]}`,
          { code, id: rows[0]?.id, expectedId: StatusId[code] },
          `update DataMigrationStatuses so ${code} has id ${StatusId[code]}`,
        );
    }
  }
  const typeCodes = new Set(evidence.types.map((t) => t.code));
  for (const stage of defaultStages) {
    if (!typeCodes.has(stage.code))
      add(
        `missing-stage:${stage.code}`,
        stage.code,
        `stage ${stage.code} is missing from DataMigrationTypes`,
        { code: stage.code, expectedId: stage.id },
        'dmr init',
      );
  }
  for (const type of evidence.types) {
    const rows = evidence.stages.filter((s) => s.typeId === type.id);
    if (rows.length === 0)
      add(
        `missing-row:${type.code}`,
        type.code,
        `DataMigrations has no row for stage ${type.code}`,
        { typeId: type.id },
        'dmr init',
      );
    if (rows.length > 1)
      add(
        `duplicate-row:${type.code}`,
        type.code,
        `DataMigrations has ${rows.length} rows for stage ${type.code}`,
        { typeId: type.id, migrationIds: rows.map((r) => r.migrationId) },
        `delete the extra DataMigrations rows of ${type.code}`,
      );
  }
  const knownIds = new Set(evidence.statuses.map((s) => s.id));
  for (const row of evidence.stages) {
    const name = row.stage ?? `type-${row.typeId}`;
    if (!row.stage)
      add(
        `unknown-stage:${row.typeId}`,
        null,
        `DataMigrations row ${row.migrationId} has type id ${row.typeId}, which DataMigrationTypes does not define`,
        { migrationId: row.migrationId, typeId: row.typeId },
        `add the type to DataMigrationTypes or delete DataMigrations row ${row.migrationId}`,
      );
    if (row.status === null || !knownIds.has(row.statusId))
      add(
        `unknown-status:${name}`,
        row.stage,
        `${name} has status id ${row.statusId}, which is not a known status`,
        { statusId: row.statusId, known: [...knownIds].sort() },
        `dmr reset --stage ${name} --to initial --yes`,
      );
  }
  return findings;
}
