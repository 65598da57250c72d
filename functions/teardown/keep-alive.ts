// Keep-alive: keeps one cluster (uuid or exact name) out of the teardown until a time. It only ever
// prevents a deletion, so it is stored in a dry run too (a dry-run teardown then shows it honoured).
import { matchesSelector } from '#lib/config/selector.ts';
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { RunBody, RunScope } from '#lib/jobs/engine.ts';
import { done, failed, skipped, subjectOf } from '#lib/jobs/outcomes.ts';
import type { KeepAlive } from '#lib/jobs/ports.ts';
import type { ClusterOutcome, KeepAlivePayload } from '#lib/jobs/types.ts';
import { type TeardownDeps, TeardownError } from './plan.ts';

const HOUR_MS = 3_600_000;

function readPayload(payload: unknown): KeepAlivePayload {
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const missing = ['cluster', 'until', 'by', 'reason'].filter((k) => typeof p[k] !== 'string' || p[k] === '');
  if (missing.length > 0) throw new TeardownError(`keep-alive payload lacks ${missing.join(', ')}`);
  return p as unknown as KeepAlivePayload;
}

/**
 * Checks a keep-alive request against the policy before anything is read or written: a well-formed
 * payload, `until` in the future and at most `keepAlive.maxHours` ahead. Returns the payload and `until`.
 */
export function checkKeepAlive(
  payload: unknown,
  policy: TeardownPolicy,
  now: number,
): { payload: KeepAlivePayload; until: number } {
  const p = readPayload(payload);
  const until = Date.parse(p.until);
  if (!Number.isFinite(until))
    throw new TeardownError(`keep-alive until '${p.until}' is not an ISO 8601 instant`);
  if (until <= now) {
    throw new TeardownError(
      `keep-alive until ${p.until} is in the past (now ${new Date(now).toISOString()})`,
    );
  }
  const maxHours = policy.keepAlive.maxHours;
  if (until - now > maxHours * HOUR_MS) {
    throw new TeardownError(
      `keep-alive until ${p.until} is more than ${maxHours} h ahead (at most ${new Date(now + maxHours * HOUR_MS).toISOString()})`,
    );
  }
  return { payload: p, until };
}

export async function setKeepAlive(
  deps: TeardownDeps,
  scope: RunScope,
  policy: TeardownPolicy,
): Promise<RunBody> {
  const now = deps.clock.now();
  const { payload, until } = checkKeepAlive(scope.request.payload, policy, now);

  const clusters = await deps.console.listClusters();
  const byId = clusters.find((c) => c.uuid === payload.cluster);
  const matched = byId ? [byId] : clusters.filter((c) => c.name === payload.cluster);
  if (matched.length === 0) {
    return {
      clusters: [failed({ clusterId: payload.cluster, clusterName: payload.cluster }, 'no such cluster')],
      notes: [`keep-alive not stored: no cluster has the uuid or name '${payload.cluster}'`],
    };
  }

  const untilIso = new Date(until).toISOString();
  const kept = (longer: KeepAlive): RunBody => {
    deps.log.info('keep-alive not shortened', {
      cluster: payload.cluster,
      requested: untilIso,
      inForce: longer.until,
      by: longer.by,
    });
    const reason = `a keep-alive until ${longer.until} by ${longer.by} (${longer.reason}) is in force and lasts at least as long: kept`;
    return {
      clusters: matched.map((c) =>
        skipped(subjectOf(c), reason, {
          requested: { until: untilIso, by: payload.by, reason: payload.reason },
          keepAlive: { until: longer.until, by: longer.by, reason: longer.reason },
        }),
      ),
      notes: [`keep-alive for '${payload.cluster}' not stored: ${reason}`],
    };
  };
  // A keep-alive only ever prevents a deletion: one already in force for the same cluster (as named) that
  // lasts at least as long stays, so a later, shorter request cannot cut short someone else's. The check
  // here gives the common case its answer; the store's conditional write settles a race (longest wins).
  const longer = (await deps.keepAlives.listing(now)).keepAlives.find(
    (k) => k.cluster === payload.cluster && Date.parse(k.until) >= until,
  );
  if (longer) return kept(longer);
  const put = await deps.keepAlives.put({
    cluster: payload.cluster,
    until: untilIso,
    by: payload.by,
    reason: payload.reason,
    setAt: new Date(now).toISOString(),
  });
  if (!put.stored) {
    if (put.inForce) return kept(put.inForce);
    throw new TeardownError(
      `keep-alive for '${payload.cluster}' not stored: a stored keep-alive lasting at least as long could not be read`,
    );
  }
  deps.log.info('keep-alive set', { cluster: payload.cluster, until: untilIso, by: payload.by });

  const notes: string[] = [];
  if (matched.length > 1)
    notes.push(`the name '${payload.cluster}' matches ${matched.length} clusters: all are kept`);
  if (scope.dryRun) notes.push('dry run: the keep-alive is stored anyway (it only prevents deletions)');
  const clustersOut = matched.map((c): ClusterOutcome => {
    const selected = !policy.selector.all && matchesSelector(c, policy.selector);
    return done(subjectOf(c), 'keep-alive-set', {
      until: untilIso,
      by: payload.by,
      reason: payload.reason,
      ...(selected ? {} : { note: 'not selected by the teardown policy: it would not be torn down anyway' }),
    });
  });
  return { clusters: clustersOut, notes };
}
