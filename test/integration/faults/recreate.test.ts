// Fault matrix, the faithful morning recreate (issue #11): the invocation is killed right after each step of
// the teardown → recreate protocol (snapshot with sealed secrets stored, cluster deleted, create accepted,
// allowlist written, connector secrets restored, an API client created, credentials published, ready event
// published), then the next runs finish the work. Each row asserts: 0 connector secrets lost (every seeded
// name and value on the recreated cluster), 0 duplicate clusters or API clients, no cluster left open past
// the bound without `RecreateOpenWindowExceeded`, sealed values dropped once done, no secret value in a log.
//
// A kill is modelled faithfully: the wrapped call is performed, then never returns (the run is abandoned
// where it stood, nothing after it happens); the next run comes after the claims' lease has expired.
import { describe, expect, it } from 'vitest';
import type { TeardownDeps } from '#functions/teardown/plan.ts';
import { READY_EVENT, runRecreate } from '#functions/teardown/recreate.ts';
import { runTeardown } from '#functions/teardown/teardown.ts';
import type { TeardownPolicy } from '#lib/config/types.ts';
import { createConsoleClient } from '#lib/console/client.ts';
import type { TokenSource } from '#lib/console/token-source.ts';
import { executeRun, type RunBody, type RunScope } from '#lib/jobs/engine.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import { credentialSecretName, memoryPublisher } from '#lib/secrets/credentials.ts';
import { localSealer } from '#lib/secrets/sealer.ts';
import { recordingLog } from '#local/recording-log.ts';
import { manualClock } from '#test/fakes/clock.ts';
import { policy as teardownPolicy } from '#test/fakes/teardown-scenario.ts';
import { duplicates, NO_DUPLICATES, watchSim } from '#test/helpers/faults.ts';
import { reportRow } from '#test/helpers/faults-report.ts';
import { orgAndTablePerTest } from '#test/helpers/org-and-table.ts';

const GROUP = 'teardown and recreate protocol';
const HOUR = 3_600_000;
const CREATE_MS = 60_000;
const LEASE_MS = 15 * 60_000;
const BOUND_MINUTES = 10;
const TORN_DOWN = ['dev-orders', 'dev-payments', 'dev-sandbox-bob', 'test-payments'];

const startOrgAndTable = orgAndTablePerTest({ clusterCreateMs: CREATE_MS });

function policy(): TeardownPolicy {
  const base = teardownPolicy({
    maxDeletionsPerRun: 5,
    maxDeletionsPerWindow: 5,
    keepAlive: { maxHours: 24 },
  });
  return { ...base, recreate: { ...base.recreate, maxOpenWindowMinutes: BOUND_MINUTES } };
}

interface Kill {
  /** `object.method`'s n-th call is performed, then never returns. */
  target: 'console' | 'snapshots' | 'credentials' | 'events';
  method: string;
  nth: number;
  /** Only calls whose first argument satisfies this count (e.g. the ready event, not others). */
  when?: (first: unknown) => boolean;
}

type Outcome = { summary: RunSummary } | { killed: true };

