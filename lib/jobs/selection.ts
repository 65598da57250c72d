// The clusters a run works on: those its policy's selector picks, narrowed to the ids a request names, and
// the ids it named that the policy does not select (reported, never worked on).
import { type SelectableCluster, selectClusters } from '#lib/config/selector.ts';
import type { ClusterSelector } from '#lib/config/types.ts';

export interface Selection<C> {
  selected: C[];
  /** Requested ids the selector does not pick (or that are not listed at all). */
  notSelected: string[];
}

export function selectRequested<C extends SelectableCluster>(
  listed: readonly C[],
  selector: ClusterSelector,
  requested: readonly string[],
): Selection<C> {
  const selected = selectClusters(listed, selector, requested);
  const notSelected = requested.filter((id) => !selected.some((c) => c.uuid === id));
  return { selected, notSelected };
}

/** The run notes of a sync job's selection: nothing selected, and requested ids it ignores. */
export function syncSelectionNotes(policy: string, { selected, notSelected }: Selection<unknown>): string[] {
  const notes: string[] = [];
  if (selected.length === 0) notes.push(`the ${policy} policy selects no cluster; nothing to sync`);
  if (notSelected.length > 0) {
    notes.push(
      `requested cluster(s) not selected by the ${policy} policy, ignored: ${notSelected.join(', ')}`,
    );
  }
  return notes;
}
