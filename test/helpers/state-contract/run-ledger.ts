// The RunLedger part of the state contract: a run's lease, its recorded outcomes and summary, takeovers of
// dead or failed runs, and retention.
import { describe, expect, it } from 'vitest';
import { StateStoreError } from '#lib/state/errors.ts';
import { RETENTION_MS } from '#lib/state/keys.ts';
import { done, failed, HOUR, LEASE, noise, rejection, started, summaryOf } from './fixtures.ts';
import type { StateContractSubject } from './subject.ts';

export function runLedgerContract(label: string, setup: () => Promise<StateContractSubject>): void {
  describe(`${label}: RunLedger`, () => {
    it('starts a new key with no previous outcomes, then answers running while the lease lasts', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const startedAt = new Date(clock.now()).toISOString();
      // Act
      const first = await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      clock.advance(LEASE.leaseMs - 1);
      const second = await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      // Assess
      expect(first).toEqual({ kind: 'started', previous: new Map() });
      expect(second).toEqual({ kind: 'running', since: startedAt });
    });

    it('answers a completed run with its stored summary, whether or not failed runs are retried', async () => {
      // Prepare
      const { stores } = await setup();
      const summary = summaryOf('k1', [done('a', { backupId: 'b-1' }), done('b')], ['a note']);
      await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      await stores.ledger.finish('k1', summary);
      // Act
      const retrying = await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      const firstWins = await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: false });
      // Assess
      expect(retrying).toEqual({ kind: 'completed', summary });
      expect(firstWins).toEqual({ kind: 'completed', summary });
    });

    it('answers a failed run with its summary when failed runs are not retried (webhooks)', async () => {
      // Prepare
      const { stores } = await setup();
      const summary = summaryOf('k1', [done('a'), failed('b')]);
      await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: false });
      await stores.ledger.finish('k1', summary);
      // Act
      const again = await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: false });
      // Assess
      expect(again).toEqual({ kind: 'completed', summary });
      expect(summary.failed).toBe(true);
    });

    it('restarts a failed run with the recorded outcomes when retrying, and holds the lease again', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      await stores.ledger.recordOutcome('k1', done('a'));
      await stores.ledger.recordOutcome('k1', failed('b'));
      await stores.ledger.finish('k1', summaryOf('k1', [done('a'), failed('b')]));
      clock.advance(60_000);
      const retryAt = new Date(clock.now()).toISOString();
      // Act
      const retry = await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      const during = await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      // Assess
      expect(retry).toEqual({
        kind: 'started',
        previous: new Map([
          ['a', done('a')],
          ['b', failed('b')],
        ]),
      });
      expect(during).toEqual({ kind: 'running', since: retryAt });
    });

    it('a retry that succeeds replaces the failed outcome and the stored summary', async () => {
      // Prepare
      const { stores } = await setup();
      await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      await stores.ledger.recordOutcome('k1', done('a'));
      await stores.ledger.recordOutcome('k1', failed('b'));
      await stores.ledger.finish('k1', summaryOf('k1', [done('a'), failed('b')]));
      await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      await stores.ledger.recordOutcome('k1', done('b'));
      const fixed = summaryOf('k1', [done('a'), done('b')]);
      await stores.ledger.finish('k1', fixed);
      // Act
      const afterFix = await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      // Assess
      expect(afterFix).toEqual({ kind: 'completed', summary: fixed });
    });

    it('takes over a run whose lease expired (the invocation died), with its outcomes', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.ledger.start('k1', 'teardown', 'run', { ...LEASE, retryFailed: false });
      await stores.ledger.recordOutcome('k1', done('a'));
      clock.advance(LEASE.leaseMs - 1);
      const stillRunning = await stores.ledger.start('k1', 'teardown', 'run', {
        ...LEASE,
        retryFailed: false,
      });
      clock.advance(1);
      // Act
      const takeover = await stores.ledger.start('k1', 'teardown', 'run', { ...LEASE, retryFailed: false });
      // Assess
      expect(stillRunning.kind).toBe('running');
      expect(takeover).toEqual({ kind: 'started', previous: new Map([['a', done('a')]]) });
    });

    it('keeps the latest outcome recorded for a cluster', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      await stores.ledger.recordOutcome('k1', failed('a'));
      await stores.ledger.recordOutcome('k1', done('a', { attempt: 2 }));
      clock.advance(LEASE.leaseMs);
      // Act
      const takeover = await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      // Assess
      expect(started(takeover)).toEqual(new Map([['a', done('a', { attempt: 2 })]]));
    });

    it('keeps keys apart', async () => {
      // Prepare
      const { stores } = await setup();
      await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true });
      await stores.ledger.recordOutcome('k1', done('a'));
      // Act
      const other = await stores.ledger.start('k1-other', 'backup', 'run', { ...LEASE, retryFailed: true });
      // Assess
      expect(other).toEqual({ kind: 'started', previous: new Map() });
    });

    it('of many concurrent starts of one key exactly one wins, round after round', async () => {
      // Prepare
      const { stores } = await setup();
      const rounds = 25;
      const racers = 8;
      const winners: number[] = [];
      // Act
      for (let round = 0; round < rounds; round++) {
        const results = await Promise.all(
          Array.from({ length: racers }, () =>
            stores.ledger.start(`race-${round}`, 'backup', 'run', { ...LEASE, retryFailed: true }),
          ),
        );
        winners.push(results.filter((r) => r.kind === 'started').length);
        expect(results.filter((r) => r.kind === 'running')).toHaveLength(racers - 1);
      }
      // Assess
      expect(winners).toEqual(Array(rounds).fill(1));
    });

    it('of concurrent takeovers (expired lease, failed run retried) exactly one wins', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const rounds = 10;
      for (let round = 0; round < rounds; round++) {
        await stores.ledger.start(`expired-${round}`, 'backup', 'run', { ...LEASE, retryFailed: true });
        await stores.ledger.start(`failed-${round}`, 'backup', 'run', { ...LEASE, retryFailed: true });
        await stores.ledger.finish(`failed-${round}`, summaryOf(`failed-${round}`, [failed('a')]));
      }
      clock.advance(LEASE.leaseMs);
      const winners: number[] = [];
      // Act
      for (let round = 0; round < rounds; round++) {
        for (const key of [`expired-${round}`, `failed-${round}`]) {
          const results = await Promise.all(
            Array.from({ length: 6 }, () =>
              stores.ledger.start(key, 'backup', 'run', { ...LEASE, retryFailed: true }),
            ),
          );
          winners.push(results.filter((r) => r.kind === 'started').length);
        }
      }
      // Assess
      expect(winners).toEqual(Array(rounds * 2).fill(1));
    });

    it('stores and answers the summary of a 1,000-cluster run whole', async () => {
      // Prepare
      const { stores } = await setup();
      const clusters = Array.from({ length: 1000 }, (_, i) =>
        i % 10 === 0
          ? failed(`cluster-${i}`)
          : done(`cluster-${i}`, { backupId: `backup-${i}`, startedAt: '2026-11-27T02:00:00Z' }),
      );
      const summary = summaryOf('big', clusters);
      await stores.ledger.start('big', 'backup', 'run', { ...LEASE, retryFailed: false });
      await stores.ledger.finish('big', summary);
      // Act
      const again = await stores.ledger.start('big', 'backup', 'run', { ...LEASE, retryFailed: false });
      // Assess
      expect(again).toEqual({ kind: 'completed', summary });
    });

    it('stores a summary too large even compressed in reduced form: counts and failed clusters kept', async () => {
      // Prepare
      const { stores } = await setup();
      const clusters = Array.from({ length: 1000 }, (_, i) =>
        i % 100 === 0 ? failed(`cluster-${i}`) : done(`cluster-${i}`, { blob: noise(1000, i + 1) }),
      );
      const summary = summaryOf('huge', clusters);
      await stores.ledger.start('huge', 'backup', 'run', { ...LEASE, retryFailed: false });
      // Act
      await stores.ledger.finish('huge', summary);
      const again = await stores.ledger.start('huge', 'backup', 'run', { ...LEASE, retryFailed: false });
      // Assess
      expect(again.kind).toBe('completed');
      const stored = again.kind === 'completed' ? again.summary : undefined;
      expect(stored?.counts).toEqual({ done: 990, skipped: 0, failed: 10, deferred: 0 });
      expect(stored?.failed).toBe(true);
      expect(stored?.clusters).toEqual(clusters.filter((c) => c.status === 'failed'));
      expect(stored?.notes).toEqual([
        'stored summary reduced: 990 done/skipped cluster outcome(s) and all details omitted',
      ]);
    });

    it('reads back more than 1 MB of recorded outcomes (pagination)', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.ledger.start('wide', 'backup', 'run', { ...LEASE, retryFailed: true });
      const outcomes = Array.from({ length: 1100 }, (_, i) =>
        done(`c-${String(i).padStart(4, '0')}`, { pad: noise(1000, i + 7) }),
      );
      for (let i = 0; i < outcomes.length; i += 50) {
        await Promise.all(outcomes.slice(i, i + 50).map((o) => stores.ledger.recordOutcome('wide', o)));
      }
      clock.advance(LEASE.leaseMs);
      // Act
      const takeover = await stores.ledger.start('wide', 'backup', 'run', { ...LEASE, retryFailed: true });
      // Assess
      const previous = started(takeover);
      expect(previous?.size).toBe(1100);
      expect(previous).toEqual(new Map(outcomes.map((o) => [o.clusterId, o])));
    });

    it('forgets a record after its retention: the same key then starts afresh', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.ledger.start('old', 'backup', 'run', { ...LEASE, retryFailed: true });
      await stores.ledger.recordOutcome('old', failed('a'));
      await stores.ledger.finish('old', summaryOf('old', [failed('a')]));
      clock.advance(RETENTION_MS.run - HOUR);
      const within = await stores.ledger.start('old', 'backup', 'run', { ...LEASE, retryFailed: false });
      clock.advance(2 * HOUR);
      // Act
      const after = await stores.ledger.start('old', 'backup', 'run', { ...LEASE, retryFailed: true });
      // Assess
      expect(within.kind).toBe('completed');
      expect(after).toEqual({ kind: 'started', previous: new Map() });
    });

    it('refuses an empty idempotency key with a StateStoreError', async () => {
      // Prepare
      const { stores } = await setup();
      // Act
      const err = await rejection(stores.ledger.start('', 'backup', 'run', { ...LEASE, retryFailed: true }));
      // Assess
      expect(err).toBeInstanceOf(StateStoreError);
      expect((err as StateStoreError).operation).toBe('ledger.start');
    });
  });
}
