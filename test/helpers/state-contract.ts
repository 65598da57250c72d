// The one contract every implementation of the state ports must meet: the DynamoDB adapters (run in
// test/integration/state against dynalite) and the in-memory fakes (test/unit/state). Each test gets a
// fresh subject from `setup`: empty stores, a manual clock, and a switch that breaks the storage below.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot, LedgerStart } from '#lib/jobs/ports.ts';
import type { ClusterOutcome, RunSummary } from '#lib/jobs/types.ts';
import type { StateStores } from '#lib/state/dynamo.ts';
import { STATE_OPERATIONS, type StateOperation, StateStoreError } from '#lib/state/errors.ts';
import { RETENTION_MS } from '#lib/state/keys.ts';
import type { ManualClock } from '#test/fakes/clock.ts';
import { managedSecretStoreContract } from './managed-secrets-contract.ts';

export interface StateContractSubject {
  stores: StateStores;
  clock: ManualClock;
  /** Every storage call below the stores fails this way until `healStorage()`. */
  breakStorage(fault: 'throttle' | 'reset'): void;
  healStorage(): void;
  /**
   * Writes an unreadable item the way a bad manual edit or a bug would: a snapshot whose saved JSON is cut
   * off, or a keep-alive without its until.
   */
  plantCorrupt(kind: 'snapshot' | 'keepAlive', key: string): Promise<void>;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const LEASE = { leaseMs: 15 * 60_000 };

export const done = (clusterId: string, extra: Record<string, unknown> = {}): ClusterOutcome => ({
  clusterId,
  clusterName: `name-${clusterId}`,
  status: 'done',
  action: 'backup-created',
  ...(Object.keys(extra).length ? { detail: extra } : {}),
});

export const failed = (clusterId: string): ClusterOutcome => ({
  clusterId,
  clusterName: `name-${clusterId}`,
  status: 'failed',
  error: 'ConsoleApiError: 503 from POST /clusters/x/backups',
});

export function summaryOf(key: string, clusters: ClusterOutcome[], notes: string[] = []): RunSummary {
  const counts = { done: 0, skipped: 0, failed: 0, deferred: 0 };
  for (const c of clusters) counts[c.status]++;
  return {
    job: 'backup',
    action: 'run',
    idempotencyKey: key,
    trigger: 'schedule',
    dryRun: false,
    startedAt: '2026-11-27T02:00:00.000Z',
    finishedAt: '2026-11-27T02:01:00.000Z',
    counts,
    clusters,
    notes,
    failed: counts.failed > 0,
  };
}

export function snapshotOf(name: string, overrides: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    clusterId: `id-${name}`,
    name,
    description: 'dev cluster',
    labels: ['dev', 'team-a'],
    planType: { uuid: 'plan-1', name: 'Enterprise' },
    region: { uuid: 'reg-1', name: 'Europe West 1' },
    channel: { uuid: 'ch-1', name: 'Stable' },
    generation: { uuid: 'gen-1', name: '8.6.0' },
    allowlist: [{ description: 'office', ip: '203.0.113.0/24' }],
    takenAt: '2026-11-26T22:00:00.000Z',
    teardownKey: 'teardown:run:2026-11-26T22:00:00Z',
    status: 'deleted',
    updatedAt: '2026-11-26T22:00:00.000Z',
    ...overrides,
  };
}

/** Deterministic filler that gzip cannot shrink much (a SHA-256 stream as base64url). */
export function noise(length: number, seed: number): string {
  let out = '';
  for (let block = 0; out.length < length; block++) {
    out += createHash('sha256').update(`${seed}:${block}`).digest('base64url');
  }
  return out.slice(0, length);
}

const started = (r: LedgerStart) => (r.kind === 'started' ? r.previous : undefined);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  return undefined;
}

