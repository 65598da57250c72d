// The in-memory state fakes other unit tests use: held to the same contract as the DynamoDB adapters,
// plus their test helpers (fault injection, call counts, inspection).
import { describe, expect, it } from 'vitest';
import { StateStoreError } from '#lib/state/errors.ts';
import { manualClock } from '#test/fakes/clock.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import { done, failed, stateStoreContract, summaryOf } from '#test/helpers/state-contract.ts';

stateStoreContract('memory', async () => {
  const clock = manualClock();
  const stores = createMemoryStores(clock);
  return {
    stores,
    clock,
    breakStorage: (fault) => stores.fail('*', fault),
    healStorage: () => stores.heal(),
    plantCorrupt: async (kind, key) => stores.plantCorrupt(kind, key),
  };
});

describe('memory stores: test helpers', () => {
  it('fails only the named operation, only as often as asked, and counts every call', async () => {
    // Prepare
    const stores = createMemoryStores(manualClock());
    stores.fail('keepAlives.active', 'throttle', 2);
    // Act
    const first = await stores.keepAlives.active(0).catch((e: unknown) => e);
    const second = await stores.keepAlives.active(0).catch((e: unknown) => e);
    const third = await stores.keepAlives.active(0);
    const claim = await stores.claims.claim('backup', 'c1', 'me', 1000);
    // Assess
    expect(first).toBeInstanceOf(StateStoreError);
    expect((first as StateStoreError).message).toBe(
      'keepAlives.active failed: ThrottlingException: Rate of requests exceeds the allowed throughput.',
    );
    expect(second).toBeInstanceOf(StateStoreError);
    expect(third).toEqual([]);
    expect(claim).toBe(true);
    expect(stores.calls).toEqual({ 'keepAlives.active': 3, 'claims.claim': 1 });
  });

  it('shows the run record, its outcomes and the claims it holds', async () => {
    // Prepare
    const clock = manualClock('2026-11-27T02:00:00Z');
    const stores = createMemoryStores(clock);
    await stores.ledger.start('k1', 'backup', 'run', { leaseMs: 60_000, retryFailed: true });
    await stores.ledger.recordOutcome('k1', done('a'));
    await stores.ledger.recordOutcome('k1', failed('b'));
    await stores.claims.claim('backup', 'a', 'owner-1', 60_000);
    const running = stores.inspect.run('k1');
    const summary = summaryOf('k1', [done('a'), failed('b')]);
    // Act
    await stores.ledger.finish('k1', summary);
    // Assess
    expect(running).toEqual({
      status: 'running',
      job: 'backup',
      action: 'run',
      startedAt: '2026-11-27T02:00:00.000Z',
      leaseUntil: clock.now() + 60_000,
      attempts: 1,
      outcomes: [done('a'), failed('b')],
    });
    expect(stores.inspect.run('k1')).toMatchObject({ status: 'completed', failed: true, summary });
    expect(stores.inspect.run('unknown')).toBeUndefined();
    expect(stores.inspect.claim('backup', 'a')).toEqual({ owner: 'owner-1', until: clock.now() + 60_000 });
    expect(stores.inspect.claim('teardown', 'a')).toBeUndefined();
  });

  it('hands out copies: changing what was put or read does not change the store', async () => {
    // Prepare
    const stores = createMemoryStores(manualClock());
    const entries = [{ cidr: '10.0.0.1/32', description: 'a' }];
    await stores.allowlistSources.put('vpn', entries, undefined, 0);
    const state = { pending: ['b-1'] };
    await stores.backupTracking.put('c1', state);
    // Act
    entries.push({ cidr: '10.0.0.2/32', description: 'b' });
    state.pending.push('b-2');
    (await stores.backupTracking.get('c1')).pending.push('b-3');
    // Assess
    expect((await stores.allowlistSources.list())[0]?.entries).toEqual([
      { cidr: '10.0.0.1/32', description: 'a' },
    ]);
    expect(await stores.backupTracking.get('c1')).toEqual({ pending: ['b-1'] });
  });
});
