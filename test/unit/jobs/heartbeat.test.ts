// The heartbeat counter the silence alarms watch: one per run a schedule started, named after the action, with
// the job's dimensions (the metrics port adds them); none for runs other triggers start, none for a redelivery.
import { describe, expect, it } from 'vitest';
import { executeRun, heartbeatMetricName, type RunSettings } from '#lib/jobs/engine.ts';
import type { Delivery, JobRequest } from '#lib/jobs/types.ts';
import { silentLog } from '#lib/log/log.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import { manualClock } from '#test/fakes/clock.ts';
import { createMemoryStores } from '#test/fakes/state.ts';

const SETTINGS: RunSettings = {
  dryRun: false,
  concurrency: 2,
  timeMarginMs: 0,
  leaseMs: 60_000,
  retryFailed: true,
};

function setup() {
  const clock = manualClock('2026-11-27T02:00:00Z');
  const stores = createMemoryStores(clock);
  const counters = memoryCounters();
  const deps = {
    ledger: stores.ledger,
    claims: stores.claims,
    clock,
    log: silentLog,
    metrics: counters,
    events: memoryPublisher(),
  };
  const run = (request: JobRequest, delivery: Delivery, failing = false) =>
    executeRun(deps, request, delivery, SETTINGS, async (scope) => ({
      clusters: await scope.forEachCluster([{ clusterId: 'c1', clusterName: 'dev-a' }], async (c) =>
        failing
          ? { ...c, status: 'failed', error: 'boom' }
          : { ...c, status: 'done', action: 'cluster-deleted' },
      ),
    }));
  return { counters, run };
}

const at = '2026-11-27T20:00:00Z';

describe('heartbeat', () => {
  it('names the action: HeartbeatRun, HeartbeatNotice, HeartbeatRecreate, HeartbeatSync', () => {
    expect(['run', 'notice', 'recreate', 'sync'].map(heartbeatMetricName)).toEqual([
      'HeartbeatRun',
      'HeartbeatNotice',
      'HeartbeatRecreate',
      'HeartbeatSync',
    ]);
  });

  it('is counted once by a scheduled run, whether it succeeded or failed', async () => {
    // Prepare
    const { counters, run } = setup();

    // Act
    await run(
      { job: 'teardown', action: 'run' },
      { source: 'schedule', idempotencyKey: `teardown:run:${at}`, at },
    );
    await run(
      { job: 'teardown', action: 'recreate' },
      { source: 'schedule', idempotencyKey: `teardown:recreate:${at}`, at },
      true,
    );

    // Assess
    expect(counters.totals.HeartbeatRun).toBe(1);
    expect(counters.totals.HeartbeatRecreate).toBe(1);
    expect(counters.totals.Runs).toBe(2);
  });

  it.each(['webhook', 'eventbridge', 'direct'] as const)(
    'is not counted by a run a %s started',
    async (source) => {
      // Prepare
      const { counters, run } = setup();

      // Act
      await run({ job: 'teardown', action: 'run' }, { source, idempotencyKey: `k-${source}`, at });

      // Assess
      expect(counters.totals.Runs).toBe(1);
      expect(Object.keys(counters.totals).filter((k) => k.startsWith('Heartbeat'))).toEqual([]);
    },
  );

  it('is not counted again by a redelivery of the same schedule firing', async () => {
    // Prepare
    const { counters, run } = setup();
    const delivery: Delivery = { source: 'schedule', idempotencyKey: `teardown:run:${at}`, at };

    // Act
    await run({ job: 'teardown', action: 'run' }, delivery);
    await run({ job: 'teardown', action: 'run' }, delivery);

    // Assess
    expect(counters.totals.HeartbeatRun).toBe(1);
    expect(counters.totals.RedeliveriesIgnored).toBe(1);
  });
});
