// The teardown Lambda handler (notice, run, recreate, keep-alive), invoked with real event shapes for every
// trigger against the simulator and dynalite: redeliveries do the work once, the evening-to-morning story
// holds end to end, the guard and refusals change nothing, and no secret reaches the logs.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '#functions/teardown/handler.ts';
import { desiredAllowlistFrom } from '#functions/teardown/restore.ts';
import type { ClusterOutcome, RunSummary } from '#lib/jobs/types.ts';
import { RunFailedError } from '#lib/jobs/types.ts';
import { TriggerError } from '#lib/triggers/errors.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import {
  allLogText,
  eventBridgeEvent,
  LOCAL_WEBHOOK_SECRET,
  type LocalEnv,
  type LocalEnvOptions,
  lambdaContext,
  minutesAgo,
  schedulerEvent,
  startLocalEnv,
  webhookEvent,
} from '#local/env.ts';
import type { RecordedLine } from '#local/recording-log.ts';

const DELETE_CLUSTER = 'DELETE /clusters/{clusterUuid}';
const CREATE_CLUSTER = 'POST /clusters';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The simulator's create time here (simulated: the test moves the clock, it never waits). */
const CREATE_MS = 60_000;
/** An Enterprise dev cluster with an allowlist, so the recreate has rules to re-apply. */
const DEV_ENTERPRISE = 'dev-integration';
const DEV_ENTERPRISE_RULES = [
  { description: 'office', ip: '203.0.113.0/24' },
  { description: 'ci runners', ip: '198.51.100.0/24' },
];

const invoke = (event: unknown) => handler(event, lambdaContext('teardown'));

/** Time shared by the simulator and the container; a test moves it instead of sleeping. */
let offset = 0;
const now = () => Date.now() + offset;
/** A scheduled time `minutes` before the test's now (late scheduled deliveries are refused). */
const ago = (minutes: number) => minutesAgo(minutes, now);

let local: LocalEnv;
/** Every line logged by every test of this file, with the secrets each test's environment used. */
const fileLog: { lines: RecordedLine[]; secrets: string[] } = { lines: [], secrets: [] };

async function start(options: LocalEnvOptions = {}): Promise<LocalEnv> {
  // The first recreate does not wait for Healthy here, so the story shows the follow-up run finishing.
  const env = await startLocalEnv({
    now,
    ...options,
    config: { teardown: { recreate: { waitForHealthySeconds: 0 } }, ...options.config },
    sim: { now, clusterCreateMs: CREATE_MS, ...options.sim },
  });
  env.sim.state.addCluster({
    name: DEV_ENTERPRISE,
    plan: 'Enterprise S',
    created: now() - 30 * DAY,
    labels: ['env-dev', 'team-integration'],
    description: 'Integration team development cluster',
    ipallowlist: DEV_ENTERPRISE_RULES.map((r) => ({ ...r })),
  });
  return env;
}

beforeEach(async () => {
  offset = 0;
  local = await start();
});
afterEach(async () => {
  await collectLog(local);
  await local.close();
});

/** Keeps this environment's log lines and the secrets (client secret, webhook secret, access token) it knew. */
async function collectLog(env: LocalEnv): Promise<void> {
  const secrets = [env.sim.clientSecret, LOCAL_WEBHOOK_SECRET, LOCAL_WEBHOOK_SECRET.slice('whsec_'.length)];
  if (env.sim.stats.auth.issued > 0) secrets.push(await env.container.tokens.getToken());
  fileLog.lines.push(...env.log.lines);
  fileLog.secrets.push(...secrets);
}

function routeCount(route: string): number {
  return local.sim.stats.console.byRoute[route] ?? 0;
}

function byName(summary: RunSummary, name: string): ClusterOutcome | undefined {
  return summary.clusters.find((c) => c.clusterName === name);
}

function detailOf(summary: RunSummary, name: string): Record<string, unknown> | undefined {
  const outcome = byName(summary, name);
  return outcome && 'detail' in outcome ? outcome.detail : undefined;
}

