// RunLedger on DynamoDB: one `run` item per idempotency key holding the lease, plus one item per cluster
// outcome (layout in keys.ts). `start` is a single conditional UpdateItem, so of two concurrent starts of
// one key exactly one is applied; the loser reads the item back and answers from it.
import { randomUUID } from 'node:crypto';
import type { LedgerStart, RunLedger, RunState } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { StateStoreError } from './errors.ts';
import { type Item, ItemReader, itemExpired, TTL } from './item-codec.ts';
import { OUTCOME_SK_PREFIX, outcomeKey, RETENTION_MS, runKey } from './keys.ts';
import { Expr, type StateTable, stateStore } from './state-table.ts';
import { decodeSummary, encodeSummary, fitOutcome } from './summary-codec.ts';
import { TABLE_SCHEMA, ttlSeconds } from './table.ts';

/** Rounds of write-then-read before `start` gives up (only reached if the item changes under it each time). */
const START_ROUNDS = 4;

/** A live record of another request under the same key: another route, or another body. */
function requestConflict(
  read: ItemReader,
  job: string,
  action: string,
  bodyDigest: string | undefined,
): LedgerStart | undefined {
  const first = { job: read.string('job') ?? '', action: read.string('action') ?? '' };
  if (first.job !== job || first.action !== action) return { kind: 'conflict', ...first, reason: 'route' };
  if (bodyDigest !== undefined && read.string('bodyDigest') !== bodyDigest) {
    return { kind: 'conflict', ...first, reason: 'body' };
  }
  return undefined;
}

function stateOf(read: ItemReader): RunState {
  const status = read.string('status');
  if (status === 'completed') return read.boolean('failed') === true ? 'failed' : 'completed';
  return status === 'accepted' ? 'accepted' : 'running';
}

async function readOutcomes(
  table: StateTable,
  key: string,
  now: number,
): Promise<Map<string, ClusterOutcome>> {
  const { pk } = runKey('ledger.start', key);
  const items = await table.query('ledger.start', pk, now, OUTCOME_SK_PREFIX);
  const previous = new Map<string, ClusterOutcome>();
  for (const item of items) {
    const outcome = new ItemReader(item).json<ClusterOutcome>('ledger.start', 'data', 'cluster outcome');
    previous.set(outcome.clusterId, outcome);
  }
  return previous;
}

/** A record past its ttl counts as absent; its leftover outcomes must not leak into the new run. */
async function purgeOutcomes(table: StateTable, key: string): Promise<void> {
  const { pk } = runKey('ledger.start', key);
  const items = await table.query('ledger.start', pk, Number.NEGATIVE_INFINITY, OUTCOME_SK_PREFIX);
  for (const item of items) {
    const sk = new ItemReader(item).sortKey();
    if (sk === undefined) continue;
    await table.delete('ledger.start', { pk, sk });
  }
}

interface ClaimRequest {
  key: string;
  job: string;
  action: string;
  attemptId: string;
  now: number;
  leaseMs: number;
  retryFailed: boolean;
  bodyDigest: string | undefined;
}

/** The one conditional write of `start`: the run record as it was before, when this attempt took it. */
async function tryClaim(
  table: StateTable,
  { key, job, action, attemptId, now, leaseMs, retryFailed, bodyDigest }: ClaimRequest,
): Promise<{ applied: true; old: Item | undefined } | { applied: false }> {
  const expr = new Expr();
  const status = expr.name('status');
  const leaseUntil = expr.name('leaseUntil');
  const ttl = expr.name(TTL);
  const running = expr.value('running');
  const nowValue = expr.value(now);
  const update =
    `SET ${status} = ${running}, ${expr.name('job')} = ${expr.value(job)}, ` +
    `${expr.name('action')} = ${expr.value(action)}, ${expr.name('attempt')} = ${expr.value(attemptId)}, ` +
    `${expr.name('startedAt')} = ${expr.value(new Date(now).toISOString())}, ` +
    `${leaseUntil} = ${expr.value(now + leaseMs)}, ` +
    (bodyDigest === undefined ? '' : `${expr.name('bodyDigest')} = ${expr.value(bodyDigest)}, `) +
    `${expr.name('attempts')} = if_not_exists(${expr.name('attempts')}, ${expr.value(0)}) + ${expr.value(1)}, ` +
    `${ttl} = ${expr.value(ttlSeconds(now + leaseMs + RETENTION_MS.run))} ` +
    `REMOVE ${expr.name('summary')}, ${expr.name('failed')}, ${expr.name('finishedAt')}`;
  // A live record is only taken over by the same request: same route, and the same body when it has a digest.
  const sameRequest =
    `${expr.name('job')} = ${expr.value(job)} AND ${expr.name('action')} = ${expr.value(action)}` +
    (bodyDigest === undefined ? '' : ` AND ${expr.name('bodyDigest')} = ${expr.value(bodyDigest)}`);
  const takeOver = [
    `${status} = ${expr.value('accepted')}`,
    `(${status} = ${running} AND ${leaseUntil} <= ${nowValue})`,
  ];
  if (retryFailed) {
    takeOver.push(
      `(${status} = ${expr.value('completed')} AND ${expr.name('failed')} = ${expr.value(true)})`,
    );
  }
  const conditions = [
    `attribute_not_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)})`,
    `${ttl} <= ${expr.value(Math.floor(now / 1000))}`,
    `(${sameRequest} AND (${takeOver.join(' OR ')}))`,
  ];
  const out = await table.update('ledger.start', runKey('ledger.start', key), update, {
    expr,
    condition: conditions.join(' OR '),
    returnValues: 'ALL_OLD',
  });
  return out.applied ? { applied: true, old: out.attributes } : { applied: false };
}

