// Builders and constants the state-contract modules share, also used by tests that check the stored layout
// and the summary codec directly.
import { createHash } from 'node:crypto';
import type { ClusterSnapshot, KeepAlive, LedgerStart } from '#lib/jobs/ports.ts';
import type { ClusterOutcome, RunSummary } from '#lib/jobs/types.ts';

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
export const LEASE = { leaseMs: 15 * 60_000 };

export const done = (clusterId: string, extra: Record<string, unknown> = {}): ClusterOutcome => ({
  clusterId,
  clusterName: `name-${clusterId}`,
  status: 'done',
  action: 'backup-created',
  ...(Object.keys(extra).length ? { detail: extra } : {}),
});

export const failed = (clusterId: string): ClusterOutcome => ({
  clusterId,
  clusterName: `name-${clusterId}`,
  status: 'failed',
  error: 'ConsoleApiError: 503 from POST /clusters/x/backups',
});

export function summaryOf(key: string, clusters: ClusterOutcome[], notes: string[] = []): RunSummary {
  const counts = { done: 0, skipped: 0, failed: 0, deferred: 0 };
  for (const c of clusters) counts[c.status]++;
  return {
    job: 'backup',
    action: 'run',
    idempotencyKey: key,
    trigger: 'schedule',
    dryRun: false,
    startedAt: '2026-11-27T02:00:00.000Z',
    finishedAt: '2026-11-27T02:01:00.000Z',
    counts,
    clusters,
    notes,
    failed: counts.failed > 0,
  };
}

export function snapshotOf(name: string, overrides: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    clusterId: `id-${name}`,
    name,
    description: 'dev cluster',
    labels: ['dev', 'team-a'],
    planType: { uuid: 'plan-1', name: 'Enterprise' },
    region: { uuid: 'reg-1', name: 'Europe West 1' },
    channel: { uuid: 'ch-1', name: 'Stable' },
    generation: { uuid: 'gen-1', name: '8.6.0' },
    allowlist: [{ description: 'office', ip: '203.0.113.0/24' }],
    takenAt: '2026-11-26T22:00:00.000Z',
    teardownKey: 'teardown:run:2026-11-26T22:00:00Z',
    status: 'deleted',
    updatedAt: '2026-11-26T22:00:00.000Z',
    ...overrides,
  };
}

/** Alice's keep-alive of `cluster`, set at `now` for an hour. */
export function keepAliveOf(cluster: string, now: number, overrides: Partial<KeepAlive> = {}): KeepAlive {
  return {
    cluster,
    until: new Date(now + HOUR).toISOString(),
    by: 'alice',
    reason: 'demo',
    setAt: new Date(now).toISOString(),
    ...overrides,
  };
}

/** Deterministic filler that gzip cannot shrink much (a SHA-256 stream as base64url). */
export function noise(length: number, seed: number): string {
  let out = '';
  for (let block = 0; out.length < length; block++) {
    out += createHash('sha256').update(`${seed}:${block}`).digest('base64url');
  }
  return out.slice(0, length);
}

/** The outcomes a start hands back, or undefined when the ledger did not start the run. */
export const started = (r: LedgerStart) => (r.kind === 'started' ? r.previous : undefined);

/** What a promise rejects with, or undefined when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return undefined;
}