function doneWith(summary: RunSummary, action: string): string[] {
  return summary.clusters
    .filter((c) => c.status === 'done' && c.action === action)
    .map((c) => c.clusterName)
    .sort();
}

function keepAliveBody(cluster: string, until: string) {
  return { payload: { cluster, until, by: 'alice', reason: 'demo tomorrow morning' } };
}

function bodyOf(answer: unknown): RunSummary {
  return JSON.parse((answer as WebhookResponse).body) as RunSummary;
}

describe('teardown handler: redelivery', () => {
  it('a schedule delivered three times deletes each cluster once', async () => {
    // Prepare
    const event = schedulerEvent('teardown', 'run', ago(1));
    // Act
    const first = (await invoke(event)) as RunSummary;
    const requestsAfterFirst = local.sim.stats.console.requests;
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
    expect(local.sim.stats.console.requests).toBe(requestsAfterFirst);
    expect(local.events.events.filter((e) => e.detailType === 'teardown.run.result')).toHaveLength(1);
    expect(local.counters.totals.ClusterDeleted).toBe(deleted.length);
  });

  it('an EventBridge event delivered three times deletes each cluster once', async () => {
    // Prepare: tonight's scheduled notice (an ad-hoc run deletes only noticed clusters).
    await invoke(schedulerEvent('teardown', 'notice', ago(5)));
    const event = eventBridgeEvent('teardown.run', {});
    // Act
    const results = [await invoke(event), await invoke(event), await invoke(event)] as RunSummary[];
    // Assess
    const first = results[0] as RunSummary;
    expect(first.trigger).toBe('eventbridge');
    expect(first.idempotencyKey).toBe(event.id);
    expect(doneWith(first, 'cluster-deleted')).toHaveLength(4);
    expect(routeCount(DELETE_CLUSTER)).toBe(4);
    expect(results.slice(1).map((r) => r.replayed)).toEqual([true, true]);
    expect((await local.container.snapshots.list()).map((s) => s.name).sort()).toEqual(
      doneWith(first, 'cluster-deleted'),
    );
  });

  it('a signed webhook delivered three times answers 202 each time and deletes each cluster once', async () => {
    // Prepare: tonight's scheduled notice (an ad-hoc run deletes only noticed clusters).
    await invoke(schedulerEvent('teardown', 'notice', ago(5)));
    const event = webhookEvent('teardown', 'run', {});
    // Act
    const answers = [await invoke(event), await invoke(event), await invoke(event)] as WebhookResponse[];
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
    const first = (await invoke(event)) as RunSummary;
    const second = (await invoke(event)) as RunSummary;
    const third = (await invoke(event)) as RunSummary;
    // Assess
    expect(doneWith(first, 'cluster-recreated')).toHaveLength(4);
    expect(routeCount(CREATE_CLUSTER)).toBe(4);
    expect([second.replayed, third.replayed]).toEqual([true, true]);
    for (const name of ['dev-integration', 'dev-orders', 'dev-payments', 'dev-sandbox-bob']) {
      expect([...local.sim.state.clusters.values()].filter((c) => c.name === name)).toHaveLength(1);
    }
  });

  it('a keep-alive webhook delivered three times stores one keep-alive and answers the first summary', async () => {
    // Prepare
    const until = new Date(now() + 12 * HOUR).toISOString();
    const event = webhookEvent('teardown', 'keep-alive', keepAliveBody('dev-orders', until));
    // Act
    const answers = [await invoke(event), await invoke(event), await invoke(event)] as WebhookResponse[];
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202]);
    const bodies = answers.map(bodyOf);
    expect(doneWith(bodies[0] as RunSummary, 'keep-alive-set')).toEqual(['dev-orders']);
    expect(bodies.slice(1).map((b) => b.replayed)).toEqual([true, true]);
    // Each delivery's precheck looks the cluster up (read-only); only the first ran the action (one more listing).
    expect(routeCount('GET /clusters')).toBe(4);
    const stored = await local.container.keepAlives.active(0);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ cluster: 'dev-orders', until, by: 'alice' });
  });
});

