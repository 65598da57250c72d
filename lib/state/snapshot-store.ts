// SnapshotStore on DynamoDB: one item per cluster name under `snapshot`. What teardown saved is one JSON
// attribute; status, newClusterId, note and updatedAt are attributes of their own so that `transition`
// is one UpdateItem conditional on the current status (two recreate runs cannot both move a snapshot).
import { randomUUID } from 'node:crypto';
import type { ClusterSnapshot, SnapshotStatus, SnapshotStore, UnreadableItem } from '#lib/jobs/ports.ts';
import type { SealedBox } from '#lib/secrets/sealer.ts';
import { type StateOperation, StateStoreError } from './errors.ts';
import { type Item, ItemReader, TTL } from './item-codec.ts';
import { RETENTION_MS, snapshotKey } from './keys.ts';
import { Expr, type StateTable, stateStore } from './state-table.ts';
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

/** The part of a store error's message after its operation: the reason an item is unreadable. */
const reasonOf = (err: unknown): string => (err as Error).message.replace(/^snapshots\.list: /, '');

function decode(item: Item): Decoded {
  const read = new ItemReader(item);
  const key = read.sortKey() ?? '';
  const status = read.string('status');
  let saved: Saved;
  try {
    saved = read.json<Saved>('snapshots.list', 'data', 'snapshot');
  } catch (err) {
    return { ok: false, key, reason: reasonOf(err) };
  }
  const problem = snapshotProblem(key, saved, status);
  if (problem) return { ok: false, key, reason: problem };
  // The sealed secret values live in an attribute of their own, so that dropping them is one REMOVE.
  if (saved.secrets && typeof saved.secrets === 'object') {
    delete saved.secrets.sealed;
    try {
      const sealed = read.optionalJson<SealedBox>('snapshots.list', 'sealedSecrets', 'sealed secrets');
      if (sealed !== undefined) saved.secrets.sealed = sealed;
    } catch (err) {
      return { ok: false, key, reason: reasonOf(err) };
    }
  }
  const newClusterId = read.string('newClusterId');
  const note = read.string('note');
  return {
    ok: true,
    snapshot: {
      ...saved,
      status: status as SnapshotStatus,
      ...(newClusterId !== undefined ? { newClusterId } : {}),
      ...(note !== undefined ? { note } : {}),
      updatedAt: read.string('updatedAt') ?? saved.takenAt,
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

/** The snapshots of one listing that are readable and in `statuses` (all when undefined), and the rest. */
async function listing(
  table: StateTable,
  statuses: readonly SnapshotStatus[] | undefined,
): Promise<{ snapshots: ClusterSnapshot[]; unreadable: UnreadableItem[] }> {
  const items = await table.query('snapshots.list', snapshotKey.pk, table.clock.now());
  const wanted = statuses ? new Set<string>(statuses) : undefined;
  const snapshots: ClusterSnapshot[] = [];
  const unreadable: UnreadableItem[] = [];
  for (const item of items) {
    const decoded = decode(item);
    if (!decoded.ok) unreadable.push({ key: decoded.key, reason: decoded.reason });
    else if (!wanted || wanted.has(decoded.snapshot.status)) snapshots.push(decoded.snapshot);
  }
  return { snapshots, unreadable };
}

export const dynamoSnapshotStore = stateStore(
  (table): SnapshotStore => ({
    async save(snapshot) {
      const { status, newClusterId, note, updatedAt, ...rest } = snapshot;
      const sealed = rest.secrets?.sealed;
      const saved: Saved = rest.secrets
        ? { ...rest, secrets: { names: rest.secrets.names, sealedFor: rest.secrets.sealedFor } }
        : rest;
      await table.put('snapshots.save', snapshotKey('snapshots.save', snapshot.name), {
        data: JSON.stringify(saved),
        sealedSecrets: sealed === undefined ? undefined : JSON.stringify(sealed),
        status,
        newClusterId,
        note,
        updatedAt,
        [TTL]: ttlSeconds(table.clock.now() + RETENTION_MS.snapshot),
      });
    },

    async get(name) {
      const item = await table.get('snapshots.get', snapshotKey('snapshots.get', name));
      return item ? fromItem('snapshots.get', item) : undefined;
    },

    async list(statuses) {
      const items = await table.query('snapshots.list', snapshotKey.pk, table.clock.now());
      const wanted = statuses ? new Set<string>(statuses) : undefined;
      return items
        .filter((item) => !wanted || wanted.has(new ItemReader(item).string('status') ?? ''))
        .map((item) => fromItem('snapshots.list', item));
    },

    listing: (statuses) => listing(table, statuses),

    async transition(name, from, change, now) {
      const key = snapshotKey('snapshots.transition', name);
      // A random id written with the change tells our own applied write from another run's, should
      // the response be lost and the SDK's retry then fail the condition.
      const transitionId = randomUUID();
      const expr = new Expr();
      const set = expr.set({
        status: change.status,
        updatedAt: new Date(now).toISOString(),
        transitionId,
        [TTL]: ttlSeconds(now + RETENTION_MS.snapshot),
        newClusterId: change.newClusterId,
        note: change.note,
      });
      const { applied } = await table.update('snapshots.transition', key, set, {
        expr,
        // Exists, is in `from`, and has not expired (an expired snapshot is gone, whatever TTL did).
        condition:
          `attribute_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)}) AND ` +
          `${expr.name('status')} = ${expr.value(from)} AND ${expr.name(TTL)} > ${expr.value(Math.floor(now / 1000))}`,
      });
      if (applied) return true;
      const item = await table.get('snapshots.transition', key, now);
      return item !== undefined && new ItemReader(item).string('transitionId') === transitionId;
    },

    async dropSecrets(name) {
      const expr = new Expr();
      await table.update(
        'snapshots.dropSecrets',
        snapshotKey('snapshots.dropSecrets', name),
        `REMOVE ${expr.name('sealedSecrets')}`,
        { expr, condition: `attribute_exists(${expr.name(TABLE_SCHEMA.partitionKey.name)})` },
      );
    },
  }),
);
