// The alarms that catch silence and trouble around the runs (issue #12 item 3): a heartbeat per scheduled action
// (missing data breaches), Lambda throttles, webhook 5xx, deferred clusters on consecutive days, result events not
// published, token invalidations. Each: its metric (namespace, name, dimensions), period, threshold, comparison,
// missing-data treatment and the SNS action. And the contract: the heartbeat a scheduled run counts is the metric
// its alarm watches.
import { describe, expect, it } from 'vitest';
import {
  DEFERRED_DAYS,
  HEARTBEAT_SLACK_HOURS,
  TOKEN_INVALIDATIONS_PER_HOUR,
} from '#infra/constructs/observability.ts';
import { heartbeatsFor, schedulesFor } from '#infra/triggers.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { executeRun } from '#lib/jobs/engine.ts';
import { JOBS } from '#lib/jobs/types.ts';
import { silentLog } from '#lib/log/log.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { METRICS_NAMESPACE, memoryCounters } from '#lib/runtime/metrics.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import { alarmsOf, type Dimension, lambdaAlarms, metricDimensions } from '#test/infra/alarm-readers.ts';
import { configFile, logicalId } from '#test/infra/harness.ts';
import { useProdStack } from '#test/infra/prod-stack.ts';

const { config, prod } = useProdStack();

/**
 * Every alarm, with a single-metric alarm's metric lifted to the top level whichever way CDK wrote it (directly,
 * or as the one MetricStat of `Metrics` when the metric has a label).
 */
const alarms = () =>
  alarmsOf(prod().json).map((a) => {
    const [only, ...more] = a.Metrics ?? [];
    if (!only?.MetricStat || more.length > 0) return a;
    const { Metric, Period, Stat } = only.MetricStat;
    return { ...a, ...Metric, Period, Statistic: Stat, Metrics: undefined };
  });
const ours = (job: string) => metricDimensions(job);
const topic = () => [{ Ref: logicalId(prod().stack.observability.topic) }];
const HOUR = 3600;
/** A sum over five minutes that pages the alerts topic from one occurrence on. */
const pagesOnFirst = () => ({
  Statistic: 'Sum',
  Period: 300,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  TreatMissingData: 'notBreaching',
  AlarmActions: topic(),
});