describe('teardown handler: the night and the morning after', () => {
  it('notice, keep-alive by webhook, teardown with snapshots, recreate with the allowlist re-applied', async () => {
    // Act 1: the evening notice (EventBridge Scheduler).
    const notice = (await invoke(schedulerEvent('teardown', 'notice', ago(40)))) as RunSummary;
    // Assess 1: one notice event listing tonight's candidates; the young sandbox is left out with its reason.
    const noticeEvents = local.events.events.filter((e) => e.detailType === 'teardown.notice.sent');
    expect(noticeEvents).toHaveLength(1);
    const noticeDetail = noticeEvents[0]?.detail ?? {};
    const planned = ((noticeDetail.clusters ?? []) as Array<{ name: string }>).map((c) => c.name).sort();
    expect(planned).toEqual(['dev-integration', 'dev-orders', 'dev-payments', 'dev-sandbox-bob']);
    expect(noticeDetail.guardWouldTrip).toBe(false);
    expect(byName(notice, 'dev-sandbox-alice')).toMatchObject({
      status: 'skipped',
      reason: 'younger than 4 h',
    });
    expect(routeCount(DELETE_CLUSTER)).toBe(0);

    // Act 2: the owner of dev-orders keeps it by signed webhook.
    const until = new Date(now() + 14 * HOUR).toISOString();
    const kept = (await invoke(
      webhookEvent('teardown', 'keep-alive', keepAliveBody('dev-orders', until)),
    )) as WebhookResponse;
    // Assess 2
    expect(kept.statusCode).toBe(202);
    expect(doneWith(bodyOf(kept), 'keep-alive-set')).toEqual(['dev-orders']);

    // Act 3: the nightly teardown (EventBridge Scheduler).
    const teardown = (await invoke(schedulerEvent('teardown', 'run', ago(30)))) as RunSummary;
    // Assess 3: the keep-alive is honoured, the others are deleted, each with a snapshot to come back from.
    expect(teardown.failed).toBe(false);
    expect(byName(teardown, 'dev-orders')).toMatchObject({ status: 'skipped' });
    expect((byName(teardown, 'dev-orders') as { reason: string }).reason).toContain('keep-alive until');
    const deleted = doneWith(teardown, 'cluster-deleted');
    expect(deleted).toEqual(['dev-integration', 'dev-payments', 'dev-sandbox-bob']);
    expect(routeCount(DELETE_CLUSTER)).toBe(3);
    for (const name of deleted) expect(local.sim.state.clusterByName(name)).toBeUndefined();
    expect(local.sim.state.clusterByName('dev-orders')).toBeDefined();
    const snapshots = await local.container.snapshots.list();
    expect(snapshots.map((s) => [s.name, s.status])).toEqual(deleted.map((name) => [name, 'deleted']).sort());
    const integration = snapshots.find((s) => s.name === DEV_ENTERPRISE);
    expect(integration?.allowlist).toEqual(DEV_ENTERPRISE_RULES);
    expect(integration?.labels).toEqual(['env-dev', 'team-integration']);

    // Act 4: the morning recreate (EventBridge Scheduler); the clusters are still being created after it.
    const recreate = (await invoke(schedulerEvent('teardown', 'recreate', ago(20)))) as RunSummary;
    // Assess 4
    expect(doneWith(recreate, 'cluster-recreated')).toEqual(deleted);
    expect(routeCount(CREATE_CLUSTER)).toBe(3);
    expect(detailOf(recreate, DEV_ENTERPRISE)).toMatchObject({ allowlist: 'pending' });
    const resultEvents = local.events.events.filter((e) => e.detailType === 'teardown.recreate.result');
    expect(resultEvents).toHaveLength(1);

    // Act 5: the creations finish; a second recreate run (custom EventBridge event) re-applies the allowlist.
    offset += CREATE_MS + 1_000;
    const restore = (await invoke(eventBridgeEvent('teardown.recreate', {}))) as RunSummary;
    // Assess 5: the new dev-integration carries the CURRENT desired allowlist (computed as the allowlist sync
    // does, never the teardown-time copy), every snapshot is done, nothing created twice.
    expect(doneWith(restore, 'cluster-finished')).toEqual(deleted);
    expect(detailOf(restore, DEV_ENTERPRISE)).toMatchObject({ allowlist: 'current desired state' });
    const desired = await desiredAllowlistFrom(
      local.container,
      local.config.allowlist,
    )(local.sim.state.renderCluster(local.sim.state.cluster(DEV_ENTERPRISE)));
    expect(routeCount(CREATE_CLUSTER)).toBe(3);
    const reborn = local.sim.state.clusterByName(DEV_ENTERPRISE);
    expect(reborn?.uuid).not.toBe(integration?.clusterId);
    expect(reborn?.status?.ready).toBe('Healthy');
    expect(desired.kind).toBe('entries');
    expect(local.sim.state.allowlistOf(DEV_ENTERPRISE)).toEqual(
      desired.kind === 'entries' ? desired.entries : [],
    );
    expect((await local.container.snapshots.list()).map((s) => s.status)).toEqual(['done', 'done', 'done']);
    for (const name of deleted) {
      const created = detailOf(recreate, name)?.newClusterId;
      expect(created).toEqual(expect.any(String));
      expect(local.sim.state.clusterByName(name)?.uuid).toBe(created);
    }
  });

  it('the blast-radius guard deletes none and fails the invocation', async () => {
    // Prepare: at most two deletions per run; tonight has four candidates.
    await local.close();
    local = await start({ config: { teardown: { maxDeletionsPerRun: 2 } } });
    const event = schedulerEvent('teardown', 'run', ago(1));
    // Act
    const err = await invoke(event).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(RunFailedError);
    const summary = (err as RunFailedError).summary;
    expect(summary.failed).toBe(true);
    expect(summary.counts.done).toBe(0);
    expect(summary.notes.join(' ')).toContain('blast-radius guard: 4 candidates > max 2');
    expect(routeCount(DELETE_CLUSTER)).toBe(0);
    expect(local.sim.state.clusterByName('dev-payments')).toBeDefined();
    expect(await local.container.snapshots.list()).toEqual([]);
    expect(local.counters.totals.RunsFailed).toBe(1);
    const result = local.events.events.find((e) => e.detailType === 'teardown.run.result');
    expect(result?.detail.failed).toBe(true);
  });

  it('a dry-run teardown reports what it would delete and deletes nothing', async () => {
    // Prepare: tonight's scheduled notice (an ad-hoc run deletes only noticed clusters).
    await invoke(schedulerEvent('teardown', 'notice', ago(5)));
    const event = eventBridgeEvent('teardown.run', { dryRun: true });
    // Act
    const summary = (await invoke(event)) as RunSummary;
    // Assess
    expect(summary.dryRun).toBe(true);
    expect(doneWith(summary, 'would-delete-cluster')).toEqual([
      'dev-integration',
      'dev-orders',
      'dev-payments',
      'dev-sandbox-bob',
    ]);
    expect(routeCount(DELETE_CLUSTER)).toBe(0);
    expect(await local.container.snapshots.list()).toEqual([]);
    expect(local.sim.state.clusterByName('dev-payments')).toBeDefined();
  });

  it('a keep-alive webhook with until in the past is refused with 422 and stores nothing', async () => {
    // Prepare
    const past = new Date(now() - HOUR).toISOString();
    const event = webhookEvent('teardown', 'keep-alive', keepAliveBody('dev-orders', past));
    // Act
    const answer = (await invoke(event)) as WebhookResponse;
    // Assess
    expect(answer.statusCode).toBe(422);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' });
    expect(answer.body).toContain('in the past');
    expect(await local.container.keepAlives.active(0)).toEqual([]);
    expect(local.sim.stats.console.requests).toBe(0);
    expect(local.events.events).toEqual([]);
  });

  it('a keep-alive for a cluster that does not exist is refused with 422 and stores nothing', async () => {
    // Prepare
    const until = new Date(now() + HOUR).toISOString();
    const event = webhookEvent('teardown', 'keep-alive', keepAliveBody('dev-typo', until));
    // Act
    const answer = (await invoke(event)) as WebhookResponse;
    // Assess
    expect(answer.statusCode).toBe(422);
    expect(answer.body).toContain("no cluster has the uuid or name 'dev-typo'");
    expect(await local.container.keepAlives.active(0)).toEqual([]);
    expect(local.events.events).toEqual([]);
    expect(local.counters.totals.RunsFailed).toBeUndefined();
  });

  it('a keep-alive further ahead than keepAlive.maxHours is refused with 422', async () => {
    // Prepare
    const tooFar = new Date(now() + 30 * HOUR).toISOString();
    const event = webhookEvent('teardown', 'keep-alive', keepAliveBody('dev-orders', tooFar));
    // Act
    const answer = (await invoke(event)) as WebhookResponse;
    // Assess
    expect(answer.statusCode).toBe(422);
    expect(answer.body).toContain('more than 24 h ahead');
    expect(await local.container.keepAlives.active(0)).toEqual([]);
  });
});

