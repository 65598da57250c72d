// RunLedger on DynamoDB: one `run` item per idempotency key holding the lease, plus one item per cluster
// outcome (layout in keys.ts). `start` is a single conditional UpdateItem, so of two concurrent starts of
// one key exactly one is applied; the loser reads the item back and answers from it.
import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { LedgerStart, RunLedger, RunState } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import {
  attempt,
  b,
  bool,
  type DynamoStoreOptions,
  Expr,
  getLive,
  type Item,
  isConditionFailure,
  itemExpired,
  keyOf,
  n,
  num,
  parseJson,
  queryLive,
  s,
  str,
  systemClock,
  TTL,
  wrap,
} from './dynamo-io.ts';
import { StateStoreError } from './errors.ts';
import { OUTCOME_SK_PREFIX, outcomeKey, RETENTION_MS, runKey } from './keys.ts';
import { decodeSummary, encodeSummary, fitOutcome } from './summary-codec.ts';
import { TABLE_SCHEMA, ttlSeconds } from './table.ts';

/** Rounds of write-then-read before `start` gives up (only reached if the item changes under it each time). */
const START_ROUNDS = 4;

/** A live record of another request under the same key: another route, or another body. */
function requestConflict(
  item: Item,
  job: string,
  action: string,
  bodyDigest: string | undefined,
): LedgerStart | undefined {
  const first = { job: str(item.job) ?? '', action: str(item.action) ?? '' };
  if (first.job !== job || first.action !== action) return { kind: 'conflict', ...first, reason: 'route' };
  if (bodyDigest !== undefined && str(item.bodyDigest) !== bodyDigest) {
    return { kind: 'conflict', ...first, reason: 'body' };
  }
  return undefined;
}

function stateOf(item: Item): RunState {
  const status = str(item.status);
  if (status === 'completed') return item.failed?.BOOL === true ? 'failed' : 'completed';
  return status === 'accepted' ? 'accepted' : 'running';
}

