// The RunLedger part of the state contract that concerns who asked: a key reused on another route or with
// another body is a conflict, and webhooks accepted for later are taken over by their start.
import { describe, expect, it } from 'vitest';
import { done, failed, LEASE, summaryOf } from './fixtures.ts';
import type { StateContractSubject } from './subject.ts';

export function runLedgerRequestContract(label: string, setup: () => Promise<StateContractSubject>): void {
  describe(`${label}: RunLedger request identity (route and body digest)`, () => {
    const D1 = 'a'.repeat(64);
    const D2 = 'b'.repeat(64);
    const keepAlive = (bodyDigest: string, retryFailed = false) => ({ ...LEASE, retryFailed, bodyDigest });

    it('answers a conflict naming the first route when the key is reused on another route, and changes nothing', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const startedAt = new Date(clock.now()).toISOString();
      await stores.ledger.start('webhook:x', 'teardown', 'keep-alive', keepAlive(D1));
      // Act
      const otherJob = await stores.ledger.start('webhook:x', 'backup', 'run', keepAlive(D1));
      const otherAction = await stores.ledger.start('webhook:x', 'teardown', 'run', keepAlive(D1));
      const original = await stores.ledger.start('webhook:x', 'teardown', 'keep-alive', keepAlive(D1));
      // Assess
      expect(otherJob).toEqual({ kind: 'conflict', job: 'teardown', action: 'keep-alive', reason: 'route' });
      expect(otherAction).toEqual({
        kind: 'conflict',
        job: 'teardown',
        action: 'keep-alive',
        reason: 'route',
      });
      expect(original).toEqual({ kind: 'running', since: startedAt });
    });

    it('answers a conflict for another body while running, after completion, after the lease expired and after a failure', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.ledger.start('webhook:x', 'teardown', 'keep-alive', keepAlive(D1));
      const conflict = { kind: 'conflict', job: 'teardown', action: 'keep-alive', reason: 'body' };
      // Act
      const whileRunning = await stores.ledger.start('webhook:x', 'teardown', 'keep-alive', keepAlive(D2));
      clock.advance(LEASE.leaseMs + 1);
      const leaseExpired = await stores.ledger.start(
        'webhook:x',
        'teardown',
        'keep-alive',
        keepAlive(D2, true),
      );
      const summary = summaryOf('webhook:x', [failed('c')]);
      await stores.ledger.finish('webhook:x', summary);
      const afterFailure = await stores.ledger.start(
        'webhook:x',
        'teardown',
        'keep-alive',
        keepAlive(D2, true),
      );
      const sameBody = await stores.ledger.start('webhook:x', 'teardown', 'keep-alive', keepAlive(D1));
      // Assess
      expect([whileRunning, leaseExpired, afterFailure]).toEqual([conflict, conflict, conflict]);
      expect(sameBody).toEqual({ kind: 'completed', summary });
    });

    it('restarts an abandoned run of the same route and body as before', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.ledger.start('webhook:x', 'backup', 'run', keepAlive(D1));
      await stores.ledger.recordOutcome('webhook:x', done('a'));
      clock.advance(LEASE.leaseMs + 1);
      // Act
      const again = await stores.ledger.start('webhook:x', 'backup', 'run', keepAlive(D1));
      // Assess
      expect(again).toEqual({ kind: 'started', previous: new Map([['a', done('a')]]) });
    });
  });

  describe(`${label}: RunLedger accepted runs (asynchronous webhooks)`, () => {
    const D1 = 'c'.repeat(64);
    const D2 = 'd'.repeat(64);

    it('accepts a new key once; later accepts answer its state; a start takes it over; get follows it', async () => {
      // Prepare
      const { stores } = await setup();
      // Act
      const first = await stores.ledger.accept('webhook:a', 'teardown', 'run', { bodyDigest: D1 });
      const again = await stores.ledger.accept('webhook:a', 'teardown', 'run', { bodyDigest: D1 });
      const accepted = await stores.ledger.get('webhook:a');
      const start = await stores.ledger.start('webhook:a', 'teardown', 'run', {
        ...LEASE,
        retryFailed: true,
        bodyDigest: D1,
      });
      const running = await stores.ledger.get('webhook:a');
      const summary = summaryOf('webhook:a', [done('x')]);
      await stores.ledger.finish('webhook:a', summary);
      const completed = await stores.ledger.get('webhook:a');
      const afterwards = await stores.ledger.accept('webhook:a', 'teardown', 'run', { bodyDigest: D1 });
      // Assess
      expect(first).toEqual({ kind: 'accepted', state: 'accepted' });
      expect(again).toEqual({ kind: 'existing', state: 'accepted' });
      expect(accepted).toEqual({ state: 'accepted', job: 'teardown', action: 'run' });
      expect(start).toEqual({ kind: 'started', previous: new Map() });
      expect(running).toEqual({ state: 'running', job: 'teardown', action: 'run' });
      expect(completed).toEqual({ state: 'completed', job: 'teardown', action: 'run', summary });
      expect(afterwards).toEqual({ kind: 'existing', state: 'completed' });
      expect(await stores.ledger.get('webhook:none')).toBeUndefined();
    });

    it('answers a conflict for another route or body and changes nothing; a start of another body cannot take it over', async () => {
      // Prepare
      const { stores } = await setup();
      await stores.ledger.accept('webhook:a', 'teardown', 'run', { bodyDigest: D1 });
      // Act
      const otherRoute = await stores.ledger.accept('webhook:a', 'backup', 'run', { bodyDigest: D1 });
      const otherBody = await stores.ledger.accept('webhook:a', 'teardown', 'run', { bodyDigest: D2 });
      const otherStart = await stores.ledger.start('webhook:a', 'teardown', 'run', {
        ...LEASE,
        retryFailed: true,
        bodyDigest: D2,
      });
      // Assess
      expect(otherRoute).toEqual({ kind: 'conflict', job: 'teardown', action: 'run', reason: 'route' });
      expect(otherBody).toEqual({ kind: 'conflict', job: 'teardown', action: 'run', reason: 'body' });
      expect(otherStart).toEqual({ kind: 'conflict', job: 'teardown', action: 'run', reason: 'body' });
      expect(await stores.ledger.get('webhook:a')).toEqual({
        state: 'accepted',
        job: 'teardown',
        action: 'run',
      });
    });
  });
}
