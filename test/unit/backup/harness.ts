// The backup run's unit-test harness, shared by the run-backup*.test.ts files: the shared fake Console, the
// in-memory state stores and the real run engine around `runBackup`, with the default manual policy.
import { runBackup } from '#functions/backup/run-backup.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import { executeRun } from '#lib/jobs/engine.ts';
import type { ClusterOutcome, JobRequest, RunSummary } from '#lib/jobs/types.ts';
import { recordingLog } from '#local/recording-log.ts';
import { fakeConsole } from '#test/fakes/console.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import { backupPolicy, engineFakes, fakeClock } from '#test/unit/backup/fakes.ts';

export const POLICY: BackupPolicy = backupPolicy();

export const POST = 'POST /clusters/{clusterUuid}/backups';
export const LIST = 'GET /clusters/{clusterUuid}/backups';

/** Fresh fakes and a `run` helper that drives one backup run through the real engine. */
export function setup() {
  const clock = fakeClock();
  const api = fakeConsole([], clock);
  const stores = createMemoryStores(clock);
  const tracking = stores.backupTracking;
  const log = recordingLog();
  const engine = { ...engineFakes(), ledger: stores.ledger, claims: stores.claims };
  const trackingPuts = () => stores.calls['backupTracking.put'] ?? 0;
  let runs = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  const ago = (ms: number) => iso(clock.now() - ms);
  const run = (
    policy: Partial<BackupPolicy> = {},
    options: { dryRun?: boolean; request?: Partial<JobRequest> } = {},
  ): Promise<RunSummary> => {
    runs += 1;
    return executeRun(
      { ...engine, clock, log },
      { job: 'backup', action: 'run', ...options.request },
      { source: 'direct', idempotencyKey: `backup:run:${runs}`, at: iso(clock.now()) },
      {
        dryRun: options.dryRun ?? false,
        concurrency: 3,
        timeMarginMs: 0,
        leaseMs: 60_000,
        retryFailed: true,
      },
      (scope) =>
        runBackup({ console: api, backupTracking: tracking, clock, log }, scope, {
          ...POLICY,
          ...policy,
        }),
    );
  };
  return { clock, api, stores, tracking, trackingPuts, log, engine, run, ago, iso };
}

/** The outcome of one cluster by name; fails the test when there is none. */
export function outcome(summary: RunSummary, name: string): ClusterOutcome {
  const found = summary.clusters.find((c) => c.clusterName === name);
  if (!found) throw new Error(`no outcome for ${name} in ${JSON.stringify(summary.clusters)}`);
  return found;
}

export function detailOf(o: ClusterOutcome): Record<string, unknown> | undefined {
  return 'detail' in o ? o.detail : undefined;
}
