// SnapshotStore on DynamoDB: one item per cluster name under `snapshot`. What teardown saved is one JSON
// attribute; status, newClusterId, note and updatedAt are attributes of their own so that `transition`
// is one UpdateItem conditional on the current status (two recreate runs cannot both move a snapshot).
import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { ClusterSnapshot, SnapshotStatus, SnapshotStore, UnreadableItem } from '#lib/jobs/ports.ts';
import type { SealedBox } from '#lib/secrets/sealer.ts';
import {
  attempt,
  conditionalWrite,
  type DynamoStoreOptions,
  Expr,
  getLive,
  type Item,
  keyOf,
  n,
  parseJson,
  queryLive,
  s,
  str,
  systemClock,
  TTL,
} from './dynamo-io.ts';
import { type StateOperation, StateStoreError } from './errors.ts';
import { RETENTION_MS, SNAPSHOT_PK, snapshotKey } from './keys.ts';
import { TABLE_SCHEMA, ttlSeconds } from './table.ts';

type Saved = Omit<ClusterSnapshot, 'status' | 'newClusterId' | 'note' | 'updatedAt'>;

const STATUSES: readonly SnapshotStatus[] = ['deleted', 'recreating', 'recreated', 'done', 'failed'];

const isRef = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { uuid?: unknown }).uuid === 'string' &&
  typeof (v as { name?: unknown }).name === 'string';

/**
 * Checks what teardown saved of a cluster (the `data` JSON) and its status, read back from the table or the
 * in-memory fake: the reason it cannot be used, or undefined. Shared by both so they judge alike.
 */
export function snapshotProblem(key: string, saved: unknown, status: string | undefined): string | undefined {
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved))
    return 'stored snapshot is not an object';
  const v = saved as Record<string, unknown>;
  const wrong: string[] = [];
  for (const field of ['clusterId', 'name', 'takenAt', 'teardownKey'] as const) {
    if (typeof v[field] !== 'string' || v[field] === '') wrong.push(field);
  }
  for (const field of ['planType', 'region', 'channel', 'generation'] as const)
    if (!isRef(v[field])) wrong.push(field);
  if (!Array.isArray(v.labels) || !v.labels.every((l) => typeof l === 'string')) wrong.push('labels');
  if (
    !Array.isArray(v.allowlist) ||
    !v.allowlist.every((e) => typeof e?.ip === 'string' && typeof e?.description === 'string')
  ) {
    wrong.push('allowlist');
  }
  if (v.description !== undefined && typeof v.description !== 'string') wrong.push('description');
  if (v.backupRegion !== undefined && !isRef(v.backupRegion)) wrong.push('backupRegion');
  if (wrong.length > 0) return `stored snapshot lacks or mistypes ${wrong.join(', ')}`;
  if (v.name !== key) return `stored snapshot of '${String(v.name)}' is under the key '${key}'`;
  if (!STATUSES.includes(status as SnapshotStatus))
    return `stored snapshot has an unknown status '${status ?? ''}'`;
  return undefined;
}

type Decoded = { ok: true; snapshot: ClusterSnapshot } | { ok: false; key: string; reason: string };

function decode(item: Item): Decoded {
  const key = str(item[TABLE_SCHEMA.sortKey.name]) ?? '';
  const status = str(item.status);
  let saved: Saved;
  try {
    saved = parseJson<Saved>('snapshots.list', item.data, 'snapshot');
  } catch (err) {
    return { ok: false, key, reason: (err as Error).message.replace(/^snapshots\.list: /, '') };
  }
  const problem = snapshotProblem(key, saved, status);
  if (problem) return { ok: false, key, reason: problem };
  // The sealed secret values live in an attribute of their own, so that dropping them is one REMOVE.
  if (saved.secrets && typeof saved.secrets === 'object') {
    delete saved.secrets.sealed;
    if (item.sealedSecrets !== undefined) {
      try {
        saved.secrets.sealed = parseJson<SealedBox>('snapshots.list', item.sealedSecrets, 'sealed secrets');
      } catch (err) {
        return { ok: false, key, reason: (err as Error).message.replace(/^snapshots\.list: /, '') };
      }
    }
  }
  const newClusterId = str(item.newClusterId);
  const note = str(item.note);
  return {
    ok: true,
    snapshot: {
      ...saved,
      status: status as SnapshotStatus,
      ...(newClusterId !== undefined ? { newClusterId } : {}),
      ...(note !== undefined ? { note } : {}),
      updatedAt: str(item.updatedAt) ?? saved.takenAt,
    },
  };
}