describe('teardown handler: bad input from a non-webhook trigger', () => {
  it('an unknown detail-type is thrown as a TriggerError and changes nothing', async () => {
    // Prepare
    const event = eventBridgeEvent('teardown.explode', {});
    // Act
    const err = await invoke(event).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(TriggerError);
    expect((err as TriggerError).message).toContain(
      'action: the teardown job accepts notice, run, recreate, keep-alive',
    );
    expect(local.sim.stats.console.requests).toBe(0);
    expect(local.events.events).toEqual([]);
  });

  it("an event for another job's action is thrown and changes nothing", async () => {
    // Prepare
    const event = eventBridgeEvent('backup.run', {});
    // Act
    const err = await invoke(event).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(TriggerError);
    expect((err as TriggerError).message).toContain('this function runs the teardown job, not backup');
    expect(local.sim.stats.console.requests).toBe(0);
  });

  it('a scheduler input without a valid scheduledTime is thrown and changes nothing', async () => {
    // Prepare: the schedule's input template lost <aws.scheduler.scheduled-time>.
    const event = { ...schedulerEvent('teardown', 'run', '2026-11-27T20:00:00Z'), scheduledTime: 'tonight' };
    // Act
    const err = await invoke(event).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(TriggerError);
    expect((err as TriggerError).status).toBe(400);
    expect((err as TriggerError).message).toContain('scheduledTime');
    expect(local.sim.stats.console.requests).toBe(0);
    expect(await local.container.snapshots.list()).toEqual([]);
  });

  it('a scheduler input with an unknown field is thrown and deletes nothing', async () => {
    // Prepare
    const event = { ...schedulerEvent('teardown', 'run', '2026-11-27T20:00:00Z'), force: true };
    // Act
    const err = await invoke(event).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(TriggerError);
    expect((err as TriggerError).message).toContain('unknown field force');
    expect(routeCount(DELETE_CLUSTER)).toBe(0);
    expect(local.sim.stats.console.requests).toBe(0);
  });
});

describe('teardown handler: logs', () => {
  it('no line logged by this file holds the client secret, the webhook secret or an access token', () => {
    // Prepare: every earlier test of this file added its lines and secrets in afterEach.
    const text = allLogText(fileLog.lines);
    // Assess: the scan covers real runs (so it could have found something) …
    expect(fileLog.lines.some((l) => l.message === 'run finished')).toBe(true);
    expect(fileLog.secrets.filter((s) => s.startsWith('eyJ')).length).toBeGreaterThan(0);
    // … and finds no secret, and nothing shaped like a JWT.
    for (const secret of fileLog.secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/eyJ[\w-]{4,}\.[\w-]{4,}\./);
  });
});
