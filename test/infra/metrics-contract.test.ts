// The contract that makes the alarms see data: the metrics the real engine emits through Powertools Metrics
// (configured by the function's environment) carry exactly the namespace, name and `service` + `environment`
// dimensions the alarms ask CloudWatch for, so two environments in one account and region never see each
// other's metrics.

import { beforeAll, describe, expect, it } from 'vitest';
import { executeRun } from '#lib/jobs/engine.ts';
import type { JobName } from '#lib/jobs/types.ts';
import { silentLog } from '#lib/log/log.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { METRICS_NAMESPACE, powertoolsCounters } from '#lib/runtime/metrics.ts';
import { createMetrics } from '#lib/runtime/powertools.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import {
  alarmsOf,
  type Dimension,
  metricDimensions as dims,
  functionEnvironment as fnEnv,
  serviceOf,
} from '#test/infra/alarm-readers.ts';
import { type Synthesised, synth } from '#test/infra/harness.ts';

/** Two environments of the config, as if deployed to one account and region. */
const ENVS = ['prod', 'dev'] as const;
type EnvName = (typeof ENVS)[number];
const stacks = {} as Record<EnvName, Synthesised>;

beforeAll(() => {
  for (const envName of ENVS) stacks[envName] = synth({ envName });
}, 180_000);

/** The metric a job's RunsFailed alarm watches. */
const runsFailedWatched = (job: JobName, of: Synthesised) =>
  alarmsOf(of.json)
    .flatMap((a) => a.Metrics ?? [])
    .map((m) => m.MetricStat?.Metric)
    .find((m) => m?.MetricName === 'RunsFailed' && serviceOf(m) === job);

describe('metrics contract', () => {
  it.each(ENVS)(
    '%s: the engine’s counters, through Powertools configured by the function’s environment, are what this environment’s alarms watch, and no other’s',
    async (env) => {
      // Prepare: a container of the backup function (its env from this environment's template), a run with one
      // failed cluster
      const stack = stacks[env];
      const otherEnv = ENVS.find((e) => e !== env) ?? env;
      const metrics = createMetrics(fnEnv('backup', stack));
      let now = Date.parse('2026-03-02T02:00:00Z');
      const clock = { now: () => now++ };
      const stores = createMemoryStores(clock);
      const deps = {
        ledger: stores.ledger,
        claims: stores.claims,
        clock,
        log: silentLog,
        metrics: powertoolsCounters(metrics),
        events: memoryPublisher(),
      };
      const clusters = [
        { clusterId: 'c1', clusterName: 'prod-a' },
        { clusterId: 'c2', clusterName: 'prod-b' },
      ];

      // Act
      const summary = await executeRun(
        deps,
        { job: 'backup', action: 'run' },
        { source: 'schedule', idempotencyKey: 'backup:run:2026-03-02T02:00:00Z', at: '2026-03-02T02:00:00Z' },
        { dryRun: false, concurrency: 1, timeMarginMs: 0, leaseMs: 600_000, retryFailed: true },
        async (scope) => ({
          clusters: await scope.forEachCluster(clusters, async (c) =>
            c.clusterId === 'c1'
              ? { ...c, status: 'done', action: 'backup-created' }
              : { ...c, status: 'failed', error: 'ConsoleApiError: 503' },
          ),
        }),
      );
      const emf = metrics.serializeMetrics() as unknown as {
        _aws: {
          CloudWatchMetrics: Array<{
            Namespace: string;
            Dimensions: string[][];
            Metrics: Array<{ Name: string }>;
          }>;
        };
      } & Record<string, unknown>;

      // Assess: one dimension set {service=job, environment=env}, the alarm's namespace and the metric names
      expect(summary.failed).toBe(true);
      const [directive, ...more] = emf._aws.CloudWatchMetrics;
      expect(more).toEqual([]);
      expect(directive?.Namespace).toBe(METRICS_NAMESPACE);
      expect(directive?.Dimensions).toEqual([['service', 'environment']]);
      expect(emf.service).toBe('backup');
      expect(emf.environment).toBe(env);
      const emitted = directive?.Metrics.map((m) => m.Name) ?? [];
      expect(emitted).toEqual(
        expect.arrayContaining(['Runs', 'RunsFailed', 'ClustersFailed', 'BackupCreated']),
      );
      // What CloudWatch stores: the namespace, the name, and exactly the dimensions of the one set, with values
      const stored = {
        Namespace: directive?.Namespace,
        MetricName: 'RunsFailed',
        Dimensions: (directive?.Dimensions[0] ?? []).map((name) => ({ Name: name, Value: emf[name] })),
      };
      const byName = (d: Dimension[] = []) => [...d].sort((a, b) => a.Name.localeCompare(b.Name));
      const watched = runsFailedWatched('backup', stack);
      const othersWatched = runsFailedWatched('backup', stacks[otherEnv]);
      expect({ ...watched, Dimensions: byName(watched?.Dimensions) }).toEqual({
        ...stored,
        Dimensions: byName(stored.Dimensions),
      });
      // …and the other environment's alarm watches its own environment: it never sees these
      expect(otherEnv).not.toBe(env);
      expect(othersWatched?.Dimensions).toEqual(dims('backup', otherEnv));
      expect({ ...othersWatched, Dimensions: byName(othersWatched?.Dimensions) }).not.toEqual({
        ...stored,
        Dimensions: byName(stored.Dimensions),
      });
    },
  );
});
