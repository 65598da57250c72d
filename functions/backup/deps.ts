// What the backup job's use cases (run, check, drill) are given: the Console, the backup tracking state, a
// clock and a log; metrics where they publish fleet figures.
import type { Cluster } from '#lib/console/client.ts';
import { errorText, type RunBody } from '#lib/jobs/engine.ts';
import type { JobDeps } from '#lib/jobs/ports.ts';

export type BackupDeps = Pick<JobDeps, 'console' | 'backupTracking' | 'clock' | 'log'> &
  Partial<Pick<JobDeps, 'metrics'>>;

/** Every cluster of the organisation, or the run's answer when they cannot be listed (the run fails). */
export async function listOrFail(deps: BackupDeps): Promise<{ clusters: Cluster[] } | { refused: RunBody }> {
  try {
    return { clusters: await deps.console.listClusters() };
  } catch (err) {
    return {
      refused: { clusters: [], notes: [`could not list clusters: ${errorText(err)}`], failRun: true },
    };
  }
}