async function scenario(kill: Kill) {
  const clock = manualClock('2026-11-26T17:00:00Z');
  const { sim: s, stores } = await startOrgAndTable(clock);
  watchSim(s);
  let token: string | undefined;
  const tokenSource: TokenSource = {
    async getToken() {
      token ??= s.issueToken();
      return token;
    },
    async invalidate(t) {
      if (token === t) token = undefined;
    },
  };
  const api = createConsoleClient({ tokenSource, baseUrl: s.url, timeoutMs: 5_000 });
  const log = recordingLog();
  const metrics = memoryCounters();
  const events: Array<{ detailType: string; detail: Record<string, unknown> }> = [];
  const publisher = {
    async publish(detailType: string, detail: Record<string, unknown>) {
      events.push({ detailType, detail });
    },
  };
  const credentials = memoryPublisher();
  // What the simulator was seeded with: the secrets and clients the recreate must bring back.
  const seeded = new Map(
    [...s.state.clusters.values()].map((c) => [
      c.name,
      {
        secrets: { ...c.secrets },
        clients: c.apiClients.map((a) => a.name),
        allowlist: s.state.allowlistOf(c.uuid) ?? [],
      },
    ]),
  );
  const deps: TeardownDeps = {
    console: { ...api },
    keepAlives: stores.keepAlives,
    snapshots: { ...stores.snapshots } as TeardownDeps['snapshots'],
    teardownWindows: stores.teardownWindows,
    events: { ...publisher },
    clock,
    log,
    metrics,
    sealer: localSealer(Buffer.alloc(32, 7)),
    credentials: { ...credentials },
    sleep: async (ms) => clock.advance(ms),
    desiredAllowlist: async (c) => {
      const entries = seeded.get(c.name)?.allowlist ?? [];
      return entries.length > 0 ? { kind: 'entries', entries } : { kind: 'none', reason: 'none seeded' };
    },
  };

  // The kill: perform the n-th call, then hang forever (the invocation is gone).
  let calls = 0;
  let killed = false;
  let onKill: () => void = () => {};
  const holder = deps[kill.target] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const real = holder[kill.method];
  if (typeof real !== 'function') throw new Error(`no ${kill.target}.${kill.method}`);
  holder[kill.method] = async (...args: unknown[]) => {
    const result = await real(...args);
    if (!killed && (kill.when?.(args[0]) ?? true) && ++calls === kill.nth) {
      killed = true;
      onKill();
      return new Promise(() => {});
    }
    return result;
  };

  let n = 0;
  const run = async (action: 'run' | 'recreate'): Promise<Outcome> => {
    n += 1;
    const body: (d: TeardownDeps, scope: RunScope, p: TeardownPolicy) => Promise<RunBody> =
      action === 'run' ? runTeardown : runRecreate;
    const wasKilled = killed;
    const dead = new Promise<Outcome>((resolve) => {
      onKill = () => resolve({ killed: true });
    });
    const done = executeRun(
      { ledger: stores.ledger, claims: stores.claims, clock, log, metrics, events: publisher },
      { job: 'teardown', action },
      {
        source: 'schedule',
        idempotencyKey: `teardown:${action}:${n}`,
        at: new Date(clock.now()).toISOString(),
      },
      { dryRun: false, concurrency: 1, timeMarginMs: 0, leaseMs: LEASE_MS, retryFailed: true },
      (scope) => body(deps, scope, policy()),
    ).then((summary) => ({ summary }));
    const outcome = await Promise.race([done, dead]);
    if ('killed' in outcome && !wasKilled) clock.advance(LEASE_MS + 60_000);
    return outcome;
  };

  // The night: the teardown, again after a kill.
  clock.advance(5 * HOUR);
  const night: Outcome[] = [await run('run')];
  if (killed) night.push(await run('run'));
  // The morning: the recreate and its follow-ups until every snapshot is done (bounded).
  clock.advance(8 * HOUR);
  const morning: Outcome[] = [];
  for (let i = 0; i < 6; i++) {
    morning.push(await run('recreate'));
    const open = (await stores.snapshots.list()).filter((x) => x.status !== 'done');
    if (open.length === 0) break;
    clock.advance(CREATE_MS + 1_000);
  }
  return {
    s,
    stores,
    log,
    metrics,
    events,
    credentials,
    seeded,
    night,
    morning,
    killed: () => killed,
    invocations: n,
  };
}

/** A row of the matrix: the kill of `target.method`'s `nth` call, named by the step it cuts off after. */
function killedAfter(
  step: string,
  target: Kill['target'],
  method: string,
  nth = 1,
  when?: Kill['when'],
): { row: string; kill: Kill } {
  return { row: `killed after ${step}`, kill: { target, method, nth, ...(when ? { when } : {}) } };
}

const KILLS = [
  killedAfter('the snapshot (sealed secrets) is stored', 'snapshots', 'save'),
  killedAfter('the cluster is deleted', 'console', 'deleteCluster'),
  killedAfter('the create is accepted', 'console', 'createCluster'),
  killedAfter('the allowlist is written', 'console', 'putIpAllowlist'),
  killedAfter('connector secrets are restored', 'console', 'createSecret', 2),
  killedAfter('an API client is created (credentials not yet published)', 'console', 'createApiClient'),
  killedAfter('credentials are published', 'credentials', 'publish'),
  killedAfter(
    'the ready event is published (snapshot not yet done)',
    'events',
    'publish',
    1,
    (t) => t === READY_EVENT,
  ),
];

