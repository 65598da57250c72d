// The backup run's unit-test harness, shared by the run-backup*.test.ts files: the shared fake Console, the
// in-memory state stores and the real run engine around `runBackup`, with the default manual policy.
import type { BackupDeps } from '#functions/backup/deps.ts';
import { runBackup } from '#functions/backup/run-backup.ts';
import type { BackupPolicy } from '#lib/config/types.ts';
import type { ClusterOutcome, JobRequest, RunSummary } from '#lib/jobs/types.ts';
import { recordingLog } from '#local/recording-log.ts';
import { manualClock } from '#test/fakes/clock.ts';
import { fakeConsole } from '#test/fakes/console.ts';
import { engineFakes, engineRunner } from '#test/fakes/engine.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import { backupPolicy } from '#test/unit/backup/fakes.ts';

export const POLICY: BackupPolicy = backupPolicy();

export const POST = 'POST /clusters/{clusterUuid}/backups';
export const LIST = 'GET /clusters/{clusterUuid}/backups';

/** Fresh fakes and a `run` helper that drives one backup run through the real engine. */
export function setup() {
  const clock = manualClock('2026-03-01T03:00:00.000Z');
  const api = fakeConsole([], clock);
  const stores = createMemoryStores(clock);
  const tracking = stores.backupTracking;
  const log = recordingLog();
  const engine = { ...engineFakes(), ledger: stores.ledger, claims: stores.claims };
  const runner = engineRunner('backup', { stores, clock, log, ...engine }, { settings: { concurrency: 3 } });
  const trackingPuts = () => stores.calls['backupTracking.put'] ?? 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  const ago = (ms: number) => iso(clock.now() - ms);
  /** One run over `policy` (on top of POLICY); `metrics` are the job's own, given to `runBackup`. */
  const run = (
    policy: Partial<BackupPolicy> = {},
    options: {
      dryRun?: boolean;
      request?: Partial<Omit<JobRequest, 'job'>>;
      metrics?: BackupDeps['metrics'];
    } = {},
  ): Promise<RunSummary> =>
    runner(
      { action: 'run', ...options.request },
      (scope) =>
        runBackup({ console: api, backupTracking: tracking, clock, log, metrics: options.metrics }, scope, {
          ...POLICY,
          ...policy,
        }),
      { dryRun: options.dryRun ?? false },
    );
  return { clock, api, stores, tracking, trackingPuts, log, engine, run, ago, iso };
}

/** The outcome of one cluster by name; fails the test when there is none. */
export { outcomeOf as outcome } from '#test/helpers/outcomes.ts';

export function detailOf(o: ClusterOutcome): Record<string, unknown> | undefined {
  return 'detail' in o ? o.detail : undefined;
}
