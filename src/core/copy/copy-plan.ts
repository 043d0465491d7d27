import type { CopyDialect, CopyTable, CopyType, LoadColumn } from '../../adapters/copy-dialect.js';
import { isUnsafe } from '../../adapters/copy-dialect.js';
import { UsageError } from '../errors.js';
import type { CastSpec, ChunkKind, ColumnPlan, CopyMode, TableMapping } from './copy-types.js';

/** A target column with what its writer needs. */
interface TargetColumn extends LoadColumn {
  readonly nullable: boolean;
}

/** Everything needed to copy one table, decided before any row moves. */
export interface TablePlan {
  readonly source: CopyTable;
  readonly targetName: string;
  readonly targetSchema: string | undefined;
  /** The target table as it exists (null: --create will create it). */
  readonly targetExists: boolean;
  /** Per source column: the neutral type it is rendered in (null: the engine's own text, same-engine copy). */
  readonly render: readonly (CopyType | null)[];
  readonly targetColumns: readonly TargetColumn[];
  readonly columns: readonly ColumnPlan[];
  readonly key: readonly string[];
  readonly chunkKind: ChunkKind;
  readonly createSql: string | null;
  /** Built after the load (PostgreSQL); null when the key is in the CREATE or there is none. */
  readonly primaryKeySql: string | null;
}

interface PlanContext {
  readonly source: CopyDialect;
  readonly target: CopyDialect;
  readonly casts: readonly CastSpec[];
  readonly mode: CopyMode;
}

/** Why columns cannot be copied, collected over every table so the user sees them all at once. */
export class MappingProblems {
  readonly problems: string[] = [];

  add(table: string, column: string, why: string): void {
    this.problems.push(`${table}.${column}: ${why}`);
  }

  throwIfAny(): void {
    if (!this.problems.length) return;
    throw new UsageError(
      `no safe type mapping for ` +
        `${this.problems.length === 1 ? 'a column' : `${this.problems.length} columns`}; nothing was ` +
        `copied:\n  ${this.problems.join('\n  ')}`,
      'pass --cast [TABLE.]COLUMN=TYPE with a target type you accept, or leave the table out; dmr ' +
        'never coerces values silently',
    );
  }
}

/** Maps one table's columns to the target and picks how it is chunked. */
export function planTable(
  ctx: PlanContext,
  source: CopyTable,
  mapping: TableMapping,
  targetSchema: string | undefined,
  existing: CopyTable | null,
  problems: MappingProblems,
): TablePlan {
  const sameEngine = ctx.source.name === ctx.target.name;
  const key = source.primaryKey;
  const targetColumns: TargetColumn[] = [];
  const columns: ColumnPlan[] = [];
  const render: (CopyType | null)[] = [];
  for (const column of source.columns) {
    const cast = [...ctx.casts]
      .reverse()
      .find(
        (c) =>
          c.column.toLowerCase() === column.name.toLowerCase() && (c.table === undefined || c.table === source.name),
      );
    const isKey = key.includes(column.name);
    render.push(sameEngine ? null : column.type);
    if (!column.type && !(sameEngine && ctx.source.copiesUnmappedTypesToItself)) {
      problems.add(
        source.name,
        column.name,
        `source type ${column.declared} has no neutral mapping${sameEngine ? '' : ` to ${ctx.target.name}`}`,
      );
      continue;
    }
    let declared: string;
    let type: CopyType | null;
    if (existing) {
      const found =
        existing.columns.find((c) => c.name === column.name) ??
        existing.columns.find((c) => c.name.toLowerCase() === column.name.toLowerCase());
      if (!found) {
        problems.add(source.name, column.name, `no such column in the target table ${mapping.target}`);
        continue;
      }
      declared = found.declared;
      type = found.type ?? (ctx.target.name === 'postgres' ? { kind: 'string' } : null);
      if (!type) {
        problems.add(source.name, column.name, `target type ${found.declared} is not one dmr can load`);
        continue;
      }
      targetColumns.push({ name: found.name, declared, type, nullable: found.nullable });
    } else if (cast) {
      if (!ctx.target.isDeclaredType(cast.type))
        throw new UsageError(
          `--cast ${column.name}=${JSON.stringify(cast.type)} is not a ${ctx.target.name} type name`,
          'write a type like varchar(20), numeric(12,2) or text',
        );
      declared = cast.type.trim();
      type = ctx.target.typeOf(declared) ?? (ctx.target.name === 'postgres' ? { kind: 'string' } : null);
      if (!type) {
        problems.add(
          source.name,
          column.name,
          `--cast type ${declared} is not one dmr can load into ${ctx.target.name}`,
        );
        continue;
      }
      targetColumns.push({ name: column.name, declared, type, nullable: column.nullable });
    } else if (sameEngine) {
      declared = column.declared;
      type = column.type ?? { kind: 'string' };
      targetColumns.push({ name: column.name, declared, type, nullable: column.nullable });
    } else {
      const mapped = ctx.target.declare(column.type as CopyType, isKey);
      if (isUnsafe(mapped)) {
        problems.add(source.name, column.name, `${column.declared} -> ${ctx.target.name}: ${mapped.unsafe}`);
        continue;
      }
      declared = mapped.declared;
      targetColumns.push({ name: column.name, declared, type: mapped.type, nullable: column.nullable });
    }
    columns.push({
      name: column.name,
      sourceDeclared: column.declared,
      targetDeclared: declared,
      nullable: column.nullable,
      cast: Boolean(cast) && !existing,
    });
  }
  const keyTypes = key.map((k) => source.columns.find((c) => c.name === k)?.type?.kind);
  const chunkKind: ChunkKind =
    key.length === 0 ? 'all' : key.length === 1 && keyTypes[0] === 'integer' ? 'range' : 'keyset';
  const create = !existing && ctx.mode === 'create';
  const afterLoad = create && key.length > 0 && ctx.target.primaryKeyAfterLoad;
  return {
    source,
    targetName: mapping.target,
    targetSchema,
    targetExists: Boolean(existing),
    render,
    targetColumns,
    columns,
    key,
    chunkKind,
    createSql: create
      ? ctx.target.createTableSql(targetSchema, mapping.target, targetColumns, afterLoad ? [] : key)
      : null,
    primaryKeySql: afterLoad ? ctx.target.addPrimaryKeySql(targetSchema, mapping.target, key) : null,
  };
}
