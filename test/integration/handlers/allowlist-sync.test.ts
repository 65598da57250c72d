// The allowlist-sync Lambda handler (sync, set-source), invoked with real event shapes for every trigger
// (scheduler input, custom EventBridge events including `cluster.created` and `teardown.recreate.result`,
// signed webhooks) against the simulator and dynalite: redeliveries write once, refused updates store and
// write nothing, a second sync writes nothing, and no secret reaches the logs.
import { describe, expect, it } from 'vitest';
import { handler } from '#functions/allowlist-sync/handler.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { RequestRefusedError } from '#lib/runtime/job-handler.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { eventBridgeEvent, lambdaContext, schedulerEvent, webhookEvent } from '#local/env.ts';
import type { IpRule } from '#local/sim/index.ts';
import { refusalTests, useLocalEnv } from '#test/helpers/local-env.ts';
import {
  bodyOf,
  deliveredThreeTimes,
  doneWith,
  fileLogScan,
  firstOfThreeEventDeliveries,
} from '#test/helpers/run-readers.ts';
import { rejectionBy } from '#test/helpers/thrown.ts';

const PUT_ALLOWLIST = 'PUT /clusters/{clusterUuid}/ipallowlist';
const OFFICE: IpRule = { description: 'office', ip: '203.0.113.0/24' };
const VPN: IpRule = { description: 'vpn egress', ip: '198.51.100.0/24' };
/** The clusters LOCAL_CONFIG's allowlist selector (Enterprise S / M) picks in the seeded org. */
const SELECTED = [
  'prod-analytics',
  'prod-billing',
  'prod-orders',
  'prod-payments',
  'stage-legacy-reports',
  'stage-payments',
  'test-orders',
  'test-payments',
];
/** test-payments already carries exactly the static entry. */
const OUT_OF_SYNC = SELECTED.filter((n) => n !== 'test-payments');

const invoke = (event: unknown) => handler(event, lambdaContext('allowlist-sync'));

/** Every line logged by every test of this file, with the secrets each test's environment used. */
const fileLog = fileLogScan();
const local = useLocalEnv(fileLog);

function puts(): number {
  return local().sim.stats.console.byRoute[PUT_ALLOWLIST] ?? 0;
}

function rulesOf(name: string): IpRule[] | undefined {
  return local().sim.state.allowlistOf(name);
}

/** A signed set-source webhook from netops storing `entries` as source `source`. */
function setSourceEvent(source: string, entries: Array<{ cidr: string; description: string }>) {
  return webhookEvent('allowlist-sync', 'set-source', { payload: { source, entries, updatedBy: 'netops' } });
}

/** A Healthy Enterprise cluster that appeared after the org was seeded (ipallowlist: []). */
function newEnterpriseCluster(name: string): string {
  return local().sim.state.addCluster({ name, plan: 'Enterprise M', labels: ['env-prod'] }).uuid;
}

describe('allowlist-sync handler: redelivery', () => {
  it('a schedule delivered three times writes each drifted cluster once', async () => {
    // Prepare
    const event = schedulerEvent('allowlist-sync', 'sync', '2026-11-27T02:00:00Z');
    // Act
    const first = (await invoke(event)) as RunSummary;
    const requestsAfterFirst = local().sim.stats.console.requests;
    const second = (await invoke(event)) as RunSummary;
    const third = (await invoke(event)) as RunSummary;
    // Assess
    expect(first.trigger).toBe('schedule');
    expect(first.idempotencyKey).toBe('allowlist-sync:sync:2026-11-27T02:00:00Z');
    expect(doneWith(first, 'allowlist-updated')).toEqual(OUT_OF_SYNC);
    expect(first.clusters.find((c) => c.clusterName === 'test-payments')).toMatchObject({
      status: 'skipped',
      reason: 'in sync',
    });
    expect(puts()).toBe(OUT_OF_SYNC.length);
    expect([second.replayed, third.replayed]).toEqual([true, true]);
    expect(local().sim.stats.console.requests).toBe(requestsAfterFirst);
    for (const name of SELECTED) expect(rulesOf(name)).toEqual([OFFICE]);
    expect(local().events.events.filter((e) => e.detailType === 'allowlist-sync.sync.result')).toHaveLength(
      1,
    );
    expect(local().counters.totals.AllowlistUpdated).toBe(OUT_OF_SYNC.length);
  });

  it('an EventBridge event delivered three times writes each drifted cluster once', async () => {
    // Prepare
    const event = eventBridgeEvent('allowlist-sync.sync', {});
    // Act
    const first = await firstOfThreeEventDeliveries(() => invoke(event));
    // Assess
    expect(doneWith(first, 'allowlist-updated')).toEqual(OUT_OF_SYNC);
    expect(puts()).toBe(OUT_OF_SYNC.length);
  });

  it('a set-source webhook delivered three times stores the source once and writes each cluster once', async () => {
    // Prepare
    const event = setSourceEvent('office-vpn', [{ cidr: VPN.ip, description: VPN.description }]);
    // Act
    const answers = await deliveredThreeTimes<WebhookResponse>(() => invoke(event));
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202]);
    const bodies = answers.map(bodyOf);
    expect(bodies.slice(1).map((b) => b.replayed)).toEqual([true, true]);
    // Every selected cluster gets the new source (it declares no selector), test-payments included.
    expect(doneWith(bodies[0] as RunSummary, 'allowlist-updated')).toEqual(SELECTED);
    expect(puts()).toBe(SELECTED.length);
    // Stored once: a second put would have made it version 2.
    const sources = await local().container.allowlistSources.list();
    expect(sources.map((s) => [s.name, s.version, s.updatedBy])).toEqual([['office-vpn', 1, 'netops']]);
  });

  it('a cluster.created event delivered three times writes that cluster once', async () => {
    // Prepare
    const id = newEnterpriseCluster('prod-fresh');
    const event = eventBridgeEvent('cluster.created', { clusterId: id });
    // Act
    const results = await deliveredThreeTimes<RunSummary>(() => invoke(event));
    // Assess
    expect(results[0]?.clusters.map((c) => [c.clusterName, c.status])).toEqual([['prod-fresh', 'done']]);
    expect(results.slice(1).map((r) => r.replayed)).toEqual([true, true]);
    expect(puts()).toBe(1);
  });
});