describe('heartbeats', () => {
  it('one per scheduled action of the config (recreate’s two schedules share one)', () => {
    // Act
    const actions = heartbeatsFor(config).map((h) => `${h.job}.${h.action}`);

    // Assess
    expect(new Set(schedulesFor(config).map((x) => `${x.job}.${x.action}`))).toEqual(new Set(actions));
    expect(actions.sort()).toEqual([
      'allowlist-sync.sync',
      'backup.check',
      'backup.run',
      'teardown.notice',
      'teardown.recreate',
      'teardown.run',
    ]);
  });

  it('wait the schedule’s longest gap plus slack: weekday jobs do not page on weekends', () => {
    // Act
    const byAction = Object.fromEntries(
      heartbeatsFor(config).map((h) => [`${h.job}.${h.action}`, [h.longestGapHours, h.periodHours]]),
    );

    // Assess (Europe/Berlin; the autumn night is an hour longer)
    expect(byAction).toEqual({
      'backup.run': [25, 26], // daily 03:00
      'backup.check': [1, 2], // rate(1 hour)
      'teardown.notice': [73, 74], // weekdays 18:00: Friday → Monday
      'teardown.run': [73, 74],
      'teardown.recreate': [72.5, 74], // weekdays 07:00 and 07:30 together
      'allowlist-sync.sync': [1, 2], // rate(1 hour)
    });
    expect(HEARTBEAT_SLACK_HOURS).toBe(1);
  });

  it('none for a schedule CloudWatch cannot wait for (longer than 7 days, or a one-off at())', () => {
    // Prepare
    const monthly = resolveConfig(
      { ...configFile, backup: { ...configFile.backup, schedule: 'cron(0 3 1 * ? *)' } },
      'prod',
    );

    // Act
    const actions = heartbeatsFor(monthly).map((h) => `${h.job}.${h.action}`);

    // Assess
    expect(actions).not.toContain('backup.run');
    expect(actions).toContain('teardown.run');
  });

  it.each(heartbeatsFor(config).map((h) => [`${h.job}.${h.action}`, h] as const))(
    '%s: alarms when the heartbeat is missing for the period: missing data breaches, the topic is notified',
    (_name, h) => {
      // Act
      const found = alarms().filter(
        (a) =>
          a.Namespace === METRICS_NAMESPACE &&
          a.MetricName === `Heartbeat${h.action[0]?.toUpperCase()}${h.action.slice(1)}` &&
          JSON.stringify(a.Dimensions) === JSON.stringify(ours(h.job)),
      );

      // Assess
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        Statistic: 'Sum',
        Period: h.periodHours * HOUR,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: topic(),
      });
      expect(found[0]?.AlarmDescription).toContain('[prod]');
    },
  );

  it('the counter a scheduled run emits is the one its heartbeat alarm watches', async () => {
    for (const h of heartbeatsFor(config)) {
      // Prepare
      const counters = memoryCounters();
      let now = Date.parse('2026-11-27T20:00:00Z');
      const clock = { now: () => now++ };
      const stores = createMemoryStores(clock);
      const deps = { ...stores, clock, log: silentLog, metrics: counters, events: memoryPublisher() };

      // Act
      await executeRun(
        {
          ledger: deps.ledger,
          claims: deps.claims,
          clock,
          log: silentLog,
          metrics: counters,
          events: deps.events,
        },
        { job: h.job, action: h.action } as never,
        { source: 'schedule', idempotencyKey: `${h.job}:${h.action}:x`, at: '2026-11-27T20:00:00Z' },
        { dryRun: true, concurrency: 1, timeMarginMs: 0, leaseMs: 60_000, retryFailed: true },
        async () => ({ clusters: [] }),
      );
      const heartbeat = Object.keys(counters.totals).filter((k) => k.startsWith('Heartbeat'));

      // Assess
      expect(heartbeat).toHaveLength(1);
      expect(
        alarms().filter(
          (a) =>
            a.MetricName === heartbeat[0] &&
            a.TreatMissingData === 'breaching' &&
            JSON.stringify(a.Dimensions) === JSON.stringify(ours(h.job)),
        ),
      ).toHaveLength(1);
    }
  });
});

describe('trouble around the runs', () => {
  it.each(JOBS)('%s: a throttled invocation alarms', (job) => {
    const found = lambdaAlarms(alarms(), 'Throttles', logicalId(prod().stack.functions[job].fn));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject(pagesOnFirst());
  });

  it('a 5xx answer of the webhook API alarms', () => {
    const found = alarms().filter((a) => a.Namespace === 'AWS/ApiGateway' && a.MetricName === '5xx');
    expect(found).toHaveLength(1);
    expect(found[0]?.Dimensions).toEqual([{ Name: 'ApiId', Value: { Ref: logicalId(prod().stack.api) } }]);
    expect(found[0]).toMatchObject(pagesOnFirst());
  });

  it.each(JOBS)('%s: clusters deferred on consecutive days alarm', (job) => {
    const found = alarms().filter(
      (a) =>
        a.MetricName === 'ClustersDeferred' && JSON.stringify(a.Dimensions) === JSON.stringify(ours(job)),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Statistic: 'Sum',
      Period: 24 * HOUR,
      EvaluationPeriods: DEFERRED_DAYS,
      DatapointsToAlarm: DEFERRED_DAYS,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: topic(),
    });
  });

  it.each([
    ['ResultEventsFailed', 300, 1],
    ['TokenInvalidations', HOUR, TOKEN_INVALIDATIONS_PER_HOUR],
  ] as const)('%s summed over every job alarms (period %d s, threshold %d)', (metric, period, threshold) => {
    // Act
    const found = alarms().filter((a) => a.Metrics?.some((m) => m.MetricStat?.Metric.MetricName === metric));
    const inputs = (found[0]?.Metrics ?? []).filter((m) => m.MetricStat);

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: topic(),
    });
    const service = (d: Dimension[] = []) => String(d.find((x) => x.Name === 'service')?.Value);
    expect(
      inputs.map((m) => m.MetricStat?.Metric.Dimensions).sort((a, b) => service(a).localeCompare(service(b))),
    ).toEqual([...JOBS].sort().map((job) => ours(job)));
    for (const m of inputs) expect(m.MetricStat?.Period).toBe(period);
    expect(TOKEN_INVALIDATIONS_PER_HOUR).toBe(3);
  });
});
