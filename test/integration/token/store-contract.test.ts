// The two TokenStores keep one set of rules: the DynamoDB item (on dynalite) and the memory store a
// container uses without a table answer the same script of leases, publications, pauses, rejections,
// late answers and invalidations the same way.
import { describe, expect, it } from 'vitest';
import { memoryTokenStore } from '#lib/token/memory-store.ts';
import { dynamoTokenStore, type LeaseRequest, type TokenStore } from '#lib/token/shared-store.ts';
import { KEY, T0, useDynalite } from '#test/helpers/token/harness.ts';

const db = useDynalite();

function lease(owner: string, now: number, fingerprint = 'fp-1'): LeaseRequest {
  return {
    owner,
    now,
    leaseMs: 6_000,
    refreshBefore: now + 60_000,
    fingerprint,
    lastAuthBefore: now - 1_100,
  };
}

/** Runs the script against a store; returns what each step answered and what the item held. */
async function script(store: TokenStore): Promise<unknown[]> {
  const steps: unknown[] = [];
  const step = async (label: string, answer: Promise<unknown>) => {
    const value = await answer;
    const state = await store.read(KEY);
    steps.push({
      label,
      answer:
        value && typeof value === 'object' && 'owner' in value
          ? {
              owner: value.owner,
              previousVersion: (value as unknown as { previous: { version?: number } }).previous.version,
            }
          : value,
      state: Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)),
    });
  };
  await step('lease on an empty item', store.tryLease(KEY, lease('a', T0)));
  await step('a second lease while it runs', store.tryLease(KEY, lease('b', T0 + 1)));
  await step('publish by a non-holder', store.publish(KEY, 'b', 'token-b', T0 + 300_000, T0, T0 + 240_000));
  await step('publish by the holder', store.publish(KEY, 'a', 'token-a', T0 + 300_000, T0, T0 + 240_000));
  await step('lease before the refresh point', store.tryLease(KEY, lease('c', T0 + 10_000)));
  await step('lease at the refresh point', store.tryLease(KEY, lease('c', T0 + 240_000)));
  await step(
    'pause recorded by the holder',
    store.recordBlocked(KEY, 'c', T0 + 260_000, 1, 'unavailable', T0 + 240_000),
  );
  await step('lease during the pause', store.tryLease(KEY, lease('d', T0 + 250_000)));
  await step('lease after the pause', store.tryLease(KEY, lease('d', T0 + 260_000)));
  await step('rejection recorded by the holder', store.recordRejected(KEY, 'd', 'fp-1', T0 + 260_000));
  await step('lease for the rejected credentials', store.tryLease(KEY, lease('e', T0 + 262_000)));
  await step('lease for new credentials', store.tryLease(KEY, lease('e', T0 + 262_000, 'fp-2')));
  await step(
    'publish clears pause and rejection',
    store.publish(KEY, 'e', 'token-e', T0 + 560_000, T0 + 262_000),
  );
  await step(
    'late answer living shorter',
    store.publishLate(KEY, 'token-late', T0 + 500_000, T0 + 263_000, T0 + 440_000),
  );
  await step(
    'late answer living longer',
    store.publishLate(KEY, 'token-late', T0 + 600_000, T0 + 263_000, T0 + 540_000),
  );
  await step('invalidate another version', store.invalidate(KEY, 1, T0 + 264_000, T0 + 234_000));
  await step('invalidate this version', store.invalidate(KEY, 3, T0 + 264_000, T0 + 234_000));
  await step('lease paced after the last auth call', store.tryLease(KEY, lease('f', T0 + 263_000)));
  await step('lease with the floor passed', store.tryLease(KEY, lease('f', T0 + 264_000)));
  await step(
    'publish after an invalidation',
    store.publish(KEY, 'f', 'token-f', T0 + 600_000, T0 + 264_000, T0 + 540_000),
  );
  await step(
    'a second invalidation within the interval',
    store.invalidate(KEY, 4, T0 + 270_000, T0 + 240_000),
  );
  await step('one after the interval', store.invalidate(KEY, 4, T0 + 300_000, T0 + 270_000));
  return steps;
}

describe('TokenStore contract', () => {
  it('the memory store answers the script exactly as the DynamoDB store does', async () => {
    // Prepare
    const dynamo = dynamoTokenStore(db().client, await db().createTable());
    const memory = memoryTokenStore();
    // Act
    const fromDynamo = await script(dynamo);
    const fromMemory = await script(memory);
    // Assess
    expect(fromMemory).toEqual(fromDynamo);
    expect(dynamo.scope).toBe('fleet');
    expect(memory.scope).toBe('container');
  });

  it('the script pins the rules themselves (not only the agreement)', async () => {
    // Act
    const steps = (await script(memoryTokenStore())) as { label: string; answer: unknown }[];
    const answers = Object.fromEntries(steps.map((s) => [s.label, s.answer]));
    // Assess
    expect(answers).toEqual({
      'lease on an empty item': { owner: 'a', previousVersion: undefined },
      'a second lease while it runs': undefined,
      'publish by a non-holder': undefined,
      'publish by the holder': 1,
      'lease before the refresh point': undefined,
      'lease at the refresh point': { owner: 'c', previousVersion: 1 },
      'pause recorded by the holder': undefined,
      'lease during the pause': undefined,
      'lease after the pause': { owner: 'd', previousVersion: 1 },
      'rejection recorded by the holder': undefined,
      'lease for the rejected credentials': undefined,
      'lease for new credentials': { owner: 'e', previousVersion: 1 },
      'publish clears pause and rejection': 2,
      'late answer living shorter': undefined,
      'late answer living longer': 3,
      'invalidate another version': false,
      'invalidate this version': true,
      'lease paced after the last auth call': undefined,
      'lease with the floor passed': { owner: 'f', previousVersion: 3 },
      'publish after an invalidation': 4,
      'a second invalidation within the interval': false,
      'one after the interval': true,
    });
  });
});
