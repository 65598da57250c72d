// The teardown job end to end: real Console client over HTTP to the simulator, real run engine, the
// DynamoDB state stores on dynalite, and one hand-moved clock shared by all of them.
import { describe, expect, it } from 'vitest';
import { setKeepAlive } from '#functions/teardown/keep-alive.ts';
import { runNotice } from '#functions/teardown/notice.ts';
import type { TeardownDeps } from '#functions/teardown/plan.ts';
import { runRecreate } from '#functions/teardown/recreate.ts';
import { runTeardown } from '#functions/teardown/teardown.ts';
import { teardownWindowId } from '#functions/teardown/window.ts';
import type { TeardownPolicy } from '#lib/config/types.ts';
import { createConsoleClient } from '#lib/console/client.ts';
import { executeRun, type RunBody, type RunScope } from '#lib/jobs/engine.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { silentLog } from '#lib/log/log.ts';
import { memoryPublisher as memoryCredentialPublisher } from '#lib/secrets/credentials.ts';
import { localSealer } from '#lib/secrets/sealer.ts';
import type { StateStores } from '#lib/state/dynamo.ts';
import type { RunningSimulator } from '#local/sim/index.ts';
import { type ManualClock, manualClock } from '#test/fakes/clock.ts';
import { policy as scenarioPolicy } from '#test/fakes/teardown-scenario.ts';
import { orgAndTablePerTest } from '#test/helpers/org-and-table.ts';
import { doneAs } from '#test/helpers/outcomes.ts';
import { simTokenSource } from '#test/helpers/sim-console.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CREATE_MS = 60_000;
const OFFICE = { description: 'office', ip: '203.0.113.0/24' };

const startOrgAndTable = orgAndTablePerTest({ clusterCreateMs: CREATE_MS });

/** The scenario policy with this file's tighter guards: five deletions a run, keep-alives up to a day. */
function teardownPolicy(overrides: Partial<TeardownPolicy> = {}): TeardownPolicy {
  return scenarioPolicy({ maxDeletionsPerRun: 5, keepAlive: { maxHours: 24 }, ...overrides });
}

const BODIES = {
  notice: runNotice,
  run: runTeardown,
  recreate: runRecreate,
  'keep-alive': setKeepAlive,
} as const;

interface Setup {
  sim: RunningSimulator;
  clock: ManualClock;
  stores: StateStores;
  events: Array<{ detailType: string; detail: Record<string, unknown> }>;
  run(
    action: keyof typeof BODIES,
    policy: TeardownPolicy,
    payload?: unknown,
    adHoc?: { source: 'webhook' | 'eventbridge' | 'direct'; clusterIds?: string[] },
  ): Promise<RunSummary>;
  posts(): number;
  deletes(): number;
}

async function setup(): Promise<Setup> {
  const clock = manualClock('2026-11-26T17:00:00Z');
  const { sim: s, stores } = await startOrgAndTable(clock);
  const api = createConsoleClient({ tokenSource: simTokenSource(s), baseUrl: s.url, timeoutMs: 5_000 });
  const events: Setup['events'] = [];
  const publisher = {
    async publish(detailType: string, detail: Record<string, unknown>) {
      events.push({ detailType, detail });
    },
  };
  // The desired allowlist of each cluster: what the seeded org carries (as if an allowlist policy matched it).
  const seeded = new Map(
    [...s.state.clusters.values()].map((c) => [c.name, s.state.allowlistOf(c.uuid) ?? []]),
  );
  const deps: TeardownDeps = {
    console: api,
    keepAlives: stores.keepAlives,
    snapshots: stores.snapshots,
    teardownWindows: stores.teardownWindows,
    events: publisher,
    clock,
    log: silentLog,
    sealer: localSealer(Buffer.alloc(32, 3)),
    credentials: memoryCredentialPublisher(),
    sleep: async (ms) => clock.advance(ms),
    desiredAllowlist: async (c) => {
      const entries = seeded.get(c.name) ?? [];
      return entries.length > 0 ? { kind: 'entries', entries } : { kind: 'none', reason: 'none seeded' };
    },
  };
  let n = 0;
  const count = (route: string) => s.requestLog.filter((r) => r.route === route).length;
  return {
    sim: s,
    clock,
    stores,
    events,
    posts: () => count('POST /clusters'),
    deletes: () => count('DELETE /clusters/{clusterUuid}'),
    run(action, policy, payload, adHoc) {
      n += 1;
      const body: (d: TeardownDeps, scope: RunScope, p: TeardownPolicy) => Promise<RunBody> = BODIES[action];
      return executeRun(
        {
          ledger: stores.ledger,
          claims: stores.claims,
          clock,
          log: silentLog,
          metrics: { count() {} },
          events: publisher,
        },
        {
          job: 'teardown',
          action,
          ...(payload === undefined ? {} : { payload }),
          ...(adHoc?.clusterIds ? { clusterIds: adHoc.clusterIds } : {}),
        },
        {
          source: adHoc?.source ?? 'schedule',
          idempotencyKey: `teardown:${action}:${n}`,
          at: new Date(clock.now()).toISOString(),
        },
        { dryRun: policy.dryRun, concurrency: 3, timeMarginMs: 0, leaseMs: 15 * 60_000, retryFailed: true },
        (scope) => body(deps, scope, policy),
      );
    },
  };
}

