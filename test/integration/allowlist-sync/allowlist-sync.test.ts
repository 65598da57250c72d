// The allowlist job end to end: the simulator (Console API over real HTTP), the real Console client, the
// real run engine, and the DynamoDB state stores (lib/state) on the embedded DynamoDB (dynalite).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceUpdateRefusedError, setSource } from '#functions/allowlist-sync/set-source.ts';
import { FORBIDDEN, IN_SYNC, NO_ALLOWLIST_FIELD, runSync } from '#functions/allowlist-sync/sync.ts';
import type { AllowlistPolicy } from '#lib/config/types.ts';
import type { MeteredConsoleClient } from '#lib/console/client.ts';
import { executeRun, type RunBody, type RunScope } from '#lib/jobs/engine.ts';
import type { JobRequest, RunSummary } from '#lib/jobs/types.ts';
import { createDynamoStores, type StateStores } from '#lib/state/dynamo.ts';
import { type EmbeddedDynamo, startDynalite } from '#local/dynalite.ts';
import { recordingLog } from '#local/recording-log.ts';
import { type ManualClock, manualClock, type RunningSimulator, startSimulator } from '#local/sim/index.ts';
import { doneAs, outcomeOf as outcome } from '#test/helpers/outcomes.ts';
import { simConsoleClient } from '#test/helpers/sim-console.ts';

const PUT = 'PUT /clusters/{clusterUuid}/ipallowlist';

/** Enterprise clusters (prod, stage, test) plus one Starter cluster that carries no allowlist. */
const POLICY: AllowlistPolicy = {
  enabled: true,
  dryRun: false,
  schedule: 'rate(1 hour)',
  selector: { names: ['prod-*', 'stage-*', 'test-*', 'dev-payments'] },
  static: [{ cidr: '203.0.113.0/24', description: 'office' }],
  sources: {
    'office-vpn': { maxEntries: 10 },
    'payments-partners': { selector: { labels: ['team-payments'] } },
  },
  allowCatchAll: false,
  allowEmpty: false,
  maxEntries: 50,
  maxDescriptionLength: 100,
};

const VPN = [
  { cidr: '198.51.100.10/32', description: 'vpn egress a' },
  { cidr: '198.51.100.11/32', description: 'vpn egress b' },
];
const PARTNERS = [{ cidr: '2001:db8:42::/48', description: 'card processor' }];

