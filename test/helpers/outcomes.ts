// Reading one cluster's outcome out of a run summary, for the tests of every tier.
import type { ClusterOutcome, RunSummary } from '#lib/jobs/types.ts';

export function outcomeByName(summary: RunSummary, name: string): ClusterOutcome | undefined {
  return summary.clusters.find((c) => c.clusterName === name);
}

/** The outcome for cluster `name`; throws (naming what the summary holds) when there is none. */
export function outcomeOf(summary: RunSummary, name: string): ClusterOutcome {
  const found = outcomeByName(summary, name);
  if (!found) throw new Error(`no outcome for ${name} in ${JSON.stringify(summary.clusters)}`);
  return found;
}

/** What a done outcome holds, for `toMatchObject`: its action and the detail facts a test pins. */
export function doneAs(action: string, detail?: Record<string, unknown>) {
  return { status: 'done', action, ...(detail ? { detail } : {}) };
}
