// The teardown Lambda handler (notice, run, recreate, keep-alive), invoked with real event shapes for every
// trigger against the simulator and dynalite: redeliveries do the work once, bad input from a non-webhook
// trigger changes nothing, and no secret reaches the logs (the evening-to-morning story and the refusals:
// teardown-night.test.ts).
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '#lib/jobs/types.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { eventBridgeEvent, schedulerEvent, webhookEvent } from '#local/env.ts';
import { refusalTests } from '#test/helpers/local-env.ts';
import {
  bodyOf,
  deliveredThreeTimes,
  doneWith,
  firstOfThreeEventDeliveries,
} from '#test/helpers/run-readers.ts';
import {
  CREATE_CLUSTER,
  DELETE_CLUSTER,
  HOUR,
  invoke,
  keepAliveBody,
  useTeardownEnv,
} from '#test/integration/handlers/teardown-env.ts';

const { local, now, ago, routeCount, fileLog } = useTeardownEnv();

describe('teardown handler: redelivery', () => {
  it('a schedule delivered three times deletes each cluster once', async () => {
    // Prepare
    const event = schedulerEvent('teardown', 'run', ago(1));
    // Act
    const first = (await invoke(event)) as RunSummary;
    const requestsAfterFirst = local().sim.stats.console.requests;
    const second = (await invoke(event)) as RunSummary;
    const third = (await invoke(event)) as RunSummary;
    // Assess
    const deleted = doneWith(first, 'cluster-deleted');
    expect(deleted).toEqual(['dev-integration', 'dev-orders', 'dev-payments', 'dev-sandbox-bob']);
    expect(routeCount(DELETE_CLUSTER)).toBe(deleted.length);
    expect(first.idempotencyKey).toBe(`teardown:run:${event.scheduledTime}`);
    expect(first.trigger).toBe('schedule');
    expect([second.replayed, third.replayed]).toEqual([true, true]);
    expect(third.clusters).toEqual(first.clusters);
    // A replay answers from the ledger: not even a listing.
    expect(local().sim.stats.console.requests).toBe(requestsAfterFirst);
    expect(local().events.events.filter((e) => e.detailType === 'teardown.run.result')).toHaveLength(1);
    expect(local().counters.totals.ClusterDeleted).toBe(deleted.length);
  });

  it('an EventBridge event delivered three times deletes each cluster once', async () => {
    // Prepare: tonight's scheduled notice (an ad-hoc run deletes only noticed clusters).
    await invoke(schedulerEvent('teardown', 'notice', ago(5)));
    const event = eventBridgeEvent('teardown.run', {});
    // Act
    const first = await firstOfThreeEventDeliveries(() => invoke(event));
    // Assess
    expect(first.idempotencyKey).toBe(event.id);
    expect(doneWith(first, 'cluster-deleted')).toHaveLength(4);
    expect(routeCount(DELETE_CLUSTER)).toBe(4);
    expect((await local().container.snapshots.list()).map((s) => s.name).sort()).toEqual(
      doneWith(first, 'cluster-deleted'),
    );
  });

  it('a signed webhook delivered three times answers 202 each time and deletes each cluster once', async () => {
    // Prepare: tonight's scheduled notice (an ad-hoc run deletes only noticed clusters).
    await invoke(schedulerEvent('teardown', 'notice', ago(5)));
    const event = webhookEvent('teardown', 'run', {});
    // Act
    const answers = await deliveredThreeTimes<WebhookResponse>(() => invoke(event));
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202]);
    const bodies = answers.map(bodyOf);
    expect(bodies[0]?.trigger).toBe('webhook');
    expect(doneWith(bodies[0] as RunSummary, 'cluster-deleted')).toHaveLength(4);
    expect(bodies.slice(1).map((b) => b.replayed)).toEqual([true, true]);
    expect(bodies[2]?.clusters).toEqual(bodies[0]?.clusters);
    expect(routeCount(DELETE_CLUSTER)).toBe(4);
  });

  it('a recreate schedule delivered three times creates each cluster once', async () => {
    // Prepare: last night's teardown.
    await invoke(schedulerEvent('teardown', 'run', ago(30)));
    const event = schedulerEvent('teardown', 'recreate', ago(20));
    // Act
    const [first, second, third] = await deliveredThreeTimes<RunSummary>(() => invoke(event));
    // Assess
    expect(doneWith(first, 'cluster-recreated')).toHaveLength(4);
    expect(routeCount(CREATE_CLUSTER)).toBe(4);
    expect([second.replayed, third.replayed]).toEqual([true, true]);
    for (const name of ['dev-integration', 'dev-orders', 'dev-payments', 'dev-sandbox-bob']) {
      expect([...local().sim.state.clusters.values()].filter((c) => c.name === name)).toHaveLength(1);
    }
  });

  it('a keep-alive webhook delivered three times stores one keep-alive and answers the first summary', async () => {
    // Prepare
    const until = new Date(now() + 12 * HOUR).toISOString();
    const event = webhookEvent('teardown', 'keep-alive', keepAliveBody('dev-orders', until));
    // Act
    const answers = await deliveredThreeTimes<WebhookResponse>(() => invoke(event));
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202]);
    const bodies = answers.map(bodyOf);
    expect(doneWith(bodies[0] as RunSummary, 'keep-alive-set')).toEqual(['dev-orders']);
    expect(bodies.slice(1).map((b) => b.replayed)).toEqual([true, true]);
    // Each delivery's precheck looks the cluster up (read-only); only the first ran the action (one more listing).
    expect(routeCount('GET /clusters')).toBe(4);
    const stored = await local().container.keepAlives.active(0);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ cluster: 'dev-orders', until, by: 'alice' });
  });
});

describe('teardown handler: bad input from a non-webhook trigger', () => {
  refusalTests(
    [
      {
        name: 'an unknown detail-type is thrown as a TriggerError and changes nothing',
        event: () => eventBridgeEvent('teardown.explode', {}),
        error: {
          message: expect.stringContaining(
            'action: the teardown job accepts notice, run, recreate, keep-alive',
          ),
        },
      },
      {
        name: "an event for another job's action is thrown and changes nothing",
        event: () => eventBridgeEvent('backup.run', {}),
        error: { message: expect.stringContaining('this function runs the teardown job, not backup') },
      },
      {
        name: 'a scheduler input without a valid scheduledTime is thrown and changes nothing',
        // The schedule's input template lost <aws.scheduler.scheduled-time>.
        event: () => ({
          ...schedulerEvent('teardown', 'run', '2026-11-27T20:00:00Z'),
          scheduledTime: 'tonight',
        }),
        error: { status: 400, message: expect.stringContaining('scheduledTime') },
      },
      {
        name: 'a scheduler input with an unknown field is thrown and deletes nothing',
        event: () => ({ ...schedulerEvent('teardown', 'run', '2026-11-27T20:00:00Z'), force: true }),
        error: { message: expect.stringContaining('unknown field force') },
      },
    ],
    { local, invoke, stored: (env) => env.container.snapshots.list() },
  );
});

fileLog.scanAtEnd('teardown handler: logs', 'run finished');
