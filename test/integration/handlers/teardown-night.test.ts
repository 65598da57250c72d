// The teardown Lambda handler's evening-to-morning story against the simulator and dynalite: notice,
// keep-alive by webhook, teardown with snapshots, recreate with the allowlist re-applied; the blast-radius
// guard, a dry run and refused keep-alives change nothing; and no secret reaches the logs.
import { describe, expect, it } from 'vitest';
import { desiredAllowlistFrom } from '#functions/teardown/restore.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { RunFailedError } from '#lib/jobs/types.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { eventBridgeEvent, schedulerEvent, webhookEvent } from '#local/env.ts';
import { bodyOf, detailOf, doneWith, outcomeByName } from '#test/helpers/run-readers.ts';
import { rejectionBy } from '#test/helpers/thrown.ts';
import {
  CREATE_CLUSTER,
  CREATE_MS,
  DELETE_CLUSTER,
  DEV_ENTERPRISE,
  DEV_ENTERPRISE_RULES,
  HOUR,
  invoke,
  keepAliveBody,
  useTeardownEnv,
} from '#test/integration/handlers/teardown-env.ts';

const { local, now, ago, advance, restart, routeCount, fileLog } = useTeardownEnv();
/** What tonight's notice plans and a run deletes, sorted: the old dev clusters (dev-sandbox-alice is too young). */
const TONIGHTS_TEARDOWN = [DEV_ENTERPRISE, 'dev-orders', 'dev-payments', 'dev-sandbox-bob'];

describe('teardown handler: the night and the morning after', () => {
  it('notice, keep-alive by webhook, teardown with snapshots, recreate with the allowlist re-applied', async () => {
    // Act 1: the evening notice (EventBridge Scheduler).
    const notice = (await invoke(schedulerEvent('teardown', 'notice', ago(40)))) as RunSummary;
    // Assess 1: one notice event listing tonight's candidates; the young sandbox is left out with its reason.
    const noticeEvents = local().events.events.filter((e) => e.detailType === 'teardown.notice.sent');
    expect(noticeEvents).toHaveLength(1);
    const noticeDetail = noticeEvents[0]?.detail ?? {};
    const planned = ((noticeDetail.clusters ?? []) as Array<{ name: string }>).map((c) => c.name).sort();
    expect(planned).toEqual(TONIGHTS_TEARDOWN);
    expect(noticeDetail.guardWouldTrip).toBe(false);
    expect(outcomeByName(notice, 'dev-sandbox-alice')).toMatchObject({
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
    expect(outcomeByName(teardown, 'dev-orders')).toMatchObject({ status: 'skipped' });
    expect((outcomeByName(teardown, 'dev-orders') as { reason: string }).reason).toContain(
      'keep-alive until',
    );
    const deleted = doneWith(teardown, 'cluster-deleted');
    expect(deleted).toEqual(['dev-integration', 'dev-payments', 'dev-sandbox-bob']);
    expect(routeCount(DELETE_CLUSTER)).toBe(3);
    for (const name of deleted) expect(local().sim.state.clusterByName(name)).toBeUndefined();
    expect(local().sim.state.clusterByName('dev-orders')).toBeDefined();
    const snapshots = await local().container.snapshots.list();
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
    const resultEvents = local().events.events.filter((e) => e.detailType === 'teardown.recreate.result');
    expect(resultEvents).toHaveLength(1);

    // Act 5: the creations finish; a second recreate run (custom EventBridge event) re-applies the allowlist.
    advance(CREATE_MS + 1_000);
    const restore = (await invoke(eventBridgeEvent('teardown.recreate', {}))) as RunSummary;
    // Assess 5: the new dev-integration carries the CURRENT desired allowlist (computed as the allowlist sync
    // does, never the teardown-time copy), every snapshot is done, nothing created twice.
    expect(doneWith(restore, 'cluster-finished')).toEqual(deleted);
    expect(detailOf(restore, DEV_ENTERPRISE)).toMatchObject({ allowlist: 'current desired state' });
    const desired = await desiredAllowlistFrom(
      local().container,
      local().config.allowlist,
    )(local().sim.state.renderCluster(local().sim.state.cluster(DEV_ENTERPRISE)));
    expect(routeCount(CREATE_CLUSTER)).toBe(3);
    const reborn = local().sim.state.clusterByName(DEV_ENTERPRISE);
    expect(reborn?.uuid).not.toBe(integration?.clusterId);
    expect(reborn?.status?.ready).toBe('Healthy');
    expect(desired.kind).toBe('entries');
    expect(local().sim.state.allowlistOf(DEV_ENTERPRISE)).toEqual(
      desired.kind === 'entries' ? desired.entries : [],
    );
    expect((await local().container.snapshots.list()).map((s) => s.status)).toEqual(['done', 'done', 'done']);
    for (const name of deleted) {
      const created = detailOf(recreate, name)?.newClusterId;
      expect(created).toEqual(expect.any(String));
      expect(local().sim.state.clusterByName(name)?.uuid).toBe(created);
    }
  });

  it('the blast-radius guard deletes none and fails the invocation', async () => {
    // Prepare: at most two deletions per run; tonight has four candidates.
    await restart({ config: { teardown: { maxDeletionsPerRun: 2 } } });
    const event = schedulerEvent('teardown', 'run', ago(1));
    // Act
    const err = await rejectionBy(RunFailedError, invoke(event));
    // Assess
    const summary = err.summary;
    expect(summary.failed).toBe(true);
    expect(summary.counts.done).toBe(0);
    expect(summary.notes.join(' ')).toContain('blast-radius guard: 4 candidates > max 2');
    expect(routeCount(DELETE_CLUSTER)).toBe(0);
    expect(local().sim.state.clusterByName('dev-payments')).toBeDefined();
    expect(await local().container.snapshots.list()).toEqual([]);
    expect(local().counters.totals.RunsFailed).toBe(1);
    const result = local().events.events.find((e) => e.detailType === 'teardown.run.result');
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
    expect(doneWith(summary, 'would-delete-cluster')).toEqual(TONIGHTS_TEARDOWN);
    expect(routeCount(DELETE_CLUSTER)).toBe(0);
    expect(await local().container.snapshots.list()).toEqual([]);
    expect(local().sim.state.clusterByName('dev-payments')).toBeDefined();
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
    expect(await local().container.keepAlives.active(0)).toEqual([]);
    expect(local().sim.stats.console.requests).toBe(0);
    expect(local().events.events).toEqual([]);
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
    expect(await local().container.keepAlives.active(0)).toEqual([]);
    expect(local().events.events).toEqual([]);
    expect(local().counters.totals.RunsFailed).toBeUndefined();
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
    expect(await local().container.keepAlives.active(0)).toEqual([]);
  });
});

fileLog.scanAtEnd('teardown handler: logs', 'run finished');
