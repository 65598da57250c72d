// What only the DynamoDB adapters can get wrong: the item layout documented in lib/state/keys.ts, the
// ttl attributes, writes whose response was lost (the SDK retries an applied conditional write), real
// pagination, and the compact stored summary.
import { gunzipSync } from 'node:zlib';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStores } from '#lib/state/dynamo.ts';
import { RETENTION_MS } from '#lib/state/keys.ts';
import { ttlSeconds } from '#lib/state/table.ts';
import { type EmbeddedDynamo, LOCAL_AWS, startDynalite } from '#local/dynalite.ts';
import { type DynamoProxy, startDynamoProxy } from '#local/dynamo-proxy.ts';
import { manualClock } from '#test/fakes/clock.ts';
import { done, failed, noise, snapshotOf, summaryOf } from '#test/helpers/state-contract.ts';

const HOUR = 3600_000;

let db: EmbeddedDynamo;
let proxy: DynamoProxy;
let viaProxy: DynamoDBClient;
let replaying: DynamoDBClient;
/** When set, the next request is sent twice: applied, its response lost, then retried (as the SDK does). */
const replay = { next: false };

beforeAll(async () => {
  db = await startDynalite();
  proxy = await startDynamoProxy(db.endpoint);
  viaProxy = new DynamoDBClient({ endpoint: proxy.endpoint, ...LOCAL_AWS, maxAttempts: 3 });
  replaying = new DynamoDBClient({ endpoint: db.endpoint, ...LOCAL_AWS });
  replaying.middlewareStack.add(
    (next) => async (args) => {
      if (!replay.next) return next(args);
      replay.next = false;
      await next(args);
      return next(args);
    },
    { step: 'build', name: 'replayOnce' },
  );
});

afterAll(async () => {
  viaProxy.destroy();
  replaying.destroy();
  await proxy.close();
  await db.close();
});

async function scan(tableName: string): Promise<Map<string, Record<string, AttributeValue>>> {
  const items = new Map<string, Record<string, AttributeValue>>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) items.set(`${item.pk?.S} | ${item.sk?.S}`, item);
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

describe('dynamodb state: item layout', () => {
  it('writes the keys and ttls documented in keys.ts', async () => {
    // Prepare
    const tableName = await db.createTable();
    const clock = manualClock();
    const now = clock.now();
    const stores = createDynamoStores(db.client, tableName, { clock });
    const until = new Date(now + 5 * HOUR).toISOString();
    // Act
    await stores.ledger.start('sched:backup:run:2026-11-27T02:00Z', 'backup', 'run', {
      leaseMs: HOUR,
      retryFailed: true,
    });
    await stores.ledger.recordOutcome('sched:backup:run:2026-11-27T02:00Z', done('c-1'));
    await stores.claims.claim('teardown', 'c-1', 'owner-1', HOUR);
    await stores.keepAlives.put({ cluster: 'dev-a', until, by: 'alice', reason: 'demo', setAt: 'x' });
    await stores.snapshots.save(snapshotOf('dev-a'));
    await stores.allowlistSources.put('vpn', [{ cidr: '10.0.0.1/32', description: 'a' }], 'ci', now);
    await stores.backupTracking.put('c-1', { pending: ['b-1'] });
    // Assess
    const items = await scan(tableName);
    const ttl = (key: string) => items.get(key)?.ttl?.N;
    expect([...items.keys()].sort()).toEqual([
      'allowlist-source | vpn',
      'backup-tracking | c-1',
      'claim#teardown#c-1 | claim',
      'keepalive | dev-a',
      'run#sched:backup:run:2026-11-27T02:00Z | outcome#c-1',
      'run#sched:backup:run:2026-11-27T02:00Z | run',
      'snapshot | dev-a',
    ]);
    expect(ttl('run#sched:backup:run:2026-11-27T02:00Z | run')).toBe(
      String(ttlSeconds(now + HOUR + RETENTION_MS.run)),
    );
    expect(ttl('run#sched:backup:run:2026-11-27T02:00Z | outcome#c-1')).toBe(
      String(ttlSeconds(now + RETENTION_MS.run)),
    );
    expect(ttl('claim#teardown#c-1 | claim')).toBe(String(ttlSeconds(now + HOUR + RETENTION_MS.claimGrace)));
    expect(ttl('keepalive | dev-a')).toBe(String(ttlSeconds(Date.parse(until))));
    expect(ttl('snapshot | dev-a')).toBe(String(ttlSeconds(now + RETENTION_MS.snapshot)));
    expect(ttl('backup-tracking | c-1')).toBe(String(ttlSeconds(now + RETENTION_MS.backupTracking)));
    expect(ttl('allowlist-source | vpn')).toBeUndefined();
  });

  it('stores a 1,000-cluster summary gzipped, a small fraction of the 400 KB item limit', async () => {
    // Prepare
    const tableName = await db.createTable();
    const stores = createDynamoStores(db.client, tableName, { clock: manualClock() });
    const summary = summaryOf(
      'big',
      Array.from({ length: 1000 }, (_, i) =>
        i % 7 ? done(`cluster-${i}`, { backupId: `b-${i}` }) : failed(`c-${i}`),
      ),
    );
    // Act
    await stores.ledger.finish('big', summary);
    // Assess
    const item = (await scan(tableName)).get('run#big | run');
    const bytes = item?.summary?.B;
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes?.byteLength).toBeLessThan(40_000);
    expect(JSON.parse(gunzipSync(bytes ?? new Uint8Array()).toString('utf8'))).toEqual(summary);
    expect(item?.failed?.BOOL).toBe(true);
  });
});

