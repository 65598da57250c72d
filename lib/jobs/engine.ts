// The run engine every job shares: delivery idempotency (ledger), per-cluster claims against
// overlapping runs, bounded concurrency, the time budget (deferred, never dropped), outcome recording,
// and the one summary → log, metrics, result event.
import { randomUUID } from 'node:crypto';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { describeError } from '#lib/log/describe-error.ts';
import { pascalCase } from './names.ts';
import { deferred, failed, skipped } from './outcomes.ts';
import type { JobDeps } from './ports.ts';
import {
  type ClusterOutcome,
  type Delivery,
  IdempotencyConflictError,
  type JobRequest,
  type OutcomeStatus,
  type RunSummary,
} from './types.ts';

export interface RunSettings {
  dryRun: boolean;
  concurrency: number;
  /** Stop starting cluster work when less than this is left. */
  timeMarginMs: number;
  /** The invocation's remaining time (Lambda context); unbounded when absent. */
  remainingTimeMs?: () => number;
  /** How long the ledger and the cluster claims are held (≥ the function timeout). */
  leaseMs: number;
  /** Restart a failed run with the same key (async retries) instead of answering its summary (webhooks). */
  retryFailed: boolean;
}

export type RunEngineDeps = Pick<JobDeps, 'ledger' | 'claims' | 'clock' | 'log' | 'metrics' | 'events'>;

/** What a use case gets: the request, the run's settings, and the per-cluster helper. */
export interface RunScope {
  request: JobRequest;
  delivery: Delivery;
  dryRun: boolean;
  /** Outcomes recorded by an earlier, failed attempt of this delivery. */
  previous: ReadonlyMap<string, ClusterOutcome>;
  /** Runs `work` for each cluster with claims, concurrency, time budget and recording. */
  forEachCluster<T extends { clusterId: string; clusterName: string }>(
    items: readonly T[],
    work: (item: T) => Promise<ClusterOutcome>,
  ): Promise<ClusterOutcome[]>;
  /** True while there is time left to start more work. */
  hasTime(): boolean;
}

export interface RunBody {
  clusters: ClusterOutcome[];
  notes?: string[];
  /** A run-level failure (e.g. the blast-radius guard): the run fails even if no cluster did. */
  failRun?: boolean;
}

/** A short, secret-free description of an error for a summary. */
export function errorText(err: unknown): string {
  return err instanceof ConsoleApiError ? err.message : describeError(err);
}

const FINAL: ReadonlySet<OutcomeStatus> = new Set(['done', 'skipped']);