export function stateStoreContract(label: string, setup: () => Promise<StateContractSubject>): void {
  managedSecretStoreContract(label, setup);
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

  describe(`${label}: ClusterClaims`, () => {
    it('grants a free claim, refuses another owner, and is re-entrant for the holder', async () => {
      // Prepare
      const { stores } = await setup();
      // Act
      const a = await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      const b = await stores.claims.claim('backup', 'c1', 'owner-b', HOUR);
      const aAgain = await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      // Assess
      expect([a, b, aAgain]).toEqual([true, false, true]);
    });

    it('claims per job: another job may hold the same cluster', async () => {
      // Prepare
      const { stores } = await setup();
      await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      // Act
      const other = await stores.claims.claim('teardown', 'c1', 'owner-b', HOUR);
      // Assess
      expect(other).toBe(true);
    });

    it('lets an expired claim be taken over, after which the old owner is refused', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.claims.claim('teardown', 'c1', 'owner-a', HOUR);
      clock.advance(HOUR - 1);
      const early = await stores.claims.claim('teardown', 'c1', 'owner-b', HOUR);
      clock.advance(1);
      // Act
      const takeover = await stores.claims.claim('teardown', 'c1', 'owner-b', HOUR);
      const oldOwner = await stores.claims.claim('teardown', 'c1', 'owner-a', HOUR);
      // Assess
      expect([early, takeover, oldOwner]).toEqual([false, true, false]);
    });

    it('a re-entrant claim extends the lease', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      clock.advance(HOUR - 1);
      await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      clock.advance(HOUR - 1);
      // Act
      const other = await stores.claims.claim('backup', 'c1', 'owner-b', HOUR);
      // Assess
      expect(other).toBe(false);
    });

    it('releases only for the owner', async () => {
      // Prepare
      const { stores } = await setup();
      await stores.claims.claim('backup', 'c1', 'owner-a', HOUR);
      // Act
      await stores.claims.release('backup', 'c1', 'owner-b');
      const whileHeld = await stores.claims.claim('backup', 'c1', 'owner-c', HOUR);
      await stores.claims.release('backup', 'c1', 'owner-a');
      const afterRelease = await stores.claims.claim('backup', 'c1', 'owner-c', HOUR);
      // Assess
      expect([whileHeld, afterRelease]).toEqual([false, true]);
    });

    it('releasing a claim that is not held is a no-op', async () => {
      // Prepare
      const { stores } = await setup();
      // Act
      await stores.claims.release('backup', 'never-claimed', 'owner-a');
      const claim = await stores.claims.claim('backup', 'never-claimed', 'owner-b', HOUR);
      // Assess
      expect(claim).toBe(true);
    });

    it('of many concurrent claims exactly one owner wins, round after round', async () => {
      // Prepare
      const { stores } = await setup();
      const rounds = 20;
      const winners: number[] = [];
      // Act
      for (let round = 0; round < rounds; round++) {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            stores.claims.claim('backup', `race-${round}`, `owner-${i}`, HOUR),
          ),
        );
        winners.push(results.filter(Boolean).length);
      }
      // Assess
      expect(winners).toEqual(Array(rounds).fill(1));
    });
  });

  describe(`${label}: KeepAliveStore`, () => {
    const keepAlive = (cluster: string, until: string, reason = 'demo tomorrow') => ({
      cluster,
      until,
      by: 'alice@example.com',
      reason,
      setAt: '2026-11-26T18:00:00.000Z',
    });

    it('lists keep-alives whose until is after now and ignores expired ones still stored', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      const later = keepAlive('dev-a', new Date(now + 2 * HOUR).toISOString());
      const expired = keepAlive('dev-b', new Date(now - 1).toISOString());
      const exactlyNow = keepAlive('dev-c', new Date(now).toISOString());
      for (const k of [later, expired, exactlyNow]) await stores.keepAlives.put(k);
      // Act
      const active = await stores.keepAlives.active(now);
      const laterStill = await stores.keepAlives.active(now + 2 * HOUR);
      // Assess
      expect(active).toEqual([later]);
      expect(laterStill).toEqual([]);
    });

    it('replaces the keep-alive of a cluster', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      await stores.keepAlives.put(keepAlive('dev-a', new Date(now + HOUR).toISOString(), 'first'));
      const second = keepAlive('dev-a', new Date(now + 3 * HOUR).toISOString(), 'second');
      // Act
      await stores.keepAlives.put(second);
      // Assess
      expect(await stores.keepAlives.active(now + 2 * HOUR)).toEqual([second]);
    });

    it('never replaces a keep-alive lasting at least as long, and says which one is in force', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      const long = keepAlive('dev-a', new Date(now + 5 * HOUR).toISOString(), 'long');
      const first = await stores.keepAlives.put(long);
      // Act
      const shorter = await stores.keepAlives.put(
        keepAlive('dev-a', new Date(now + HOUR).toISOString(), 's'),
      );
      const same = await stores.keepAlives.put(keepAlive('dev-a', long.until, 'same until'));
      // Assess
      expect(first).toEqual({ stored: true });
      expect(shorter).toEqual({ stored: false, inForce: long });
      expect(same).toEqual({ stored: false, inForce: long });
      expect(await stores.keepAlives.active(now)).toEqual([long]);
    });

    it('replaces an expired keep-alive still stored, whatever its until', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      await stores.keepAlives.put(keepAlive('dev-a', new Date(now + HOUR).toISOString(), 'old'));
      clock.advance(2 * HOUR);
      const fresh = keepAlive('dev-a', new Date(clock.now() + 30 * 60_000).toISOString(), 'new');
      // Act
      const put = await stores.keepAlives.put(fresh);
      // Assess
      expect(put).toEqual({ stored: true });
      expect(await stores.keepAlives.active(clock.now())).toEqual([fresh]);
    });

    it('of many concurrent puts for one cluster the longest until is in force, round after round', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      const rounds = 10;
      const inForce: string[] = [];
      const expected: string[] = [];
      // Act
      for (let round = 0; round < rounds; round++) {
        // A different arrival order each round; the longest is at a different position.
        const hours = Array.from({ length: 6 }, (_, i) => 1 + ((i * 7 + round * 3) % 11));
        const results = await Promise.all(
          hours.map((hh, i) =>
            stores.keepAlives.put(
              keepAlive(`race-${round}`, new Date(now + hh * HOUR).toISOString(), `r${i}`),
            ),
          ),
        );
        expect(results.some((r) => r.stored)).toBe(true);
        const stored = (await stores.keepAlives.active(now)).find((k) => k.cluster === `race-${round}`);
        inForce.push(stored?.until ?? 'none');
        expected.push(new Date(now + Math.max(...hours) * HOUR).toISOString());
      }
      // Assess
      expect(inForce).toEqual(expected);
    });

    it('lists more than 1 MB of keep-alives (pagination)', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const until = new Date(clock.now() + HOUR).toISOString();
      const all = Array.from({ length: 300 }, (_, i) =>
        keepAlive(`dev-${String(i).padStart(3, '0')}`, until, noise(4000, i + 3)),
      );
      for (let i = 0; i < all.length; i += 50) {
        await Promise.all(all.slice(i, i + 50).map((k) => stores.keepAlives.put(k)));
      }
      // Act
      const active = await stores.keepAlives.active(clock.now());
      // Assess
      expect(active).toEqual(all);
    });

    it('refuses an until that is not an instant', async () => {
      // Prepare
      const { stores } = await setup();
      // Act
      const err = await rejection(stores.keepAlives.put(keepAlive('dev-a', 'tomorrow')));
      // Assess
      expect(err).toBeInstanceOf(StateStoreError);
      expect(await stores.keepAlives.active(0)).toEqual([]);
    });
  });

  describe(`${label}: SnapshotStore`, () => {
    it('saves and gets a snapshot as it was given, optional fields absent or present', async () => {
      // Prepare
      const { stores } = await setup();
      const full = snapshotOf('dev-a', {
        backupRegion: { uuid: 'reg-2', name: 'Europe West 3' },
        newClusterId: 'new-1',
        note: 'recreated once',
        status: 'recreated',
      });
      const { description: _d, ...bare } = snapshotOf('dev-b', { allowlist: [], labels: [] });
      // Act
      await stores.snapshots.save(full);
      await stores.snapshots.save(bare);
      // Assess
      expect(await stores.snapshots.get('dev-a')).toEqual(full);
      expect(await stores.snapshots.get('dev-b')).toEqual(bare);
      expect(await stores.snapshots.get('dev-c')).toBeUndefined();
    });

    it('a newer teardown replaces the snapshot of the same name', async () => {
      // Prepare
      const { stores } = await setup();
      await stores.snapshots.save(snapshotOf('dev-a', { status: 'done', newClusterId: 'x', note: 'old' }));
      const newer = snapshotOf('dev-a', { clusterId: 'id-2', teardownKey: 'teardown:run:next' });
      // Act
      await stores.snapshots.save(newer);
      // Assess
      expect(await stores.snapshots.get('dev-a')).toEqual(newer);
    });

    it('keeps the sealed secrets and client list of a v2 snapshot, and drops only the sealed values', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const sealed = {
        v: 1 as const,
        kind: 'local' as const,
        key: 'a2V5',
        iv: 'aXY=',
        tag: 'dGFn',
        data: 'ZGF0YQ==',
      };
      const v2 = snapshotOf('dev-a', {
        autoUpdate: false,
        encryptionType: 'Software',
        secrets: { names: ['A', 'B'], sealed, sealedFor: { clusterId: 'id-dev-a', clusterName: 'dev-a' } },
        apiClients: [{ name: 'worker', permissions: ['Zeebe'] }],
      });
      await stores.snapshots.save(v2);
      expect(await stores.snapshots.get('dev-a')).toEqual(v2);
      await stores.snapshots.transition('dev-a', 'deleted', { status: 'recreating' }, clock.now());
      // Act
      await stores.snapshots.dropSecrets('dev-a');
      await stores.snapshots.dropSecrets('dev-a'); // twice: a no-op
      await stores.snapshots.dropSecrets('dev-unknown');
      // Assess
      const after = await stores.snapshots.get('dev-a');
      expect(after?.secrets).toEqual({ names: ['A', 'B'], sealedFor: v2.secrets?.sealedFor });
      expect(after?.status).toBe('recreating');
      expect(after?.apiClients).toEqual(v2.apiClients);
      expect(await stores.snapshots.get('dev-unknown')).toBeUndefined();
    });

    it('lists all snapshots or those in the given statuses', async () => {
      // Prepare
      const { stores } = await setup();
      const a = snapshotOf('dev-a');
      const b = snapshotOf('dev-b', { status: 'recreating', newClusterId: 'n-b' });
      const c = snapshotOf('dev-c', { status: 'done' });
      for (const snap of [c, a, b]) await stores.snapshots.save(snap);
      // Act
      const all = await stores.snapshots.list();
      const open = await stores.snapshots.list(['deleted', 'recreating']);
      const none = await stores.snapshots.list([]);
      // Assess
      expect(all).toEqual([a, b, c]);
      expect(open).toEqual([a, b]);
      expect(none).toEqual([]);
    });

    it('transitions from the current status only, keeping what teardown saved', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const snap = snapshotOf('dev-a');
      await stores.snapshots.save(snap);
      const now = clock.now();
      // Act
      const moved = await stores.snapshots.transition(
        'dev-a',
        'deleted',
        { status: 'recreating', newClusterId: 'new-1' },
        now,
      );
      const wrongFrom = await stores.snapshots.transition(
        'dev-a',
        'deleted',
        { status: 'failed', note: 'x' },
        now,
      );
      const missing = await stores.snapshots.transition('dev-x', 'deleted', { status: 'recreating' }, now);
      const noted = await stores.snapshots.transition(
        'dev-a',
        'recreating',
        { status: 'failed', note: 'create refused' },
        now + 1000,
      );
      // Assess
      expect([moved, wrongFrom, missing, noted]).toEqual([true, false, false, true]);
      expect(await stores.snapshots.get('dev-a')).toEqual({
        ...snap,
        status: 'failed',
        newClusterId: 'new-1',
        note: 'create refused',
        updatedAt: new Date(now + 1000).toISOString(),
      });
    });

    it('of many concurrent transitions from one status exactly one wins, and its change is kept', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const rounds = 10;
      for (let round = 0; round < rounds; round++) await stores.snapshots.save(snapshotOf(`dev-${round}`));
      const winners: number[] = [];
      // Act
      for (let round = 0; round < rounds; round++) {
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            stores.snapshots.transition(
              `dev-${round}`,
              'deleted',
              { status: 'recreating', newClusterId: `new-${i}` },
              clock.now(),
            ),
          ),
        );
        winners.push(results.filter(Boolean).length);
        const winner = results.indexOf(true);
        expect((await stores.snapshots.get(`dev-${round}`))?.newClusterId).toBe(`new-${winner}`);
      }
      // Assess
      expect(winners).toEqual(Array(rounds).fill(1));
    });

    it('forgets a snapshot 90 days after its last change', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.snapshots.save(snapshotOf('dev-a'));
      await stores.snapshots.save(snapshotOf('dev-b'));
      clock.advance(RETENTION_MS.snapshot - DAY);
      await stores.snapshots.transition('dev-b', 'deleted', { status: 'recreating' }, clock.now());
      clock.advance(2 * DAY);
      // Act
      const gone = await stores.snapshots.get('dev-a');
      const listed = await stores.snapshots.list();
      const moved = await stores.snapshots.transition(
        'dev-a',
        'deleted',
        { status: 'recreating' },
        clock.now(),
      );
      // Assess
      expect(gone).toBeUndefined();
      expect(listed.map((s) => s.name)).toEqual(['dev-b']);
      expect(moved).toBe(false);
    });

    it('lists more than 1 MB of snapshots (pagination)', async () => {
      // Prepare
      const { stores } = await setup();
      const all = Array.from({ length: 300 }, (_, i) =>
        snapshotOf(`dev-${String(i).padStart(3, '0')}`, {
          allowlist: Array.from({ length: 40 }, (_, j) => ({
            description: noise(90, i * 100 + j + 1),
            ip: `10.0.${j}.0/24`,
          })),
        }),
      );
      for (let i = 0; i < all.length; i += 50) {
        await Promise.all(all.slice(i, i + 50).map((s) => stores.snapshots.save(s)));
      }
      // Act
      const listed = await stores.snapshots.list(['deleted']);
      // Assess
      expect(listed).toEqual(all);
    });
  });

  describe(`${label}: unreadable items`, () => {
    it('a corrupt snapshot is listed apart with the reason; the readable ones are listed; get names it', async () => {
      // Prepare
      const { stores, plantCorrupt } = await setup();
      await stores.snapshots.save(snapshotOf('dev-a'));
      await stores.snapshots.save(snapshotOf('dev-c'));
      await plantCorrupt('snapshot', 'dev-b');
      // Act
      const listing = await stores.snapshots.listing(['deleted']);
      const got = await rejection(stores.snapshots.get('dev-b'));
      const listed = await rejection(stores.snapshots.list());
      // Assess
      expect(listing.snapshots.map((s) => s.name)).toEqual(['dev-a', 'dev-c']);
      expect(listing.unreadable).toEqual([
        { key: 'dev-b', reason: expect.stringMatching(/stored snapshot is not valid JSON/) },
      ]);
      expect(got).toBeInstanceOf(StateStoreError);
      expect((got as Error).message).toMatch(/dev-b/);
      expect(listed).toBeInstanceOf(StateStoreError);
    });

    it('a corrupt keep-alive is listed apart under its cluster, never as no keep-alive', async () => {
      // Prepare
      const { stores, clock, plantCorrupt } = await setup();
      const now = clock.now();
      const fine = {
        cluster: 'dev-a',
        until: new Date(now + HOUR).toISOString(),
        by: 'alice',
        reason: 'demo',
        setAt: new Date(now).toISOString(),
      };
      await stores.keepAlives.put(fine);
      await plantCorrupt('keepAlive', 'dev-b');
      // Act
      const listing = await stores.keepAlives.listing(now);
      const active = await rejection(stores.keepAlives.active(now));
      // Assess
      expect(listing.keepAlives).toEqual([fine]);
      expect(listing.unreadable).toEqual([{ key: 'dev-b', reason: expect.stringMatching(/untilMs/) }]);
      expect(active).toBeInstanceOf(StateStoreError);
    });

    it('a valid keep-alive replaces a corrupt one', async () => {
      // Prepare
      const { stores, clock, plantCorrupt } = await setup();
      const now = clock.now();
      await plantCorrupt('keepAlive', 'dev-b');
      const fresh = {
        cluster: 'dev-b',
        until: new Date(now + HOUR).toISOString(),
        by: 'bob',
        reason: 'r',
        setAt: new Date(now).toISOString(),
      };
      // Act
      const put = await stores.keepAlives.put(fresh);
      // Assess
      expect(put).toEqual({ stored: true });
      expect(await stores.keepAlives.listing(now)).toEqual({ keepAlives: [fresh], unreadable: [] });
    });
  });

  describe(`${label}: TeardownWindowStore`, () => {
    const W = '2026-11-26';

    it('answers an unknown window with nothing noticed and nothing reserved', async () => {
      // Prepare
      const { stores } = await setup();
      // Act
      const state = await stores.teardownWindows.get(W);
      // Assess
      expect(state).toEqual({ noticed: [], reserved: [] });
    });

    it('records what scheduled notices listed, adding to what the window already holds', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      // Act
      await stores.teardownWindows.recordNotice(W, ['c2', 'c1'], now);
      await stores.teardownWindows.recordNotice(W, ['c3', 'c1'], now + 1000);
      await stores.teardownWindows.recordNotice('2026-11-27', [], now);
      // Assess
      expect(await stores.teardownWindows.get(W)).toEqual({
        noticedAt: new Date(now + 1000).toISOString(),
        noticed: ['c1', 'c2', 'c3'],
        reserved: [],
      });
      expect(await stores.teardownWindows.get('2026-11-27')).toEqual({
        noticedAt: new Date(now).toISOString(),
        noticed: [],
        reserved: [],
      });
    });

    it('grants reservations up to the limit, again for a cluster already reserved, and keeps windows apart', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      const reserve = (id: string, window = W) => stores.teardownWindows.reserve(window, id, 2, now);
      // Act
      const results = [await reserve('c1'), await reserve('c2'), await reserve('c3'), await reserve('c1')];
      const otherWindow = await reserve('c3', '2026-11-27');
      // Assess
      expect(results).toEqual([
        { granted: true, reserved: 1 },
        { granted: true, reserved: 2 },
        { granted: false, reserved: 2 },
        { granted: true, reserved: 2 },
      ]);
      expect(otherWindow).toEqual({ granted: true, reserved: 1 });
      expect((await stores.teardownWindows.get(W)).reserved).toEqual(['c1', 'c2']);
    });

    it('gives a reservation back, after which another cluster fits; releasing what is not held is a no-op', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      await stores.teardownWindows.reserve(W, 'c1', 1, now);
      // Act
      await stores.teardownWindows.release(W, 'c1', now);
      await stores.teardownWindows.release(W, 'never', now);
      await stores.teardownWindows.release('2026-01-01', 'c1', now);
      const next = await stores.teardownWindows.reserve(W, 'c2', 1, now);
      // Assess
      expect(next).toEqual({ granted: true, reserved: 1 });
      expect(await stores.teardownWindows.get('2026-01-01')).toEqual({ noticed: [], reserved: [] });
    });

    it('refuses a limit below 1 with a StateStoreError', async () => {
      // Prepare
      const { stores, clock } = await setup();
      // Act
      const err = await rejection(stores.teardownWindows.reserve(W, 'c1', 0, clock.now()));
      // Assess
      expect(err).toBeInstanceOf(StateStoreError);
      expect((await stores.teardownWindows.get(W)).reserved).toEqual([]);
    });

    it('of many concurrent reservations for distinct clusters exactly the limit are granted, round after round', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const rounds = 8;
      const granted: number[] = [];
      const stored: number[] = [];
      // Act
      for (let round = 0; round < rounds; round++) {
        const window = `2026-10-${String(round + 1).padStart(2, '0')}`;
        const results = await Promise.all(
          Array.from({ length: 15 }, (_, i) =>
            stores.teardownWindows.reserve(window, `c${i % 12}`, 5, clock.now()),
          ),
        );
        const ids = new Set(results.flatMap((r, i) => (r.granted ? [`c${i % 12}`] : [])));
        granted.push(ids.size);
        stored.push((await stores.teardownWindows.get(window)).reserved.length);
      }
      // Assess
      expect(granted).toEqual(Array(rounds).fill(5));
      expect(stored).toEqual(Array(rounds).fill(5));
    });
  });

  describe(`${label}: AllowlistSourceStore`, () => {
    it('replaces a source whole and increments its version', async () => {
      // Prepare
      const { stores, clock } = await setup();
      const now = clock.now();
      // Act
      const v1 = await stores.allowlistSources.put(
        'vpn',
        [{ cidr: '198.51.100.0/24', description: 'vpn a' }],
        'ci',
        now,
      );
      const v2 = await stores.allowlistSources.put(
        'vpn',
        [{ cidr: '198.51.100.7/32', description: 'vpn b' }],
        undefined,
        now + 1000,
      );
      const other = await stores.allowlistSources.put('office', [], 'bob', now);
      // Assess
      expect([v1, v2, other]).toEqual([1, 2, 1]);
      expect(await stores.allowlistSources.list()).toEqual([
        { name: 'office', entries: [], updatedAt: new Date(now).toISOString(), updatedBy: 'bob', version: 1 },
        {
          name: 'vpn',
          entries: [{ cidr: '198.51.100.7/32', description: 'vpn b' }],
          updatedAt: new Date(now + 1000).toISOString(),
          version: 2,
        },
      ]);
    });

    it('gives concurrent puts distinct versions', async () => {
      // Prepare
      const { stores, clock } = await setup();
      // Act
      const versions = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          stores.allowlistSources.put(
            'vpn',
            [{ cidr: `10.0.0.${i}/32`, description: `n${i}` }],
            'ci',
            clock.now(),
          ),
        ),
      );
      // Assess
      expect([...versions].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const [stored] = await stores.allowlistSources.list();
      expect(stored?.version).toBe(10);
    });

    it('never expires a source', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.allowlistSources.put(
        'vpn',
        [{ cidr: '10.0.0.1/32', description: 'x' }],
        'ci',
        clock.now(),
      );
      clock.advance(400 * DAY);
      // Act
      const listed = await stores.allowlistSources.list();
      // Assess
      expect(listed.map((s) => s.name)).toEqual(['vpn']);
    });
  });

  describe(`${label}: BackupTrackingStore`, () => {
    it('answers an unknown cluster with nothing pending, and a stored state as put', async () => {
      // Prepare
      const { stores } = await setup();
      const state = { lastCheckedAt: '2026-11-27T02:00:00.000Z', pending: ['b-1', 'b-2'] };
      // Act
      const unknown = await stores.backupTracking.get('c1');
      await stores.backupTracking.put('c1', state);
      await stores.backupTracking.put('c2', { pending: [] });
      // Assess
      expect(unknown).toEqual({ pending: [] });
      expect(await stores.backupTracking.get('c1')).toEqual(state);
      expect(await stores.backupTracking.get('c2')).toEqual({ pending: [] });
    });

    it('keeps the ids of our backups and the drill record as put', async () => {
      // Prepare
      const { stores } = await setup();
      const state = {
        lastCheckedAt: '2026-11-27T02:00:00.000Z',
        pending: [],
        ours: ['b-1', 'b-2'],
        drill: {
          drillId: 'd-1',
          step: 'restore-requested' as const,
          startedAt: '2026-11-27T02:00:00.000Z',
          backupId: 'b-2',
          restoreId: 'r-1',
          updatedAt: '2026-11-27T02:10:00.000Z',
        },
      };
      // Act
      await stores.backupTracking.put('c1', state);
      // Assess
      expect(await stores.backupTracking.get('c1')).toEqual(state);
    });

    it('replaces the state and forgets it 30 days after the last put', async () => {
      // Prepare
      const { stores, clock } = await setup();
      await stores.backupTracking.put('c1', { lastCheckedAt: 'a', pending: ['b-1'] });
      await stores.backupTracking.put('c1', { lastCheckedAt: 'b', pending: [] });
      const replaced = await stores.backupTracking.get('c1');
      clock.advance(RETENTION_MS.backupTracking);
      // Act
      const forgotten = await stores.backupTracking.get('c1');
      // Assess
      expect(replaced).toEqual({ lastCheckedAt: 'b', pending: [] });
      expect(forgotten).toEqual({ pending: [] });
    });
  });

  describe(`${label}: storage faults`, () => {
    const calls: Record<StateOperation, (s: StateStores, now: number) => Promise<unknown>> = {
      'ledger.start': (s) => s.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true }),
      'ledger.recordOutcome': (s) => s.ledger.recordOutcome('k1', done('a')),
      'ledger.finish': (s) => s.ledger.finish('k1', summaryOf('k1', [])),
      'ledger.accept': (s) => s.ledger.accept('k1', 'backup', 'run', { bodyDigest: 'd' }),
      'ledger.get': (s) => s.ledger.get('k1'),
      'claims.claim': (s) => s.claims.claim('backup', 'c1', 'owner-a', HOUR),
      'claims.release': (s) => s.claims.release('backup', 'c1', 'owner-a'),
      'keepAlives.put': (s, now) =>
        s.keepAlives.put({
          cluster: 'dev-z',
          until: new Date(now + HOUR).toISOString(),
          by: 'x',
          reason: 'y',
          setAt: 'z',
        }),
      'keepAlives.active': (s, now) => s.keepAlives.active(now),
      'snapshots.save': (s) => s.snapshots.save(snapshotOf('dev-z')),
      'snapshots.get': (s) => s.snapshots.get('dev-a'),
      'snapshots.list': (s) => s.snapshots.list(),
      'snapshots.transition': (s, now) =>
        s.snapshots.transition('dev-a', 'deleted', { status: 'recreating' }, now),
      'snapshots.dropSecrets': (s) => s.snapshots.dropSecrets('dev-a'),
      'teardownWindows.get': (s) => s.teardownWindows.get('2026-11-26'),
      'teardownWindows.recordNotice': (s, now) => s.teardownWindows.recordNotice('2026-11-26', ['c9'], now),
      'teardownWindows.reserve': (s, now) => s.teardownWindows.reserve('2026-11-26', 'c9', 5, now),
      'teardownWindows.release': (s, now) => s.teardownWindows.release('2026-11-26', 'c1', now),
      'allowlistSources.put': (s, now) => s.allowlistSources.put('vpn', [], 'ci', now),
      'allowlistSources.list': (s) => s.allowlistSources.list(),
      'backupTracking.get': (s) => s.backupTracking.get('c1'),
      'backupTracking.put': (s) => s.backupTracking.put('c1', { pending: [] }),
      'managedSecrets.list': (s) => s.managedSecrets.list('c1'),
      'managedSecrets.put': (s) =>
        s.managedSecrets.put('c1', { name: 'K', source: 's', from: 'f', digest: 'd', updatedAt: 'u' }),
      'managedSecrets.remove': (s) => s.managedSecrets.remove('c1', 'K'),
    };

    for (const fault of ['throttle', 'reset'] as const) {
      it(`surfaces a ${fault} on every operation as a StateStoreError, never as an answer, and changes nothing`, async () => {
        // Prepare
        const subject = await setup();
        const { stores, clock } = subject;
        const now = clock.now();
        await stores.keepAlives.put({
          cluster: 'dev-a',
          until: new Date(now + HOUR).toISOString(),
          by: 'alice',
          reason: 'demo',
          setAt: new Date(now).toISOString(),
        });
        await stores.claims.claim('backup', 'c1', 'owner-held', HOUR);
        await stores.snapshots.save(snapshotOf('dev-a'));
        await stores.teardownWindows.reserve('2026-11-26', 'c1', 5, now);
        subject.breakStorage(fault);
        const errors: Array<[StateOperation, unknown]> = [];
        // Act
        try {
          for (const operation of STATE_OPERATIONS) {
            errors.push([operation, await rejection(calls[operation](stores, now))]);
          }
        } finally {
          subject.healStorage();
        }
        // Assess
        for (const [operation, err] of errors) {
          expect(err, operation).toBeInstanceOf(StateStoreError);
          expect((err as StateStoreError).operation, operation).toBe(operation);
          expect((err as StateStoreError).cause, operation).toBeDefined();
        }
        expect((await stores.keepAlives.active(now)).map((k) => k.cluster)).toEqual(['dev-a']);
        expect(await stores.claims.claim('backup', 'c1', 'owner-a', HOUR)).toBe(false);
        expect((await stores.snapshots.get('dev-a'))?.status).toBe('deleted');
        expect(await stores.ledger.start('k1', 'backup', 'run', { ...LEASE, retryFailed: true })).toEqual({
          kind: 'started',
          previous: new Map(),
        });
        expect(await stores.allowlistSources.list()).toEqual([]);
        expect(await stores.backupTracking.get('c1')).toEqual({ pending: [] });
        expect(await stores.managedSecrets.list('c1')).toEqual([]);
        expect(await stores.teardownWindows.get('2026-11-26')).toEqual({ noticed: [], reserved: ['c1'] });
      });
    }
  });
}