const statusByName = (summary: RunSummary) =>
  Object.fromEntries(
    summary.clusters.map((c) => [
      c.clusterName,
      c.status === 'done' ? c.action : c.status === 'skipped' ? c.reason : c.status,
    ]),
  );

describe('teardown against the simulator and DynamoDB', () => {
  it('notice, keep-alive, teardown, then recreate brings the clusters back with their allowlists; a second recreate does nothing', async () => {
    // Prepare
    const t = await setup();
    const policy = teardownPolicy();
    const original = (name: string) => t.sim.state.cluster(name).uuid;
    const ids = {
      payments: original('dev-payments'),
      bob: original('dev-sandbox-bob'),
      test: original('test-payments'),
    };

    // Act: the evening notice, a keep-alive for dev-orders, the night's teardown.
    const notice = await t.run('notice', policy);
    const keep = await t.run('keep-alive', policy, {
      cluster: 'dev-orders',
      until: new Date(t.clock.now() + 16 * HOUR).toISOString(),
      by: 'orders-team',
      reason: 'release testing overnight',
    });
    t.clock.advance(5 * HOUR);
    const teardown = await t.run('run', policy);
    const snapshotsAfterTeardown = await t.stores.snapshots.list();

    // Assess: the notice and the teardown
    const published = t.events.find((e) => e.detailType === 'teardown.notice.sent')?.detail ?? {};
    expect(notice.failed).toBe(false);
    expect((published.clusters as Array<{ name: string }>).map((c) => c.name).sort()).toEqual([
      'dev-orders',
      'dev-payments',
      'dev-sandbox-bob',
      'test-payments',
    ]);
    expect(keep.clusters).toMatchObject([
      { clusterName: 'dev-orders', status: 'done', action: 'keep-alive-set' },
    ]);
    expect(statusByName(teardown)).toEqual({
      'dev-payments': 'cluster-deleted',
      'dev-sandbox-bob': 'cluster-deleted',
      'test-payments': 'cluster-deleted',
      'dev-orders': expect.stringMatching(
        /^keep-alive until .* by orders-team \(release testing overnight\)$/,
      ),
      'dev-sandbox-alice': 'younger than 24 h',
    });
    expect(teardown.failed).toBe(false);
    for (const id of Object.values(ids)) expect(t.sim.state.clusters.has(id)).toBe(false);
    expect(t.sim.state.clusters.has(original('dev-orders'))).toBe(true);
    expect(snapshotsAfterTeardown.map((s) => [s.name, s.status]).sort()).toEqual([
      ['dev-payments', 'deleted'],
      ['dev-sandbox-bob', 'deleted'],
      ['test-payments', 'deleted'],
    ]);
    expect(snapshotsAfterTeardown.find((s) => s.name === 'test-payments')).toMatchObject({
      clusterId: ids.test,
      allowlist: [OFFICE],
      planType: { name: 'Enterprise S' },
      description: 'Payments integration tests',
      labels: ['team-payments', 'env-test', 'nightly-off'],
    });

    // Act: the morning recreate, while the new clusters are still being created.
    t.clock.advance(8 * HOUR);
    const morning = await t.run('recreate', policy);
    const creating = ['dev-payments', 'dev-sandbox-bob', 'test-payments'].map((name) =>
      t.sim.state.cluster(name),
    );

    // Assess
    expect(statusByName(morning)).toEqual({
      'dev-payments': 'cluster-recreated',
      'dev-sandbox-bob': 'cluster-recreated',
      'test-payments': 'cluster-recreated',
    });
    const allowlistOf = (name: string) =>
      (morning.clusters.find((c) => c.clusterName === name) as { detail?: Record<string, unknown> }).detail
        ?.allowlist;
    // The Enterprise cluster waits for its allowlist (the simulator refuses one while Creating); the others
    // have no allowlist feature at all.
    expect(allowlistOf('test-payments')).toBe('pending');
    expect(allowlistOf('dev-payments')).toBe('not available on this plan');
    expect(creating.map((c) => c.status.ready)).toEqual(['Creating', 'Creating', 'Creating']);
    expect(creating.map((c) => c.uuid)).not.toContain(ids.test);
    expect(t.sim.state.cluster('test-payments').description).toBe('Payments integration tests');
    expect(t.posts()).toBe(3);
    const bodies = t.sim.requestLog
      .filter((r) => r.route === 'POST /clusters')
      .map((r) => r.body as Record<string, unknown>);
    for (const body of bodies) expect(Object.keys(body).sort()).not.toContain('labels');

    // Act: once they are Healthy, the next recreate re-applies the allowlists; then one more run.
    t.clock.advance(CREATE_MS + 1_000);
    const later = await t.run('recreate', policy);
    const again = await t.run('recreate', policy);

    // Assess
    expect(statusByName(later)).toEqual({
      'dev-payments': 'cluster-finished',
      'dev-sandbox-bob': 'cluster-finished',
      'test-payments': 'cluster-finished',
    });
    expect(t.sim.state.allowlistOf('test-payments')).toEqual([OFFICE]);
    // Connector secrets and API clients are back on the new clusters (new client ids).
    const payments = t.sim.state.cluster('dev-payments');
    expect(payments.secrets).toEqual({
      PAYMENT_API_KEY: 'sim-not-a-real-key-payments',
      WEBHOOK_TOKEN: 'sim-not-a-real-token',
    });
    expect(payments.apiClients.map((c) => [c.name, c.permissions])).toEqual([
      ['payments-worker', ['Zeebe']],
      ['payments-ci', ['Zeebe', 'Operate']],
    ]);
    expect(t.sim.requestLog.filter((r) => r.route === 'POST /clusters/{clusterUuid}/clients')).toHaveLength(
      3,
    );
    expect(t.sim.stats.console.specViolations).toEqual([]);
    expect(
      t.sim.requestLog.filter(
        (r) => r.route === 'PUT /clusters/{clusterUuid}/ipallowlist' && r.status === 204,
      ),
    ).toHaveLength(1);
    expect((await t.stores.snapshots.list()).map((s) => s.status)).toEqual(['done', 'done', 'done']);
    expect(again.clusters).toEqual([]);
    expect(t.posts()).toBe(3);
    for (const name of ['dev-payments', 'dev-sandbox-bob', 'test-payments']) {
      expect([...t.sim.state.clusters.values()].filter((c) => c.name === name)).toHaveLength(1);
    }
  });

  it('the blast-radius guard deletes nothing and fails the run', async () => {
    // Prepare
    const t = await setup();
    const before = [...t.sim.state.clusters.keys()].sort();

    // Act
    const summary = await t.run('run', teardownPolicy({ maxDeletionsPerRun: 2 }));

    // Assess
    expect(summary.failed).toBe(true);
    expect(summary.notes.join('\n')).toContain('blast-radius guard: 4 candidates > max 2');
    expect(t.deletes()).toBe(0);
    expect([...t.sim.state.clusters.keys()].sort()).toEqual(before);
    expect(await t.stores.snapshots.list()).toEqual([]);
  });

  it('a POST /clusters that fails after the cluster was created makes no duplicate', async () => {
    // Prepare
    const t = await setup();
    const policy = teardownPolicy({ selector: { names: ['test-payments'] } });
    await t.run('run', policy);
    t.clock.advance(8 * HOUR);
    t.sim.faults.add({ route: 'POST /clusters', kind: 'status', status: 503, times: 1, afterCommit: true });

    // Act
    const morning = await t.run('recreate', policy);
    t.clock.advance(CREATE_MS + 1_000);
    const later = await t.run('recreate', policy);

    // Assess
    const named = [...t.sim.state.clusters.values()].filter((c) => c.name === 'test-payments');
    expect(named).toHaveLength(1);
    expect(t.posts()).toBe(1);
    expect(morning.clusters[0]).toMatchObject(
      doneAs('cluster-recreated', {
        newClusterId: named[0]?.uuid,
        adopted: 'the create answered an error but the cluster exists',
      }),
    );
    expect(statusByName(later)).toEqual({ 'test-payments': 'cluster-finished' });
    expect(t.sim.state.allowlistOf('test-payments')).toEqual([OFFICE]);
  });

  it('concurrent ad-hoc runs cannot overspend the window budget (dynalite)', async () => {
    // Prepare: 15 old clusters the policy selects; five webhook runs of three ids each, all at once.
    const t = await setup();
    const burst = Array.from({ length: 15 }, (_, i) =>
      t.sim.state.addCluster({
        name: `burst-${String(i).padStart(2, '0')}`,
        plan: 'Starter',
        created: t.clock.now() - 30 * DAY,
        labels: ['nightly-off'],
      }),
    );
    const policy = teardownPolicy({
      selector: { names: ['burst-*'] },
      adHoc: 'any-selected',
      maxDeletionsPerRun: 3,
      maxDeletionsPerWindow: 5,
    });
    // Act
    const summaries = await Promise.all(
      [0, 1, 2, 3, 4].map((r) =>
        t.run('run', policy, undefined, {
          source: 'webhook',
          clusterIds: burst.slice(r * 3, r * 3 + 3).map((c) => c.uuid),
        }),
      ),
    );
    // Assess: at most five deletions in the window, each one reserved, and the runs that could not spend say so.
    const deleted = summaries.flatMap((s) =>
      s.clusters.filter((c) => c.status === 'done' && c.action === 'cluster-deleted').map((c) => c.clusterId),
    );
    expect(t.deletes()).toBe(deleted.length);
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.length).toBeLessThanOrEqual(5);
    const window = teardownWindowId(t.clock.now(), 'UTC', policy.windowStartHour);
    expect((await t.stores.teardownWindows.get(window)).reserved).toEqual([...deleted].sort());
    for (const s of summaries) {
      const done = s.clusters.filter((c) => c.status === 'done').length;
      if (done < 3) expect(s.failed).toBe(true);
    }
  });
});