export async function executeRun(
  deps: RunEngineDeps,
  request: JobRequest,
  delivery: Delivery,
  settings: RunSettings,
  body: (scope: RunScope) => Promise<RunBody>,
): Promise<RunSummary> {
  const { ledger, claims, clock, log, metrics } = deps;
  const key = delivery.idempotencyKey;
  const started = clock.now();
  const base = {
    job: request.job,
    action: request.action,
    idempotencyKey: key,
    trigger: delivery.source,
    dryRun: settings.dryRun,
  };

  const start = await ledger.start(key, request.job, request.action, {
    leaseMs: settings.leaseMs,
    retryFailed: settings.retryFailed,
    bodyDigest: delivery.bodyDigest,
  });
  if (start.kind === 'conflict') {
    log.warn('idempotency key reused for another request', {
      job: request.job,
      action: request.action,
      idempotencyKey: key,
      firstRoute: `${start.job}.${start.action}`,
      reason: start.reason,
    });
    metrics.count('IdempotencyConflicts');
    throw new IdempotencyConflictError(key, { job: start.job, action: start.action }, start.reason);
  }
  if (start.kind === 'completed') {
    log.info('delivery already handled', { job: request.job, action: request.action, idempotencyKey: key });
    metrics.count('RedeliveriesIgnored');
    return { ...start.summary, replayed: true };
  }
  if (start.kind === 'running') {
    log.info('delivery already running', { job: request.job, action: request.action, idempotencyKey: key });
    metrics.count('RedeliveriesIgnored');
    const now = new Date(clock.now()).toISOString();
    return {
      ...base,
      startedAt: now,
      finishedAt: now,
      counts: { done: 0, skipped: 0, failed: 0, deferred: 0 },
      clusters: [],
      notes: [`the same delivery is already running (since ${start.since}); nothing done`],
      failed: false,
      replayed: true,
    };
  }

  const previous = start.previous;
  const owner = `${key}#${randomUUID()}`;
  const hasTime = () => {
    const left = settings.remainingTimeMs?.();
    return left === undefined || left > settings.timeMarginMs;
  };

  // Every outcome forEachCluster produced, so a body that throws afterwards still reports what was done.
  const produced = new Map<string, ClusterOutcome>();
  const forEachCluster: RunScope['forEachCluster'] = async (items, work) => {
    const results: ClusterOutcome[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        const item = items[i] as (typeof items)[number];
        const outcome = await oneCluster(item, work);
        results[i] = outcome;
        produced.set(outcome.clusterId, outcome);
      }
    };
    const workers = Array.from({ length: Math.max(1, Math.min(settings.concurrency, items.length)) }, worker);
    await Promise.all(workers);
    return results;
  };

  const oneCluster = async <T extends { clusterId: string; clusterName: string }>(
    item: T,
    work: (item: T) => Promise<ClusterOutcome>,
  ): Promise<ClusterOutcome> => {
    const earlier = previous.get(item.clusterId);
    if (earlier && FINAL.has(earlier.status)) return earlier;
    if (!hasTime()) return deferred(item, 'time budget of this invocation used up');
    let claimed = false;
    try {
      claimed = await claims.claim(request.job, item.clusterId, owner, settings.leaseMs);
    } catch (err) {
      return record(failed(item, `could not claim cluster: ${errorText(err)}`));
    }
    if (!claimed) return skipped(item, 'another run of this job is working on this cluster');
    let outcome: ClusterOutcome;
    try {
      outcome = await work(item);
    } catch (err) {
      log.warn('cluster work failed', { clusterId: item.clusterId, error: errorText(err) });
      outcome = failed(item, errorText(err));
    }
    await record(outcome);
    await claims.release(request.job, item.clusterId, owner).catch((err) => {
      log.warn('cluster claim not released', { clusterId: item.clusterId, error: errorText(err) });
    });
    return outcome;
  };

  const record = async (outcome: ClusterOutcome): Promise<ClusterOutcome> => {
    if (outcome.status === 'deferred') return outcome;
    try {
      await ledger.recordOutcome(key, outcome);
    } catch (err) {
      log.warn('outcome not recorded', { clusterId: outcome.clusterId, error: errorText(err) });
    }
    return outcome;
  };

  let result: RunBody;
  try {
    result = await body({
      request,
      delivery,
      dryRun: settings.dryRun,
      previous,
      forEachCluster,
      hasTime,
    });
  } catch (err) {
    result = {
      clusters: [...produced.values()],
      notes: [`run failed before finishing: ${errorText(err)}`],
      failRun: true,
    };
  }

  const counts: Record<OutcomeStatus, number> = { done: 0, skipped: 0, failed: 0, deferred: 0 };
  for (const c of result.clusters) counts[c.status]++;
  const summary: RunSummary = {
    ...base,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(clock.now()).toISOString(),
    counts,
    clusters: result.clusters,
    notes: result.notes ?? [],
    failed: counts.failed > 0 || result.failRun === true,
  };
  await reportSummary(deps, summary);
  try {
    await ledger.finish(key, summary);
  } catch (err) {
    log.warn('run summary not stored', { error: errorText(err) });
  }
  return summary;
}

/** 'backup-created' → 'BackupCreated': one counter per kind of action done (the dashboard's figures). */
export function actionMetricName(action: string): string {
  return pascalCase(action);
}

/**
 * 'recreate' → 'HeartbeatRecreate': counted once by every run a schedule started (delivery source `schedule`),
 * whatever its outcome (dry runs too). The heartbeat alarm of each scheduled action (infra/constructs/
 * observability.ts) fires when it is missing for longer than the schedule's longest gap between runs.
 */
export function heartbeatMetricName(action: string): string {
  return `Heartbeat${pascalCase(action)}`;
}

/** Logs the one summary line, emits the counters, publishes the result event. */
async function reportSummary(deps: RunEngineDeps, summary: RunSummary): Promise<void> {
  const { log, metrics, events } = deps;
  const line = {
    job: summary.job,
    action: summary.action,
    idempotencyKey: summary.idempotencyKey,
    trigger: summary.trigger,
    dryRun: summary.dryRun,
    counts: summary.counts,
    notes: summary.notes,
    clusters: summary.clusters,
  };
  if (summary.failed) log.error('run failed', line);
  else log.info('run finished', line);
  metrics.count('Runs');
  if (summary.trigger === 'schedule') metrics.count(heartbeatMetricName(summary.action));
  if (summary.failed) metrics.count('RunsFailed');
  for (const [status, n] of Object.entries(summary.counts)) {
    if (n > 0) metrics.count(`Clusters${status[0]?.toUpperCase()}${status.slice(1)}`, n);
  }
  for (const c of summary.clusters) {
    if (c.status === 'done') metrics.count(actionMetricName(c.action));
  }
  try {
    await events.publish(
      `${summary.job}.${summary.action}.result`,
      summary as unknown as Record<string, unknown>,
    );
  } catch (err) {
    log.warn('result event not published', { error: errorText(err) });
    metrics.count('ResultEventsFailed');
  }
}