/** The stored summary of a completed run, read back for a redelivery. */
function completedSummary(read: ItemReader): LedgerStart {
  const bytes = read.bytes('summary');
  if (!bytes)
    throw new StateStoreError('ledger.start', undefined, 'ledger.start: completed run has no summary');
  try {
    return { kind: 'completed', summary: decodeSummary(bytes) };
  } catch (err) {
    throw new StateStoreError('ledger.start', err, 'ledger.start: stored run summary is unreadable');
  }
}

export const dynamoRunLedger = stateStore(
  (table): RunLedger => ({
    async start(key, job, action, { leaseMs, retryFailed, bodyDigest }): Promise<LedgerStart> {
      runKey('ledger.start', key);
      for (let round = 0; round < START_ROUNDS; round++) {
        const now = table.clock.now();
        const attemptId = randomUUID();
        const claimed = await tryClaim(table, {
          key,
          job,
          action,
          attemptId,
          now,
          leaseMs,
          retryFailed,
          bodyDigest,
        });
        if (claimed.applied) {
          const { old } = claimed;
          if (!old) return { kind: 'started', previous: new Map() };
          if (itemExpired(old, now)) {
            await purgeOutcomes(table, key);
            return { kind: 'started', previous: new Map() };
          }
          return { kind: 'started', previous: await readOutcomes(table, key, now) };
        }
        const item = await table.get('ledger.start', runKey('ledger.start', key), now);
        if (!item) continue; // expired or deleted since: try again
        const read = new ItemReader(item);
        // Our own write was applied but its response was lost and the SDK retried it.
        if (read.string('attempt') === attemptId)
          return { kind: 'started', previous: await readOutcomes(table, key, now) };
        const conflict = requestConflict(read, job, action, bodyDigest);
        if (conflict) return conflict;
        const status = read.string('status');
        if (status === 'completed') {
          if (read.boolean('failed') === true && retryFailed) continue; // restarted by someone since: look again
          return completedSummary(read);
        }
        if (status === 'running' && (read.number('leaseUntil') ?? 0) > now) {
          return { kind: 'running', since: read.string('startedAt') ?? new Date(now).toISOString() };
        }
      }
      throw new StateStoreError(
        'ledger.start',
        undefined,
        `ledger.start: the run record kept changing during ${START_ROUNDS} attempts to start it`,
      );
    },

    async recordOutcome(key, outcome) {
      const now = table.clock.now();
      const stored = fitOutcome(outcome);
      await table.put('ledger.recordOutcome', outcomeKey('ledger.recordOutcome', key, outcome.clusterId), {
        status: stored.status,
        data: JSON.stringify(stored),
        recordedAt: new Date(now).toISOString(),
        [TTL]: ttlSeconds(now + RETENTION_MS.run),
      });
    },

    async accept(key, job, action, { bodyDigest }) {
      const itemKey = runKey('ledger.accept', key);
      const now = table.clock.now();
      const expr = new Expr();
      const { applied } = await table.put(
        'ledger.accept',
        itemKey,
        {
          status: 'accepted',
          job,
          action,
          bodyDigest,
          acceptedAt: new Date(now).toISOString(),
          [TTL]: ttlSeconds(now + RETENTION_MS.run),
        },
        {
          expr,
          condition: `attribute_not_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)}) OR ${expr.name(TTL)} <= ${expr.value(Math.floor(now / 1000))}`,
        },
      );
      if (applied) return { kind: 'accepted', state: 'accepted' };
      const item = await table.get('ledger.accept', itemKey, now);
      if (!item)
        throw new StateStoreError('ledger.accept', undefined, 'ledger.accept: the run record vanished');
      const read = new ItemReader(item);
      const conflict = requestConflict(read, job, action, bodyDigest);
      if (conflict?.kind === 'conflict') return conflict;
      return { kind: 'existing', state: stateOf(read) };
    },

    async get(key) {
      const item = await table.get('ledger.get', runKey('ledger.get', key));
      if (!item) return undefined;
      const read = new ItemReader(item);
      const bytes = read.bytes('summary');
      return {
        state: stateOf(read),
        job: read.string('job') ?? '',
        action: read.string('action') ?? '',
        ...(bytes ? { summary: decodeSummary(bytes) } : {}),
      };
    },

    async finish(key, summary) {
      const now = table.clock.now();
      const expr = new Expr();
      const set = expr.set({
        status: 'completed',
        failed: summary.failed,
        summary: encodeSummary(summary),
        finishedAt: new Date(now).toISOString(),
        [TTL]: ttlSeconds(now + RETENTION_MS.run),
      });
      const update = `${set} REMOVE ${expr.name('leaseUntil')}, ${expr.name('attempt')}`;
      await table.update('ledger.finish', runKey('ledger.finish', key), update, { expr });
    },
  }),
);
