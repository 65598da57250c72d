// The evening notice: one `teardown.notice` event listing the clusters tonight's teardown plans to
// delete, so their owners can send a keep-alive in time. It changes nothing and claims no cluster.
import { done, skipped, subjectOf } from '#lib/jobs/outcomes.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { refusingLateDelivery } from './lateness.ts';
import { type Exclusion, NOT_RESTORED, planTeardown, unreadableOutcome } from './plan.ts';
import { teardownWindowId } from './window.ts';

export const NOTICE_EVENT = 'teardown.notice.sent';

export function excludedOutcome(e: Exclusion): ClusterOutcome {
  return skipped(subjectOf(e.cluster), e.reason, e.detail);
}

export function guardReason(candidates: number, max: number, deletedEarlier = 0): string {
  return deletedEarlier > 0
    ? `blast-radius guard: ${candidates + deletedEarlier} candidates (${deletedEarlier} already deleted by this delivery) > max ${max}`
    : `blast-radius guard: ${candidates} candidates > max ${max}`;
}

export const runNotice = refusingLateDelivery(async function notice(deps, scope, policy, options = {}) {
  const plan = await planTeardown(deps, policy, scope.request.clusterIds);
  const plannedAt = new Date(deps.clock.now()).toISOString();
  const max = policy.maxDeletionsPerRun;
  const guardTrips = plan.candidates.length > max;
  const notes: string[] = [];
  if (guardTrips) {
    notes.push(`${guardReason(plan.candidates.length, max)}: tonight's teardown would delete none and fail`);
  }
  if (scope.dryRun) notes.push('dry run: tonight’s teardown will only report what it would delete');

  // The scheduled notice sets what ad-hoc runs of its window may delete (teardown.adHoc 'noticed-only'); a
  // notice sent by webhook, event or by hand is a preview and widens nothing.
  const windowId = teardownWindowId(deps.clock.now(), options.timeZone ?? 'UTC', policy.windowStartHour);
  if (scope.delivery.source === 'schedule') {
    await deps.teardownWindows.recordNotice(
      windowId,
      plan.candidates.map((c) => c.uuid),
      deps.clock.now(),
    );
  } else {
    notes.push(
      `ad-hoc notice: not recorded as the notice of teardown window ${windowId} (only the scheduled notice sets what ad-hoc runs may delete)`,
    );
  }

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
    excluded: [...plan.unreadable, ...plan.excluded].map((e) => ({
      id: e.cluster.uuid,
      name: e.cluster.name,
      reason: e.reason,
    })),
    maxDeletionsPerRun: max,
    window: { id: windowId, maxDeletionsPerWindow: policy.maxDeletionsPerWindow, adHoc: policy.adHoc },
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
    ...plan.candidates.map((c) =>
      done(subjectOf(c), 'teardown-planned', { plannedAt, notRestored: [...NOT_RESTORED] }),
    ),
    ...plan.unreadable.map(unreadableOutcome),
    ...plan.excluded.map(excludedOutcome),
  ];
  return { clusters, notes };
});
