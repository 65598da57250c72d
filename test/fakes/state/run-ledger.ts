// The in-memory RunLedger: leases judged by the injected clock, outcomes kept per cluster, the summary stored
// as the adapter stores it (summary-codec), and a key's route and body held so reuse is a conflict.
import type { RunLedger, RunState } from '#lib/jobs/ports.ts';
import type { ClusterOutcome, RunSummary } from '#lib/jobs/types.ts';
import { StateStoreError } from '#lib/state/errors.ts';
import { isExpiredAt, outcomeKey, RETENTION_MS, runKey } from '#lib/state/keys.ts';
import { decodeSummary, encodeSummary, fitOutcome } from '#lib/state/summary-codec.ts';
import { ttlSeconds } from '#lib/state/table.ts';
import { byKey, type Clock, type Enter, live, type Stored } from './storage.ts';

/** The run record as the ledger holds it (for assertions). */
export interface RunRecordView {
  status: 'accepted' | 'running' | 'completed';
  job?: string;
  action?: string;
  startedAt?: string;
  leaseUntil?: number;
  attempts: number;
  failed?: boolean;
  /** The summary as stored (possibly reduced, see lib/state/summary-codec.ts). */
  summary?: RunSummary;
  outcomes: ClusterOutcome[];
}

interface RunRecord {
  status: 'accepted' | 'running' | 'completed';
  job?: string;
  action?: string;
  startedAt?: string;
  leaseUntil?: number;
  bodyDigest?: string;
  attempts: number;
  failed?: boolean;
  summary?: Uint8Array;
  ttl: number;
}

function recordState(record: RunRecord): RunState {
  if (record.status === 'completed') return record.failed === true ? 'failed' : 'completed';
  return record.status;
}

export function memoryRunLedger(
  clock: Clock,
  enter: Enter,
): { ledger: RunLedger; view(idempotencyKey: string): RunRecordView | undefined } {
  const runs = new Map<string, RunRecord>();
  const outcomes = new Map<string, Map<string, Stored<string>>>();

  const liveOutcomes = (key: string, now: number): Map<string, ClusterOutcome> => {
    const previous = new Map<string, ClusterOutcome>();
    const entries = [...(outcomes.get(key) ?? new Map<string, Stored<string>>()).entries()].sort(([a], [b]) =>
      byKey(a, b),
    );
    for (const [, entry] of entries) {
      const data = live(entry, now);
      if (data === undefined) continue;
      const outcome = JSON.parse(data) as ClusterOutcome;
      previous.set(outcome.clusterId, outcome);
    }
    return previous;
  };

  const ledger: RunLedger = {
    async start(key, job, action, { leaseMs, retryFailed, bodyDigest }) {
      enter('ledger.start');
      runKey('ledger.start', key);
      const now = clock.now();
      const existing = runs.get(key);
      const expired = existing !== undefined && isExpiredAt(existing.ttl, now);
      if (existing && !expired) {
        const first = { job: existing.job ?? '', action: existing.action ?? '' };
        if (first.job !== job || first.action !== action) {
          return { kind: 'conflict', ...first, reason: 'route' };
        }
        if (bodyDigest !== undefined && existing.bodyDigest !== bodyDigest) {
          return { kind: 'conflict', ...first, reason: 'body' };
        }
      }
      const begin = (previous: Map<string, ClusterOutcome>) => {
        runs.set(key, {
          status: 'running',
          job,
          action,
          startedAt: new Date(now).toISOString(),
          leaseUntil: now + leaseMs,
          bodyDigest: bodyDigest ?? (expired ? undefined : existing?.bodyDigest),
          attempts: (existing?.attempts ?? 0) + 1,
          ttl: ttlSeconds(now + leaseMs + RETENTION_MS.run),
        });
        return { kind: 'started' as const, previous };
      };
      if (!existing) return begin(new Map());
      if (expired) {
        outcomes.delete(key);
        return begin(new Map());
      }
      if (existing.status === 'accepted') return begin(new Map());
      if (existing.status === 'running') {
        if ((existing.leaseUntil ?? 0) <= now) return begin(liveOutcomes(key, now));
        return { kind: 'running', since: existing.startedAt ?? new Date(now).toISOString() };
      }
      if (existing.failed === true && retryFailed) return begin(liveOutcomes(key, now));
      if (!existing.summary) {
        throw new StateStoreError('ledger.start', undefined, 'ledger.start: completed run has no summary');
      }
      return { kind: 'completed', summary: decodeSummary(existing.summary) };
    },

    async recordOutcome(key, outcome) {
      enter('ledger.recordOutcome');
      outcomeKey('ledger.recordOutcome', key, outcome.clusterId);
      const now = clock.now();
      let perRun = outcomes.get(key);
      if (!perRun) {
        perRun = new Map();
        outcomes.set(key, perRun);
      }
      perRun.set(outcome.clusterId, {
        value: JSON.stringify(fitOutcome(outcome)),
        ttl: ttlSeconds(now + RETENTION_MS.run),
      });
    },

    async accept(key, job, action, { bodyDigest }) {
      enter('ledger.accept');
      runKey('ledger.accept', key);
      const now = clock.now();
      const existing = runs.get(key);
      if (!existing || isExpiredAt(existing.ttl, now)) {
        outcomes.delete(key);
        runs.set(key, {
          status: 'accepted',
          job,
          action,
          bodyDigest,
          attempts: 0,
          ttl: ttlSeconds(now + RETENTION_MS.run),
        });
        return { kind: 'accepted', state: 'accepted' };
      }
      const first = { job: existing.job ?? '', action: existing.action ?? '' };
      if (first.job !== job || first.action !== action)
        return { kind: 'conflict', ...first, reason: 'route' };
      if (existing.bodyDigest !== bodyDigest) return { kind: 'conflict', ...first, reason: 'body' };
      return { kind: 'existing', state: recordState(existing) };
    },

    async get(key) {
      enter('ledger.get');
      runKey('ledger.get', key);
      const existing = runs.get(key);
      if (!existing || isExpiredAt(existing.ttl, clock.now())) return undefined;
      return {
        state: recordState(existing),
        job: existing.job ?? '',
        action: existing.action ?? '',
        ...(existing.summary ? { summary: decodeSummary(existing.summary) } : {}),
      };
    },

    async finish(key, summary) {
      enter('ledger.finish');
      runKey('ledger.finish', key);
      const now = clock.now();
      const existing = runs.get(key);
      runs.set(key, {
        ...(existing ?? { attempts: 0 }),
        status: 'completed',
        failed: summary.failed,
        summary: encodeSummary(summary),
        leaseUntil: undefined,
        ttl: ttlSeconds(now + RETENTION_MS.run),
      });
    },
  };

  return {
    ledger,
    view(key) {
      const record = runs.get(key);
      if (!record) return undefined;
      return {
        status: record.status,
        ...(record.job !== undefined ? { job: record.job } : {}),
        ...(record.action !== undefined ? { action: record.action } : {}),
        ...(record.startedAt !== undefined ? { startedAt: record.startedAt } : {}),
        ...(record.leaseUntil !== undefined ? { leaseUntil: record.leaseUntil } : {}),
        attempts: record.attempts,
        ...(record.failed !== undefined ? { failed: record.failed } : {}),
        ...(record.summary ? { summary: decodeSummary(record.summary) } : {}),
        outcomes: [...liveOutcomes(key, Number.NEGATIVE_INFINITY).values()],
      };
    },
  };
}
