// The evening notice: one `teardown.notice` event listing the clusters tonight's teardown plans to
// delete, so their owners can send a keep-alive in time. It changes nothing and claims no cluster.
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { RunBody, RunScope } from '#lib/jobs/engine.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { type Exclusion, NOT_RESTORED, planTeardown, type TeardownDeps } from './plan.ts';

export const NOTICE_EVENT = 'teardown.notice.sent';

export function excludedOutcome(e: Exclusion): ClusterOutcome {
  return {
    clusterId: e.cluster.uuid,
    clusterName: e.cluster.name,
    status: 'skipped',
    reason: e.reason,
    ...(e.detail ? { detail: e.detail } : {}),
  };
}

export function guardReason(candidates: number, max: number, deletedEarlier = 0): string {
  return deletedEarlier > 0
    ? `blast-radius guard: ${candidates + deletedEarlier} candidates (${deletedEarlier} already deleted by this delivery) > max ${max}`
    : `blast-radius guard: ${candidates} candidates > max ${max}`;
}

export async function runNotice(
  deps: TeardownDeps,
  scope: RunScope,
  policy: TeardownPolicy,
): Promise<RunBody> {
  if (!policy.enabled) return { clusters: [], notes: ['teardown is disabled in the policy; no notice sent'] };
  const plan = await planTeardown(deps, policy, scope.request.clusterIds);
  const plannedAt = new Date(deps.clock.now()).toISOString();
  const max = policy.maxDeletionsPerRun;
  const guardTrips = plan.candidates.length > max;
  const notes: string[] = [];
  if (guardTrips) {
    notes.push(`${guardReason(plan.candidates.length, max)}: tonight's teardown would delete none and fail`);
  }
  if (scope.dryRun) notes.push('dry run: tonight’s teardown will only report what it would delete');

  await deps.events.publish(NOTICE_EVENT, {
    plannedAt,
    dryRun: scope.dryRun,
    idempotencyKey: scope.delivery.idempotencyKey,
    clusters: plan.candidates.map((c) => ({
      id: c.uuid,
      name: c.name,
      labels: c.labels ?? [],
      notRestored: [...NOT_RESTORED],
    })),
    restored:
      'name, plan, region, channel, generation, description, backup region, autoUpdate, encryption type, ' +
      'connector secrets, API clients (new credentials, published), the current desired allowlist',
    excluded: plan.excluded.map((e) => ({ id: e.cluster.uuid, name: e.cluster.name, reason: e.reason })),
    maxDeletionsPerRun: max,
    guardWouldTrip: guardTrips,
    warning:
      'deleting a cluster deletes its data and its backups; the morning recreate brings back an empty cluster',
    keepAlive: {
      instructions:
        `to keep a cluster tonight, send the teardown 'keep-alive' action with {cluster, until, by, reason}; ` +
        `until is an ISO instant at most ${policy.keepAlive.maxHours} h ahead`,
      action: 'keep-alive',
      maxHours: policy.keepAlive.maxHours,
      payload: {
        cluster: '<cluster uuid or exact name>',
        until: '<ISO 8601 instant>',
        by: '<you>',
        reason: '<why>',
      },
    },
  });
  deps.log.info('teardown notice published', {
    candidates: plan.candidates.length,
    excluded: plan.excluded.length,
    guardWouldTrip: guardTrips,
  });

  const clusters: ClusterOutcome[] = [
    ...plan.candidates.map(
      (c): ClusterOutcome => ({
        clusterId: c.uuid,
        clusterName: c.name,
        status: 'done',
        action: 'teardown-planned',
        detail: { plannedAt, notRestored: [...NOT_RESTORED] },
      }),
    ),
    ...plan.excluded.map(excludedOutcome),
  ];
  return { clusters, notes };
}