describe('dynamodb state: lost responses and transient faults', () => {
  it('a start whose write was applied but whose response was lost still answers started', async () => {
    // Prepare
    const tableName = await db.createTable();
    const stores = createDynamoStores(replaying, tableName, { clock: manualClock() });
    replay.next = true;
    // Act
    const first = await stores.ledger.start('k1', 'backup', 'run', { leaseMs: HOUR, retryFailed: true });
    const second = await stores.ledger.start('k1', 'backup', 'run', { leaseMs: HOUR, retryFailed: true });
    // Assess
    expect(replay.next).toBe(false);
    expect(first).toEqual({ kind: 'started', previous: new Map() });
    expect(second.kind).toBe('running');
  });

  it('a claim or a snapshot transition whose response was lost still answers true', async () => {
    // Prepare
    const tableName = await db.createTable();
    const clock = manualClock();
    const stores = createDynamoStores(replaying, tableName, { clock });
    await stores.snapshots.save(snapshotOf('dev-a'));
    // Act
    replay.next = true;
    const claimed = await stores.claims.claim('teardown', 'c-1', 'owner-1', HOUR);
    replay.next = true;
    const moved = await stores.snapshots.transition(
      'dev-a',
      'deleted',
      { status: 'recreating' },
      clock.now(),
    );
    const movedAgain = await stores.snapshots.transition(
      'dev-a',
      'deleted',
      { status: 'recreating' },
      clock.now(),
    );
    // Assess
    expect(replay.next).toBe(false);
    expect([claimed, moved, movedAgain]).toEqual([true, true, false]);
    expect(await stores.claims.claim('teardown', 'c-1', 'owner-2', HOUR)).toBe(false);
  });

  it('a throttle the SDK retries past leaves one clean start', async () => {
    // Prepare
    proxy.clear();
    const tableName = await db.createTable();
    const stores = createDynamoStores(viaProxy, tableName, { clock: manualClock() });
    proxy.fail('UpdateItem', 'throttle', 1);
    const before = proxy.calls.UpdateItem ?? 0;
    // Act
    const first = await stores.ledger.start('k1', 'backup', 'run', { leaseMs: HOUR, retryFailed: true });
    // Assess
    expect((proxy.calls.UpdateItem ?? 0) - before).toBe(2);
    expect(first).toEqual({ kind: 'started', previous: new Map() });
    proxy.clear();
  });

  it('reads a partition of more than 1 MB in several pages', async () => {
    // Prepare
    proxy.clear();
    const tableName = await db.createTable();
    const clock = manualClock();
    const stores = createDynamoStores(viaProxy, tableName, { clock });
    const until = new Date(clock.now() + HOUR).toISOString();
    for (let i = 0; i < 300; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          stores.keepAlives.put({
            cluster: `dev-${i + j}`,
            until,
            by: 'x',
            reason: noise(4000, i + j),
            setAt: 'x',
          }),
        ),
      );
    }
    const before = proxy.calls.Query ?? 0;
    // Act
    const active = await stores.keepAlives.active(clock.now());
    // Assess
    expect(active).toHaveLength(300);
    expect((proxy.calls.Query ?? 0) - before).toBeGreaterThanOrEqual(2);
  });
});