export function dynamoRunLedger(
  client: DynamoDBClient,
  tableName: string,
  options: DynamoStoreOptions = {},
): RunLedger {
  const clock = options.clock ?? systemClock;

  const readOutcomes = async (key: string, now: number): Promise<Map<string, ClusterOutcome>> => {
    const { pk } = runKey('ledger.start', key);
    const items = await queryLive(client, tableName, 'ledger.start', pk, now, OUTCOME_SK_PREFIX);
    const previous = new Map<string, ClusterOutcome>();
    for (const item of items) {
      const outcome = parseJson<ClusterOutcome>('ledger.start', item.data, 'cluster outcome');
      previous.set(outcome.clusterId, outcome);
    }
    return previous;
  };

  /** A record past its ttl counts as absent; its leftover outcomes must not leak into the new run. */
  const purgeOutcomes = async (key: string): Promise<void> => {
    const { pk } = runKey('ledger.start', key);
    const items = await queryLive(
      client,
      tableName,
      'ledger.start',
      pk,
      Number.NEGATIVE_INFINITY,
      OUTCOME_SK_PREFIX,
    );
    for (const item of items) {
      const sk = str(item[TABLE_SCHEMA.sortKey.name]);
      if (sk === undefined) continue;
      await attempt('ledger.start', () =>
        client.send(new DeleteItemCommand({ TableName: tableName, Key: keyOf({ pk, sk }) })),
      );
    }
  };

  const tryClaim = async (
    key: string,
    job: string,
    action: string,
    attemptId: string,
    now: number,
    leaseMs: number,
    retryFailed: boolean,
    bodyDigest: string | undefined,
  ): Promise<{ applied: true; old: Item | undefined } | { applied: false }> => {
    const expr = new Expr();
    const status = expr.name('status');
    const leaseUntil = expr.name('leaseUntil');
    const ttl = expr.name(TTL);
    const running = expr.value(s('running'));
    const nowValue = expr.value(n(now));
    const update =
      `SET ${status} = ${running}, ${expr.name('job')} = ${expr.value(s(job))}, ` +
      `${expr.name('action')} = ${expr.value(s(action))}, ${expr.name('attempt')} = ${expr.value(s(attemptId))}, ` +
      `${expr.name('startedAt')} = ${expr.value(s(new Date(now).toISOString()))}, ` +
      `${leaseUntil} = ${expr.value(n(now + leaseMs))}, ` +
      (bodyDigest === undefined ? '' : `${expr.name('bodyDigest')} = ${expr.value(s(bodyDigest))}, `) +
      `${expr.name('attempts')} = if_not_exists(${expr.name('attempts')}, ${expr.value(n(0))}) + ${expr.value(n(1))}, ` +
      `${ttl} = ${expr.value(n(ttlSeconds(now + leaseMs + RETENTION_MS.run)))} ` +
      `REMOVE ${expr.name('summary')}, ${expr.name('failed')}, ${expr.name('finishedAt')}`;
    // A live record is only taken over by the same request: same route, and the same body when it has a digest.
    const sameRequest =
      `${expr.name('job')} = ${expr.value(s(job))} AND ${expr.name('action')} = ${expr.value(s(action))}` +
      (bodyDigest === undefined ? '' : ` AND ${expr.name('bodyDigest')} = ${expr.value(s(bodyDigest))}`);
    const takeOver = [
      `${status} = ${expr.value(s('accepted'))}`,
      `(${status} = ${running} AND ${leaseUntil} <= ${nowValue})`,
    ];
    if (retryFailed) {
      takeOver.push(
        `(${status} = ${expr.value(s('completed'))} AND ${expr.name('failed')} = ${expr.value(bool(true))})`,
      );
    }
    const conditions = [
      `attribute_not_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)})`,
      `${ttl} <= ${expr.value(n(Math.floor(now / 1000)))}`,
      `(${sameRequest} AND (${takeOver.join(' OR ')}))`,
    ];
    try {
      const out = await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(runKey('ledger.start', key)),
          UpdateExpression: update,
          ConditionExpression: conditions.join(' OR '),
          ReturnValues: 'ALL_OLD',
          ...expr.attributes(),
        }),
      );
      return { applied: true, old: out.Attributes };
    } catch (err) {
      if (isConditionFailure(err)) return { applied: false };
      throw wrap('ledger.start', err);
    }
  };

  return {
    async start(key, job, action, { leaseMs, retryFailed, bodyDigest }): Promise<LedgerStart> {
      runKey('ledger.start', key);
      for (let round = 0; round < START_ROUNDS; round++) {
        const now = clock.now();
        const attemptId = randomUUID();
        const claimed = await tryClaim(key, job, action, attemptId, now, leaseMs, retryFailed, bodyDigest);
        if (claimed.applied) {
          const { old } = claimed;
          if (!old) return { kind: 'started', previous: new Map() };
          if (itemExpired(old, now)) {
            await purgeOutcomes(key);
            return { kind: 'started', previous: new Map() };
          }
          return { kind: 'started', previous: await readOutcomes(key, now) };
        }
        const item = await getLive(client, tableName, 'ledger.start', runKey('ledger.start', key), now);
        if (!item) continue; // expired or deleted since: try again
        // Our own write was applied but its response was lost and the SDK retried it.
        if (str(item.attempt) === attemptId)
          return { kind: 'started', previous: await readOutcomes(key, now) };
        const conflict = requestConflict(item, job, action, bodyDigest);
        if (conflict) return conflict;
        const status = str(item.status);
        if (status === 'completed') {
          if (item.failed?.BOOL === true && retryFailed) continue; // restarted by someone since: look again
          const bytes = item.summary?.B;
          if (!bytes)
            throw new StateStoreError(
              'ledger.start',
              undefined,
              'ledger.start: completed run has no summary',
            );
          try {
            return { kind: 'completed', summary: decodeSummary(bytes) };
          } catch (err) {
            throw new StateStoreError('ledger.start', err, 'ledger.start: stored run summary is unreadable');
          }
        }
        if (status === 'running' && (num(item.leaseUntil) ?? 0) > now) {
          return { kind: 'running', since: str(item.startedAt) ?? new Date(now).toISOString() };
        }
      }
      throw new StateStoreError(
        'ledger.start',
        undefined,
        `ledger.start: the run record kept changing during ${START_ROUNDS} attempts to start it`,
      );
    },

    async recordOutcome(key, outcome) {
      const now = clock.now();
      const stored = fitOutcome(outcome);
      await attempt('ledger.recordOutcome', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...keyOf(outcomeKey('ledger.recordOutcome', key, outcome.clusterId)),
              status: s(stored.status),
              data: s(JSON.stringify(stored)),
              recordedAt: s(new Date(now).toISOString()),
              [TTL]: n(ttlSeconds(now + RETENTION_MS.run)),
            },
          }),
        ),
      );
    },

    async accept(key, job, action, { bodyDigest }) {
      const itemKey = runKey('ledger.accept', key);
      const now = clock.now();
      const expr = new Expr();
      const ttl = expr.name(TTL);
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...keyOf(itemKey),
              status: s('accepted'),
              job: s(job),
              action: s(action),
              bodyDigest: s(bodyDigest),
              acceptedAt: s(new Date(now).toISOString()),
              [TTL]: n(ttlSeconds(now + RETENTION_MS.run)),
            },
            ConditionExpression: `attribute_not_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)}) OR ${ttl} <= ${expr.value(n(Math.floor(now / 1000)))}`,
            ...expr.attributes(),
          }),
        );
        return { kind: 'accepted', state: 'accepted' };
      } catch (err) {
        if (!isConditionFailure(err)) throw wrap('ledger.accept', err);
      }
      const item = await getLive(client, tableName, 'ledger.accept', itemKey, now);
      if (!item)
        throw new StateStoreError('ledger.accept', undefined, 'ledger.accept: the run record vanished');
      const conflict = requestConflict(item, job, action, bodyDigest);
      if (conflict?.kind === 'conflict') return conflict;
      return { kind: 'existing', state: stateOf(item) };
    },

    async get(key) {
      const item = await getLive(client, tableName, 'ledger.get', runKey('ledger.get', key), clock.now());
      if (!item) return undefined;
      const bytes = item.summary?.B;
      return {
        state: stateOf(item),
        job: str(item.job) ?? '',
        action: str(item.action) ?? '',
        ...(bytes ? { summary: decodeSummary(bytes) } : {}),
      };
    },

    async finish(key, summary) {
      const now = clock.now();
      const expr = new Expr();
      const update =
        `SET ${expr.name('status')} = ${expr.value(s('completed'))}, ` +
        `${expr.name('failed')} = ${expr.value(bool(summary.failed))}, ` +
        `${expr.name('summary')} = ${expr.value(b(encodeSummary(summary)))}, ` +
        `${expr.name('finishedAt')} = ${expr.value(s(new Date(now).toISOString()))}, ` +
        `${expr.name(TTL)} = ${expr.value(n(ttlSeconds(now + RETENTION_MS.run)))} ` +
        `REMOVE ${expr.name('leaseUntil')}, ${expr.name('attempt')}`;
      await attempt('ledger.finish', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(runKey('ledger.finish', key)),
            UpdateExpression: update,
            ...expr.attributes(),
          }),
        ),
      );
    },
  };
}
