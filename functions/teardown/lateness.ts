// Stale and late deliveries: a scheduled notice, teardown or recreate delivered long after its scheduled
// time (a Lambda async retry hours later, the event queue drained after a kill switch is lifted) is refused:
// the night it was meant for has moved on, and a teardown at 03:00 or a recreate at noon surprises people.
// Only scheduled deliveries carry a scheduled time (`Delivery.at` = EventBridge Scheduler's
// <aws.scheduler.scheduled-time>); ad-hoc runs (webhook, event, direct) are bounded by the window budget and
// the notice instead (see window.ts).
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { RunBody, RunScope } from '#lib/jobs/engine.ts';
import type { TeardownDeps } from './plan.ts';

const MINUTE_MS = 60_000;

/** The refusal of a scheduled delivery later than `teardown.maxLatenessMinutes`, or undefined when it may run. */
export function lateDeliveryRefusal(
  scope: Pick<RunScope, 'delivery' | 'request'>,
  policy: Pick<TeardownPolicy, 'maxLatenessMinutes'>,
  now: number,
): RunBody | undefined {
  const { delivery } = scope;
  if (delivery.source !== 'schedule') return undefined;
  const scheduled = Date.parse(delivery.at);
  const limit = policy.maxLatenessMinutes;
  if (!Number.isFinite(scheduled)) {
    return {
      clusters: [],
      notes: [
        `scheduled ${scope.request.job} ${scope.request.action} has no readable scheduled time; refused`,
      ],
      failRun: true,
    };
  }
  const lateMs = now - scheduled;
  if (lateMs <= limit * MINUTE_MS) return undefined;
  const minutes = Math.floor(lateMs / MINUTE_MS);
  return {
    clusters: [],
    notes: [
      `scheduled ${scope.request.job} ${scope.request.action} for ${delivery.at} delivered ${minutes} minutes after its ` +
        `scheduled time (limit teardown.maxLatenessMinutes = ${limit}); refused — run it by hand if intended`,
    ],
    failRun: true,
  };
}

/** A teardown action (notice, run, recreate) as the handler calls it. */
export type TeardownAction = (
  deps: TeardownDeps,
  scope: RunScope,
  policy: TeardownPolicy,
  options?: { timeZone?: string },
) => Promise<RunBody>;

/** The action, refusing first a scheduled delivery that came too late. */
export function refusingLateDelivery(run: TeardownAction): TeardownAction {
  return async (deps, scope, policy, options) =>
    lateDeliveryRefusal(scope, policy, deps.clock.now()) ?? run(deps, scope, policy, options);
}