describe('allowlist-sync handler: sources and syncs', () => {
  it('a set-source webhook stores the source and syncs the clusters it applies to', async () => {
    // Prepare
    const event = setSourceEvent('office-vpn', [
      { cidr: VPN.ip, description: VPN.description },
      { cidr: '2001:db8:ffff::/48', description: 'vpn v6' },
    ]);
    // Act
    const answer = (await invoke(event)) as WebhookResponse;
    // Assess
    expect(answer.statusCode).toBe(202);
    const summary = bodyOf(answer);
    expect(summary.notes.join(' ')).toContain('source office-vpn now has 2 entries (version 1)');
    const stored = await local().container.allowlistSources.list();
    expect(stored[0]?.entries).toEqual([
      { cidr: '198.51.100.0/24', description: 'vpn egress' },
      { cidr: '2001:db8:ffff::/48', description: 'vpn v6' },
    ]);
    // What the simulator holds now: the static entry and the source (sorted by address), on every selected cluster.
    for (const name of SELECTED) {
      expect(rulesOf(name)).toEqual([VPN, OFFICE, { description: 'vpn v6', ip: '2001:db8:ffff::/48' }]);
    }
    // A cluster outside the selector is not touched (Starter plans carry no allowlist at all).
    expect(rulesOf('dev-payments')).toBeUndefined();
  });

  it('a second sync writes nothing', async () => {
    // Prepare
    await invoke(schedulerEvent('allowlist-sync', 'sync', '2026-11-27T02:00:00Z'));
    const putsAfterFirst = puts();
    // Act
    const second = (await invoke(
      schedulerEvent('allowlist-sync', 'sync', '2026-11-27T03:00:00Z'),
    )) as RunSummary;
    // Assess
    expect(putsAfterFirst).toBe(OUT_OF_SYNC.length);
    expect(second.replayed).toBeUndefined();
    expect(puts()).toBe(putsAfterFirst);
    expect(second.counts).toEqual({ done: 0, skipped: SELECTED.length, failed: 0, deferred: 0 });
    expect(second.clusters.every((c) => c.status === 'skipped' && c.reason === 'in sync')).toBe(true);
  });

  it('a dry-run sync webhook reports the drift and writes nothing', async () => {
    // Prepare
    const event = webhookEvent('allowlist-sync', 'sync', { dryRun: true });
    // Act
    const summary = bodyOf(await invoke(event));
    // Assess
    expect(summary.dryRun).toBe(true);
    expect(doneWith(summary, 'would-update-allowlist')).toEqual(OUT_OF_SYNC);
    expect(puts()).toBe(0);
    expect(rulesOf('prod-payments')).toHaveLength(2);
  });

  it('a cluster.created event syncs that one cluster only', async () => {
    // Prepare
    const id = newEnterpriseCluster('prod-new');
    // Act
    const summary = (await invoke(eventBridgeEvent('cluster.created', { clusterId: id }))) as RunSummary;
    // Assess
    expect(summary.clusters.map((c) => c.clusterId)).toEqual([id]);
    expect(doneWith(summary, 'allowlist-updated')).toEqual(['prod-new']);
    expect(puts()).toBe(1);
    expect(rulesOf('prod-new')).toEqual([OFFICE]);
    // The drifted seeded clusters were left for the scheduled sync.
    expect(rulesOf('prod-payments')).toHaveLength(2);
  });

  it('a cluster.created event for a cluster outside the policy writes nothing', async () => {
    // Prepare
    const id = local().sim.state.cluster('dev-payments').uuid;
    // Act
    const summary = (await invoke(eventBridgeEvent('cluster.created', { clusterId: id }))) as RunSummary;
    // Assess
    expect(summary.clusters).toEqual([]);
    expect(summary.notes.join(' ')).toContain('not selected by the allowlist policy');
    expect(puts()).toBe(0);
  });

  it('a teardown.recreate.result event syncs the clusters the recreate brought back', async () => {
    // Prepare: the morning recreate's result event, naming one recreated cluster.
    const reborn = newEnterpriseCluster('prod-reborn');
    const detail = {
      job: 'teardown',
      action: 'recreate',
      clusters: [
        {
          clusterId: 'the-deleted-uuid',
          clusterName: 'prod-reborn',
          status: 'done',
          action: 'cluster-recreated',
          detail: { newClusterId: reborn, allowlist: 'pending' },
        },
        {
          clusterId: 'other',
          clusterName: 'dev-x',
          status: 'skipped',
          reason: 'a cluster named dev-x already exists',
        },
      ],
    };
    // Act
    const summary = (await invoke(eventBridgeEvent('teardown.recreate.result', detail))) as RunSummary;
    // Assess
    expect(summary.clusters.map((c) => [c.clusterId, c.status])).toEqual([[reborn, 'done']]);
    expect(puts()).toBe(1);
    expect(rulesOf('prod-reborn')).toEqual([OFFICE]);
  });

  it('a teardown.recreate.result event that recreated nothing is ignored', async () => {
    // Prepare
    const detail = { job: 'teardown', action: 'recreate', dryRun: true, clusters: [] };
    // Act
    const result = await invoke(eventBridgeEvent('teardown.recreate.result', detail));
    // Assess
    expect(result).toMatchObject({ ignored: true });
    expect(local().sim.stats.console.requests).toBe(0);
    expect(local().events.events).toEqual([]);
  });
});

