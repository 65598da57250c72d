// The memory store's edges that the shared script (test/integration/token/store-contract.test.ts, which
// holds it equal to the DynamoDB item) does not walk: calls on a key nobody leased, non-holders, the exact
// boundaries of a late answer and of the invalidation interval, each as the DynamoDB condition decides.
import { describe, expect, it } from 'vitest';
import { memoryTokenStore } from '#lib/token/memory-store.ts';
import type { LeaseRequest } from '#lib/token/shared-store.ts';

const KEY = 'token#client';
const T0 = 1_000_000;

function lease(owner: string, now = T0): LeaseRequest {
  return { owner, now, leaseMs: 6_000, refreshBefore: now + 60_000, fingerprint: 'fp', lastAuthBefore: now };
}

/** A store whose KEY holds `token-1` (version 1), published by its lease holder `a`. */
async function published() {
  const store = memoryTokenStore();
  await store.tryLease(KEY, lease('a'));
  await store.publish(KEY, 'a', 'token-1', T0 + 300_000, T0, T0 + 240_000);
  return store;
}

describe('memoryTokenStore', () => {
  it("is the container's own store", () => {
    expect(memoryTokenStore().scope).toBe('container');
  });

  it('on a key nobody leased: publishing, pausing, rejecting and invalidating do nothing', async () => {
    // Prepare
    const store = memoryTokenStore();
    // Act
    const version = await store.publish(KEY, 'a', 'token-1', T0 + 300_000, T0);
    await store.recordBlocked(KEY, 'a', T0 + 10_000, 1, 'unavailable', T0);
    await store.recordRejected(KEY, 'a', 'fp', T0);
    const invalidated = await store.invalidate(KEY, 1, T0, T0);
    // Assess
    expect(version).toBeUndefined();
    expect(invalidated).toBe(false);
    expect(await store.read(KEY)).toEqual({});
  });

  it("a non-holder's pause or rejection is ignored; the holder's ends its lease", async () => {
    // Prepare
    const store = memoryTokenStore();
    await store.tryLease(KEY, lease('a'));
    // Act
    await store.recordBlocked(KEY, 'b', T0 + 10_000, 1, 'unavailable', T0);
    await store.recordRejected(KEY, 'b', 'fp', T0);
    const afterOthers = await store.read(KEY);
    await store.recordBlocked(KEY, 'a', T0 + 10_000, 1, 'unavailable', T0);
    const afterHolder = await store.read(KEY);
    // Assess
    expect(afterOthers).toMatchObject({ leaseOwner: 'a', leaseUntil: T0 + 6_000 });
    expect(afterOthers.blockedUntil).toBeUndefined();
    expect(afterOthers.rejectedFingerprint).toBeUndefined();
    expect(afterHolder).toMatchObject({ blockedUntil: T0 + 10_000, failures: 1, blockReason: 'unavailable' });
    expect(afterHolder.leaseOwner).toBeUndefined();
    expect(afterHolder.leaseUntil).toBeUndefined();
  });

  it('publishing ends the lease', async () => {
    // Act
    const state = await (await published()).read(KEY);
    // Assess
    expect(state).toMatchObject({ token: 'token-1', version: 1 });
    expect(state.leaseOwner).toBeUndefined();
    expect(state.leaseUntil).toBeUndefined();
  });

  it('a late answer is kept only when it outlives the stored token (on an empty item, always)', async () => {
    // Prepare
    const store = await published();
    const empty = memoryTokenStore();
    // Act
    const same = await store.publishLate(KEY, 'late-same', T0 + 300_000, T0, T0 + 240_000);
    const longer = await store.publishLate(KEY, 'late-longer', T0 + 300_001, T0, T0 + 200_000);
    const onEmpty = await empty.publishLate(KEY, 'late-first', T0 + 1_000, T0, T0 + 500);
    // Assess
    expect(same).toBeUndefined();
    expect(longer).toBe(2);
    expect(await store.read(KEY)).toMatchObject({
      token: 'late-longer',
      expiresAt: T0 + 300_001,
      refreshAt: T0 + 200_000,
    });
    expect(onEmpty).toBe(1);
  });

  it('an invalidation needs the version and a token; the next one waits until the interval has passed', async () => {
    // Prepare
    const store = await published();
    // Act
    const otherVersion = await store.invalidate(KEY, 2, T0, T0);
    const first = await store.invalidate(KEY, 1, T0 + 1_000, T0);
    const noTokenLeft = await store.invalidate(KEY, 1, T0 + 90_000, T0 + 60_000);
    await store.tryLease(KEY, lease('b', T0 + 2_000));
    await store.publish(KEY, 'b', 'token-2', T0 + 302_000, T0 + 2_000);
    const tooSoon = await store.invalidate(KEY, 2, T0 + 3_000, T0 + 999);
    const atTheInterval = await store.invalidate(KEY, 2, T0 + 3_000, T0 + 1_000);
    // Assess
    expect([otherVersion, first, noTokenLeft, tooSoon, atTheInterval]).toEqual([
      false,
      true,
      false,
      false,
      true,
    ]);
    expect((await store.read(KEY)).token).toBeUndefined();
  });
});