function fromItem(operation: StateOperation, item: Item): ClusterSnapshot {
  const d = decode(item);
  if (d.ok) return d.snapshot;
  throw new StateStoreError(
    operation,
    undefined,
    `${operation}: snapshot '${d.key}' is unreadable: ${d.reason}`,
  );
}

export function dynamoSnapshotStore(
  client: DynamoDBClient,
  tableName: string,
  options: DynamoStoreOptions = {},
): SnapshotStore {
  const clock = options.clock ?? systemClock;
  return {
    async save(snapshot) {
      const key = snapshotKey('snapshots.save', snapshot.name);
      const { status, newClusterId, note, updatedAt, ...rest } = snapshot;
      const sealed = rest.secrets?.sealed;
      const saved: Saved = rest.secrets
        ? { ...rest, secrets: { names: rest.secrets.names, sealedFor: rest.secrets.sealedFor } }
        : rest;
      await attempt('snapshots.save', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...keyOf(key),
              data: s(JSON.stringify(saved)),
              ...(sealed !== undefined ? { sealedSecrets: s(JSON.stringify(sealed)) } : {}),
              status: s(status),
              ...(newClusterId !== undefined ? { newClusterId: s(newClusterId) } : {}),
              ...(note !== undefined ? { note: s(note) } : {}),
              updatedAt: s(updatedAt),
              [TTL]: n(ttlSeconds(clock.now() + RETENTION_MS.snapshot)),
            },
          }),
        ),
      );
    },

    async get(name) {
      const item = await getLive(
        client,
        tableName,
        'snapshots.get',
        snapshotKey('snapshots.get', name),
        clock.now(),
      );
      return item ? fromItem('snapshots.get', item) : undefined;
    },

    async list(statuses) {
      const items = await queryLive(client, tableName, 'snapshots.list', SNAPSHOT_PK, clock.now());
      const wanted = statuses ? new Set<string>(statuses) : undefined;
      return items
        .filter((item) => !wanted || wanted.has(str(item.status) ?? ''))
        .map((item) => fromItem('snapshots.list', item));
    },

    async listing(statuses) {
      const items = await queryLive(client, tableName, 'snapshots.list', SNAPSHOT_PK, clock.now());
      const wanted = statuses ? new Set<string>(statuses) : undefined;
      const snapshots: ClusterSnapshot[] = [];
      const unreadable: UnreadableItem[] = [];
      for (const item of items) {
        const d = decode(item);
        if (!d.ok) unreadable.push({ key: d.key, reason: d.reason });
        else if (!wanted || wanted.has(d.snapshot.status)) snapshots.push(d.snapshot);
      }
      return { snapshots, unreadable };
    },

    async transition(name, from, change, now) {
      const key = snapshotKey('snapshots.transition', name);
      // A random id written with the change tells our own applied write from another run's, should
      // the response be lost and the SDK's retry then fail the condition.
      const transitionId = randomUUID();
      const expr = new Expr();
      const status = expr.name('status');
      const sets = [
        `${status} = ${expr.value(s(change.status))}`,
        `${expr.name('updatedAt')} = ${expr.value(s(new Date(now).toISOString()))}`,
        `${expr.name('transitionId')} = ${expr.value(s(transitionId))}`,
        `${expr.name(TTL)} = ${expr.value(n(ttlSeconds(now + RETENTION_MS.snapshot)))}`,
      ];
      if (change.newClusterId !== undefined) {
        sets.push(`${expr.name('newClusterId')} = ${expr.value(s(change.newClusterId))}`);
      }
      if (change.note !== undefined) sets.push(`${expr.name('note')} = ${expr.value(s(change.note))}`);
      const applied = await conditionalWrite('snapshots.transition', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression: `SET ${sets.join(', ')}`,
            // Exists, is in `from`, and has not expired (an expired snapshot is gone, whatever TTL did).
            ConditionExpression:
              `attribute_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)}) AND ${status} = ${expr.value(s(from))} ` +
              `AND ${expr.name(TTL)} > ${expr.value(n(Math.floor(now / 1000)))}`,
            ...expr.attributes(),
          }),
        ),
      );
      if (applied) return true;
      const item = await getLive(client, tableName, 'snapshots.transition', key, now);
      return item !== undefined && str(item.transitionId) === transitionId;
    },

    async dropSecrets(name) {
      const key = snapshotKey('snapshots.dropSecrets', name);
      const expr = new Expr();
      await conditionalWrite('snapshots.dropSecrets', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression: `REMOVE ${expr.name('sealedSecrets')}`,
            ConditionExpression: `attribute_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)})`,
            ...expr.attributes(),
          }),
        ),
      );
    },
  };
}