describe('allowlist sync against the simulator and DynamoDB', () => {
  let sim: RunningSimulator;
  let dynamo: EmbeddedDynamo;
  let stores: StateStores;
  let clock: ManualClock;
  let console: MeteredConsoleClient;
  let deliveries = 0;
  const log = recordingLog();

  const puts = (): number => sim.stats.console.byRoute[PUT] ?? 0;
  const emptyPuts = (): number =>
    sim.requestLog.filter(
      (r) =>
        r.route === PUT &&
        Array.isArray((r.body as { ipallowlist?: unknown } | undefined)?.ipallowlist) &&
        (r.body as { ipallowlist: unknown[] }).ipallowlist.length === 0,
    ).length;
  const deps = () => ({ console, allowlistSources: stores.allowlistSources, clock, log });

  const run = (
    request: Omit<JobRequest, 'job'>,
    body: (scope: RunScope) => Promise<RunBody>,
  ): Promise<RunSummary> => {
    deliveries += 1;
    return executeRun(
      { ...stores, clock, log, metrics: { count() {} }, events: { async publish() {} } },
      { job: 'allowlist-sync', ...request },
      { source: 'webhook', idempotencyKey: `msg_${deliveries}`, at: new Date(clock.now()).toISOString() },
      { dryRun: false, concurrency: 4, timeMarginMs: 0, leaseMs: 60_000, retryFailed: false },
      body,
    );
  };
  const sync = (policy: AllowlistPolicy = POLICY, clusterIds?: string[]) =>
    run({ action: 'sync', ...(clusterIds ? { clusterIds } : {}) }, (scope) => runSync(deps(), scope, policy));
  const set = async (payload: unknown, policy: AllowlistPolicy = POLICY) => {
    let result: Awaited<ReturnType<typeof setSource>> | undefined;
    let error: unknown;
    const summary = await run({ action: 'set-source', payload }, async (scope) => {
      try {
        result = await setSource(deps(), scope, policy);
        return result.body;
      } catch (err) {
        error = err;
        throw err;
      }
    });
    return { result, error, summary };
  };

  beforeEach(async () => {
    clock = manualClock(Date.parse('2026-03-01T03:00:00.000Z'));
    sim = await startSimulator({ seed: 'org', now: clock.now });
    dynamo = await startDynalite();
    stores = createDynamoStores(dynamo.client, await dynamo.createTable(), { clock });
    console = simConsoleClient(sim);
  });

  afterEach(async () => {
    await sim.close();
    await dynamo.close();
  });

  it('sets sources, syncs every selected cluster to its desired list, and a second sync puts nothing', async () => {
    // Prepare
    const partners = await set({
      source: 'payments-partners',
      entries: PARTNERS,
      updatedBy: 'payments-team',
    });
    const vpn = await set({ source: 'office-vpn', entries: VPN, updatedBy: 'it-ops' });

    // Act
    const first = await sync(POLICY, vpn.result?.syncClusterIds);
    const putsAfterFirst = puts();
    const second = await sync();

    // Assess: the sources are stored in DynamoDB, and a sync was requested for the clusters they reach
    expect(partners.summary.notes).toContain('source payments-partners now has 1 entries (version 1)');
    expect(vpn.summary.notes).toContain('source office-vpn now has 2 entries (version 1)');
    expect((await stores.allowlistSources.list()).map((s) => [s.name, s.version, s.updatedBy])).toEqual([
      ['office-vpn', 1, 'it-ops'],
      ['payments-partners', 1, 'payments-team'],
    ]);
    expect(vpn.result?.syncRequested).toBe(true);

    // Assess: every Enterprise cluster now carries static + vpn (+ partners for team-payments)
    const base = [
      { ip: '198.51.100.10/32', description: 'vpn egress a' },
      { ip: '198.51.100.11/32', description: 'vpn egress b' },
      { ip: '203.0.113.0/24', description: 'office' },
    ];
    const withPartners = [...base, { ip: '2001:db8:42::/48', description: 'card processor' }];
    for (const name of ['test-payments', 'stage-payments', 'prod-payments']) {
      expect(sim.state.allowlistOf(name)).toEqual(withPartners);
    }
    for (const name of [
      'test-orders',
      'stage-legacy-reports',
      'prod-orders',
      'prod-analytics',
      'prod-billing',
    ]) {
      expect(sim.state.allowlistOf(name)).toEqual(base);
    }
    // stage-payments carried only the deprecated ipwhitelist ("10.0.0.0/8,192.168.1.0/24"): read and replaced.
    expect(outcome(first, 'stage-payments')).toMatchObject(
      doneAs('allowlist-updated', {
        removed: [
          { cidr: '10.0.0.0/8', description: 'corporate networks' },
          { cidr: '192.168.1.0/24', description: 'corporate networks' },
        ],
        readFrom: 'ipwhitelist',
      }),
    );
    expect(sim.state.cluster('stage-payments').ipwhitelist).toBeUndefined();
    expect(outcome(first, 'dev-payments')).toMatchObject({ status: 'skipped', reason: NO_ALLOWLIST_FIELD });
    expect(first.counts).toEqual({ done: 8, skipped: 1, failed: 0, deferred: 0 });
    expect(putsAfterFirst).toBe(8);

    // Assess: the second sync finds everything in sync and sends no PUT at all
    expect(second.counts).toEqual({ done: 0, skipped: 9, failed: 0, deferred: 0 });
    expect(outcome(second, 'prod-payments')).toMatchObject({ status: 'skipped', reason: IN_SYNC });
    expect(puts()).toBe(putsAfterFirst);
    expect(emptyPuts()).toBe(0);
  });

  it('retries a PUT that fails with 503 once, and the cluster ends up in sync', async () => {
    // Prepare
    sim.faults.add({ route: PUT, kind: 'status', status: 503, times: 1 });
    const id = sim.state.cluster('prod-orders').uuid;

    // Act
    const summary = await sync(POLICY, [id]);

    // Assess
    expect(outcome(summary, 'prod-orders')).toMatchObject({ status: 'done', action: 'allowlist-updated' });
    expect(summary.clusters).toHaveLength(1);
    expect(puts()).toBe(2);
    expect(sim.stats.console.byStatus['503']).toBe(1);
    expect(console.stats.byOperation[PUT]?.retries).toBe(1);
    expect(sim.state.allowlistOf('prod-orders')).toEqual([{ ip: '203.0.113.0/24', description: 'office' }]);
  });

  it('skips a cluster whose PUT is forbidden (403) without failing the run', async () => {
    // Prepare
    sim.faults.add({ route: PUT, kind: 'status', status: 403, body: 'missing scope IP Allowlist', times: 1 });
    const id = sim.state.cluster('prod-orders').uuid;

    // Act
    const summary = await sync(POLICY, [id]);

    // Assess
    expect(outcome(summary, 'prod-orders')).toMatchObject({ status: 'skipped', reason: FORBIDDEN });
    expect(summary.failed).toBe(false);
    expect(puts()).toBe(1);
  });

  it('never puts an empty list: a policy that would empty every cluster fails them and writes nothing', async () => {
    // Prepare
    const before = Object.fromEntries(
      ['prod-payments', 'test-payments', 'prod-analytics'].map((n) => [n, sim.state.allowlistOf(n)]),
    );
    const empty: AllowlistPolicy = { ...POLICY, static: [] };

    // Act
    const summary = await sync(empty);

    // Assess
    expect(summary.failed).toBe(true);
    expect(summary.counts).toMatchObject({ done: 0, failed: 8 });
    const failure = outcome(summary, 'prod-payments');
    expect(failure.status === 'failed' ? failure.error : '').toContain('nothing written');
    expect(puts()).toBe(0);
    for (const [name, list] of Object.entries(before)) expect(sim.state.allowlistOf(name)).toEqual(list);
  });

  it('refuses a source update that would empty a cluster list, storing nothing', async () => {
    // Prepare
    const policy: AllowlistPolicy = { ...POLICY, static: [] };
    await set({ source: 'office-vpn', entries: VPN }, policy);

    // Act
    const { error, summary } = await set({ source: 'office-vpn', entries: [] }, policy);

    // Assess
    expect(error).toBeInstanceOf(SourceUpdateRefusedError);
    expect(error instanceof SourceUpdateRefusedError ? error.reason : '').toBe('breaks-clusters');
    expect(summary.failed).toBe(true);
    const stored = await stores.allowlistSources.list();
    expect(stored).toEqual([expect.objectContaining({ name: 'office-vpn', version: 1, entries: VPN })]);
    expect(puts()).toBe(0);
    expect(emptyPuts()).toBe(0);
  });
});