describe('allowlist-sync handler: refused updates', () => {
  it('a set-source webhook with an invalid CIDR is refused with 422; nothing stored, nothing written', async () => {
    // Prepare
    const event = setSourceEvent('office-vpn', [
      { cidr: VPN.ip, description: 'vpn egress' },
      { cidr: '10.1.2.3/8', description: 'typo' },
    ]);
    // Act
    const answer = (await invoke(event)) as WebhookResponse;
    // Assess
    expect(answer.statusCode).toBe(422);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' });
    expect(answer.body).toContain('10.1.2.3/8');
    expect(await local().container.allowlistSources.list()).toEqual([]);
    expect(puts()).toBe(0);
    expect(local().events.events).toEqual([]);
  });

  it('a set-source webhook for a source the policy does not declare is refused with 422', async () => {
    // Prepare
    const event = setSourceEvent('partners', [{ cidr: '192.0.2.0/24', description: 'partner' }]);
    // Act
    const answer = (await invoke(event)) as WebhookResponse;
    // Assess
    expect(answer.statusCode).toBe(422);
    expect(answer.body).toContain("source 'partners' update refused");
    expect(await local().container.allowlistSources.list()).toEqual([]);
    expect(puts()).toBe(0);
  });

  it('a refused set-source from EventBridge is thrown as RequestRefusedError; nothing stored', async () => {
    // Prepare
    const event = eventBridgeEvent('allowlist-sync.set-source', {
      payload: { source: 'office-vpn', entries: [{ cidr: '0.0.0.0/0', description: 'everyone' }] },
    });
    // Act
    const err = await rejectionBy(RequestRefusedError, invoke(event));
    // Assess
    expect(err.message).toContain('whole internet');
    expect(await local().container.allowlistSources.list()).toEqual([]);
    expect(puts()).toBe(0);
  });
});

describe('allowlist-sync handler: bad input from a non-webhook trigger', () => {
  refusalTests(
    [
      {
        name: 'an unknown detail-type is thrown as a TriggerError and changes nothing',
        event: () => eventBridgeEvent('allowlist-sync.purge', {}),
        error: {
          message: expect.stringContaining('action: the allowlist-sync job accepts sync, set-source'),
        },
      },
      {
        name: 'a cluster.created event that names no cluster is thrown and changes nothing',
        event: () => eventBridgeEvent('cluster.created', { name: 'prod-new' }),
        error: { path: 'detail.clusterId' },
      },
      {
        name: 'a scheduler input without executionId is thrown and changes nothing',
        // The schedule's input template lost <aws.scheduler.execution-id>.
        event: () => {
          const { executionId: _dropped, ...event } = schedulerEvent(
            'allowlist-sync',
            'sync',
            '2026-11-27T02:00:00Z',
          );
          return event;
        },
        error: { message: expect.stringContaining('executionId') },
      },
    ],
    { local, invoke, stored: (env) => env.container.allowlistSources.list() },
  );
});

fileLog.scanAtEnd('allowlist-sync handler: logs', 'allowlist updated');
