import { UsageError } from '../errors.js';
import type { StageState } from '../status/status-store.js';

/** Which stages a run covers. */
export type StageSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'only'; readonly stages: readonly string[] }
  | { readonly kind: 'from'; readonly stage: string }
  | { readonly kind: 'resume' }
  | { readonly kind: 'restart' };

/**
 * Resolves a selection against the stage order and current statuses. --from and resume
 * require every earlier stage to be success, so no stage ever runs on stale input.
 */
export function selectStages(
  selection: StageSelection,
  order: readonly string[],
  states: readonly StageState[],
): string[] {
  const unknown = (name: string) =>
    new UsageError(`unknown stage ${JSON.stringify(name)}`, `stages are: ${order.join(', ')}`);
  const statusOf = (stage: string) => states.find((s) => s.stage === stage)?.status ?? null;
  switch (selection.kind) {
    case 'all':
    case 'restart':
      return [...order];
    case 'only': {
      for (const stage of selection.stages) if (!order.includes(stage)) throw unknown(stage);
      return order.filter((stage) => selection.stages.includes(stage));
    }
    case 'from': {
      const index = order.indexOf(selection.stage);
      if (index < 0) throw unknown(selection.stage);
      const notDone = order.slice(0, index).filter((stage) => statusOf(stage) !== 'success');
      if (notDone.length > 0) {
        throw new UsageError(
          `cannot start from ${selection.stage}: earlier stage ${notDone.join(', ')} is not success`,
          `run \`dmr migrate --from ${notDone[0]}\` or \`dmr resume\``,
        );
      }
      return order.slice(index);
    }
    case 'resume': {
      const index = order.findIndex((stage) => statusOf(stage) !== 'success');
      if (index < 0)
        throw new UsageError('nothing to resume: every stage is success', 'run `dmr restart` to run all stages again');
      return order.slice(index);
    }
  }
}
