// `npx tsx bench/backup-check.ts [clusters]`: the Console cost of `backup.check` on a generated org (default
// 1,000 clusters) against the simulator with the real Console client and run engine: requests per route, and
// per selected cluster. Goal: one list of clusters plus at most one backups read per selected cluster.
import { cpus } from 'node:os';
import { runCheck } from '#functions/backup/run-check.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { createConsoleClient } from '#lib/console/client.ts';
import { executeRun } from '#lib/jobs/engine.ts';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import { recordingLog } from '#local/recording-log.ts';
import { startSimulator } from '#local/sim/index.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import { engineFakes } from '#test/unit/backup/fakes.ts';

const clusters = Number(process.argv[2] ?? 1000);
const sim = await startSimulator({
  seed: { clusters },
  tarPitMs: 0,
  authRateLimit: false,
  consoleRateLimit: false,
});
try {
  const policy = resolveConfig({
    backup: {
      enabled: true,
      selector: { all: true },
      targets: [{ selector: { all: true }, maxAgeHours: 24 }],
    },
  }).backup;
  let token: string | undefined;
  const api = createConsoleClient({
    tokenSource: {
      getToken: async () => {
        token ??= sim.issueToken();
        return token;
      },
      invalidate: async () => {
        token = undefined;
      },
    },
    baseUrl: sim.url,
  });
  const clock = { now: Date.now };
  const stores = createMemoryStores(clock);
  const log = recordingLog();
  const started = performance.now();
  const summary = await executeRun(
    { ...engineFakes(), metrics: memoryCounters(), ledger: stores.ledger, claims: stores.claims, clock, log },
    { job: 'backup', action: 'check' },
    { source: 'direct', idempotencyKey: 'bench:check', at: new Date().toISOString() },
    { dryRun: false, concurrency: 4, timeMarginMs: 0, leaseMs: 600_000, retryFailed: true },
    (scope) =>
      runCheck({ console: api, backupTracking: stores.backupTracking, clock, log }, scope, policy, 4),
  );
  const ms = performance.now() - started;
  const routes = sim.stats.console.byRoute;
  const selected = summary.clusters.length;
  const backupsReads = routes['GET /clusters/{clusterUuid}/backups'] ?? 0;
  const total = sim.stats.console.requests;
  console.log(
    JSON.stringify(
      {
        clusters,
        selected,
        requests: total,
        byRoute: routes,
        perSelectedCluster: Number(
          ((total - (routes['GET /clusters'] ?? 0)) / Math.max(1, selected)).toFixed(3),
        ),
        backupsReadsPerSelectedCluster: Number((backupsReads / Math.max(1, selected)).toFixed(3)),
        stateWrites: Object.entries(stores.calls)
          .filter(([k]) => /put|record|claim|finish|start/.test(k))
          .reduce((n, [, v]) => n + (v ?? 0), 0),
        seconds: Number((ms / 1000).toFixed(1)),
        cores: cpus().length,
        counts: summary.counts,
      },
      null,
      2,
    ),
  );
} finally {
  await sim.close();
}
