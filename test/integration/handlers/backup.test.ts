// The backup Lambda handler, invoked with real event shapes for every trigger against the simulator
// and dynalite; each trigger delivered three times does the work once.
import { describe, expect, it } from 'vitest';
import { handler } from '#functions/backup/handler.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { RunFailedError } from '#lib/jobs/types.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { eventBridgeEvent, lambdaContext, schedulerEvent, webhookEvent } from '#local/env.ts';
import { useLocalEnv } from '#test/helpers/local-env.ts';
import { deliveredThreeTimes, firstOfThreeEventDeliveries } from '#test/helpers/run-readers.ts';

const POST_BACKUP = 'POST /clusters/{clusterUuid}/backups';
const invoke = (event: unknown) => handler(event, lambdaContext('backup'));

const local = useLocalEnv();

function posts(): number {
  return local().sim.stats.console.byRoute[POST_BACKUP] ?? 0;
}

describe('backup handler', () => {
  it('a schedule delivered three times creates each backup once', async () => {
    // Prepare
    const event = schedulerEvent('backup', 'run', '2026-11-27T02:00:00Z');
    // Act
    const [first, second, third] = await deliveredThreeTimes<RunSummary>(() => invoke(event));
    // Assess
    const created = first.clusters.filter((c) => c.status === 'done' && c.action === 'backup-created');
    expect(created.length).toBeGreaterThan(0);
    expect(posts()).toBe(created.length);
    expect(second.replayed).toBe(true);
    expect(third.replayed).toBe(true);
    expect(second.counts).toEqual(first.counts);
    expect(first.trigger).toBe('schedule');
    expect(first.idempotencyKey).toBe('backup:run:2026-11-27T02:00:00Z');
    // One result event per run, not per delivery.
    expect(local().events.events.filter((e) => e.detailType === 'backup.run.result')).toHaveLength(1);
    expect(local().counters.totals.BackupCreated).toBe(created.length);
  });

  it('an EventBridge event delivered three times creates each backup once, and selects only the policy clusters', async () => {
    // Prepare
    const event = eventBridgeEvent('backup.run', {});
    // Act
    const first = await firstOfThreeEventDeliveries(() => invoke(event));
    // Assess
    const names = first.clusters.map((c) => c.clusterName);
    expect(names.every((n) => n.startsWith('prod-') || n.startsWith('stage-'))).toBe(true);
    expect(posts()).toBe(first.counts.done);
  });

  it('a signed webhook answers 202 with the summary; the same webhook-id three times runs once', async () => {
    // Prepare
    const event = webhookEvent('backup', 'run', { dryRun: true });
    // Act
    const answers = await deliveredThreeTimes<WebhookResponse>(() => invoke(event));
    // Assess
    for (const a of answers) expect(a.statusCode).toBe(202);
    const bodies = answers.map((a) => JSON.parse(a.body) as RunSummary);
    expect(bodies[0]?.dryRun).toBe(true);
    expect(bodies[0]?.clusters.some((c) => c.status === 'done' && c.action === 'would-create-backup')).toBe(
      true,
    );
    expect(bodies[1]?.replayed).toBe(true);
    expect(bodies[2]?.clusters).toEqual(bodies[0]?.clusters);
    expect(posts()).toBe(0);
  });

  it('a webhook with a bad signature is refused with 401 and changes nothing', async () => {
    // Prepare
    const event = webhookEvent(
      'backup',
      'run',
      {},
      { secret: `whsec_${Buffer.from('not-the-right-key-000000').toString('base64')}` },
    );
    // Act
    const answer = (await invoke(event)) as WebhookResponse;
    // Assess
    expect(answer.statusCode).toBe(401);
    expect(local().sim.stats.console.requests).toBe(0);
    expect(local().events.events).toHaveLength(0);
  });

  it('fails the invocation after finishing the other clusters when one cluster fails, and a retry redoes only that one', async () => {
    // Prepare: the first backup POST answers 500 before doing anything.
    local().sim.faults.add({ route: POST_BACKUP, kind: 'status', status: 500, times: 1 });
    const event = schedulerEvent('backup', 'run', '2026-11-27T03:00:00Z');
    // Act
    const err = await invoke(event).catch((e: unknown) => e);
    const postsAfterFirst = posts();
    const retry = (await invoke(event)) as RunSummary;
    // Assess
    expect(err).toBeInstanceOf(RunFailedError);
    const failed = (err as RunFailedError).summary;
    expect(failed.counts.failed).toBe(1);
    expect(failed.counts.done).toBeGreaterThan(0);
    expect(retry.failed).toBe(false);
    // The retry made exactly one more POST: the failed cluster's.
    expect(posts()).toBe(postsAfterFirst + 1);
    expect(local().counters.totals.RunsFailed).toBe(1);
  });
});