describe('the teardown → recreate protocol killed between steps', () => {
  it.each(KILLS)('$row: the next runs finish it, 0 secrets lost, 0 duplicates', async ({ row, kill }) => {
    // Act
    const r = await scenario(kill);
    // Assess: the kill happened, and every later run finished without a failure.
    expect(r.killed(), 'the injected kill happened').toBe(true);
    const summaries = [...r.night, ...r.morning].flatMap((o) => ('summary' in o ? [o.summary] : []));
    const last = r.morning[r.morning.length - 1];
    expect(last && 'summary' in last ? last.summary.failed : 'killed', 'the last recreate run').toBe(false);
    // Every snapshot done, its sealed values dropped.
    const snaps = await r.stores.snapshots.list();
    expect(snaps.map((x) => [x.name, x.status]).sort()).toEqual(TORN_DOWN.map((name) => [name, 'done']));
    for (const x of snaps) expect(x.secrets?.sealed, `${x.name}: sealed values dropped`).toBeUndefined();
    // 0 connector secrets lost, 0 duplicate clusters or clients.
    let lost = 0;
    let dupClients = 0;
    for (const name of TORN_DOWN) {
      const clusters = [...r.s.state.clusters.values()].filter((c) => c.name === name);
      expect(clusters, `one cluster named ${name}`).toHaveLength(1);
      const c = clusters[0];
      const want = r.seeded.get(name);
      if (!c || !want) throw new Error(`${name}: no cluster or no seed`);
      for (const [k, v] of Object.entries(want.secrets)) if (c.secrets[k] !== v) lost += 1;
      const names = c.apiClients.map((a) => a.name);
      dupClients += names.length - new Set(names).size;
      expect(names.sort(), `${name}: API clients`).toEqual([...want.clients].sort());
      // Each client's published credentials name the client that exists.
      for (const a of c.apiClients) {
        const published = await r.credentials.publishedClientId(
          credentialSecretName('camunda-automation/clusters', name, a.name),
        );
        expect(published, `${name}/${a.name}: published credentials are the live client's`).toBe(a.clientId);
      }
    }
    expect(lost, 'connector secrets lost').toBe(0);
    expect(dupClients, 'duplicate API clients').toBe(0);
    const dup = duplicates(r.s);
    const { resentAfterReread: _r, ...counted } = dup;
    expect(counted).toEqual(NO_DUPLICATES);
    // No cluster open past the bound without the alarm metric, and no alarm for a cluster that was not:
    // a plan without allowlists has nothing to close, so it has no open window to alarm on.
    const details = summaries
      .flatMap((x) => x.clusters)
      .map((c) => ({ name: c.clusterName, detail: 'detail' in c ? c.detail : undefined }));
    const openPastBound = details.filter(
      ({ detail }) =>
        detail?.openWindowSeconds !== undefined &&
        detail.allowlist !== 'not available on this plan' &&
        Number(detail.openWindowSeconds) > BOUND_MINUTES * 60,
    );
    const alarmed = r.metrics.totals.RecreateOpenWindowExceeded ?? 0;
    expect(
      alarmed > 0,
      `alarmed (${alarmed}) iff open past the bound: ${JSON.stringify(openPastBound.map((c) => c.name))}`,
    ).toBe(openPastBound.length > 0);
    // No secret value in any log line (connector secret values, client secrets).
    const text = JSON.stringify(r.log.lines);
    const values = [
      ...[...r.seeded.values()].flatMap((x) => Object.values(x.secrets)),
      ...[...r.credentials.secrets.values()].map((d) => d.CAMUNDA_CLIENT_SECRET ?? '').filter(Boolean),
    ];
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(text.includes(v), 'a secret value in a log line').toBe(false);
    reportRow({
      group: GROUP,
      row,
      cases: r.invocations,
      faults: 1,
      duplicates: dup.total + dupClients,
      losses: lost,
      clusters: summaries.reduce((n, x) => n + x.clusters.length, 0),
    });
  });
});
