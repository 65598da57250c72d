// Fault matrix, Console API: 429 storms with and without Retry-After, 5xx, dropped connections, answers
// slower than the timeout, and POSTs / DELETEs / PUTs that fail on the wire after the server applied them.
// Every run accounts for every selected cluster; nothing is created, deleted or backed up twice; no
// allowlist is ever written empty or different from the desired list.
import { describe, expect, it } from 'vitest';
import { desiredAllowlistFrom, PLACEHOLDER_ENTRY } from '#functions/teardown/restore.ts';
import type { JobName, RunSummary } from '#lib/jobs/types.ts';
import { createDynamoStores } from '#lib/state/dynamo.ts';
import { minutesAgo, schedulerEvent } from '#local/env.ts';
import type { Fault } from '#local/sim/index.ts';
import { faultSuite } from '#test/helpers/fault-suite.ts';
import { type FaultEnv, redeliver, settled, sleep } from '#test/helpers/faults.ts';

const GROUP = 'Console API';
const OFFICE = { ip: '203.0.113.0/24', description: 'office' };
const POST_BACKUP = 'POST /clusters/{clusterUuid}/backups';
const POST_CLUSTER = 'POST /clusters';
const DELETE_CLUSTER = 'DELETE /clusters/{clusterUuid}';
const PUT_ALLOWLIST = 'PUT /clusters/{clusterUuid}/ipallowlist';
const DAY = 24 * 3_600_000;
/** An Enterprise dev cluster with rules, so the recreate has an allowlist to put back. */
const DEV_RULES = [
  { description: 'office', ip: '203.0.113.0/24' },
  { description: 'ci runners', ip: '198.51.100.0/24' },
];

const { scanner, start } = faultSuite();

/** Adds dev-integration: a month-old Enterprise dev cluster holding DEV_RULES. */
function addDevIntegration(e: FaultEnv): void {
  e.sim.state.addCluster({
    name: 'dev-integration',
    plan: 'Enterprise S',
    created: Date.now() - 30 * DAY,
    labels: ['env-dev'],
    ipallowlist: DEV_RULES.map((r) => ({ ...r })),
  });
}

function addFaults(e: FaultEnv, faults: Fault[]): void {
  for (const f of faults) e.sim.faults.add(f);
}

/** The allowlist the simulator holds for a cluster (either field). */
function rulesOf(e: FaultEnv, uuid: string) {
  const c = e.sim.state.clusters.get(uuid);
  return c?.ipallowlist ?? c?.ipwhitelist;
}

/** Runs each job to completion (redelivering while it fails) and returns the settled summaries. */
async function settleJobs(e: FaultEnv, jobs: JobName[], at: string): Promise<Record<string, RunSummary>> {
  const out: Record<string, RunSummary> = {};
  for (const job of jobs) {
    const action = job === 'allowlist-sync' ? 'sync' : 'run';
    const expected = e.selected(job);
    const results = await redeliver(e, job, schedulerEvent(job, action, at), {
      pauseMs: 250,
      expected: () => expected,
    });
    out[job] = settled(results);
  }
  return out;
}

/** After a settled sync every selected cluster carries exactly the desired list (never empty). */
function expectAllowlistsDesired(e: FaultEnv, summary: RunSummary): void {
  for (const c of summary.clusters) {
    if (c.status === 'skipped' && c.reason !== 'in sync') continue;
    expect(rulesOf(e, c.clusterId), c.clusterName).toEqual([OFFICE]);
  }
}

describe('Console API faults: throttling and transient failures', () => {
  it('a 429 storm with Retry-After (the Console rate limit): every cluster accounted, nothing twice', async () => {
    // Prepare: ten requests a second across the whole Console, a Retry-After on every 429.
    const e = await start({
      sim: { seed: { clusters: 20, rngSeed: 7 }, consoleRateLimit: { perSecond: 10, burst: 10 } },
    });
    // Act
    const summaries = await settleJobs(e, ['backup', 'allowlist-sync'], '2026-11-27T02:00:00Z');
    // Assess
    expect(e.sim.stats.console.rateLimited).toBeGreaterThan(0);
    expect(summaries.backup?.counts.done).toBeGreaterThan(0);
    expectAllowlistsDesired(e, summaries['allowlist-sync'] as RunSummary);
    e.finishRow(GROUP, '429 storm with Retry-After (rate limit)', { desiredAllowlist: () => [OFFICE] });
  });

  it('a 429 storm without Retry-After: backoff with jitter, every cluster accounted, nothing twice', async () => {
    // Prepare
    const e = await start({ sim: { seed: { clusters: 20, rngSeed: 11 } } });
    addFaults(e, [{ route: '*', kind: 'status', status: 429, times: 14 }]);
    // Act
    const summaries = await settleJobs(e, ['backup', 'allowlist-sync'], '2026-11-27T02:00:00Z');
    // Assess
    expect(e.sim.stats.console.byStatus['429']).toBe(14);
    expect(summaries.backup?.counts.done).toBeGreaterThan(0);
    expectAllowlistsDesired(e, summaries['allowlist-sync'] as RunSummary);
    e.finishRow(GROUP, '429 storm without Retry-After', { desiredAllowlist: () => [OFFICE] });
  });

  it.each([
    {
      row: '5xx (500, 502, 503)',
      faults: [
        { route: '*', kind: 'status', status: 500, times: 3 },
        { route: '*', kind: 'status', status: 502, times: 3 },
        { route: '*', kind: 'status', status: 503, times: 3 },
      ] satisfies Fault[],
    },
    { row: 'connection resets', faults: [{ route: '*', kind: 'reset', times: 8 }] satisfies Fault[] },
    {
      row: 'answers slower than the timeout',
      faults: [{ route: '*', kind: 'latency', latencyMs: 700, times: 5 }] satisfies Fault[],
    },
  ])(
    '$row on every route, for all three jobs: accounted, nothing twice, allowlists as desired',
    async ({ row, faults }) => {
      // Prepare
      const e = await start();
      addDevIntegration(e);
      addFaults(e, faults);
      // Act
      const summaries = await settleJobs(e, ['teardown', 'backup', 'allowlist-sync'], minutesAgo(1));
      // Assess
      expect(e.faultsInjected() + (row.startsWith('answers') ? 5 : 0)).toBeGreaterThan(0);
      expectAllowlistsDesired(e, summaries['allowlist-sync'] as RunSummary);
      expect(summaries.teardown?.counts.done).toBeGreaterThan(0);
      e.finishRow(GROUP, `${row}, all routes`, {
        desiredAllowlist: () => [OFFICE],
        extraFaults: row.startsWith('answers') ? 5 : 0,
      });
    },
  );
});

describe('Console API faults: writes that fail on the wire after the server applied them', () => {
  it('backup POST answered 502 / reset / no answer after the backup was made: found by re-reading, never POSTed twice', async () => {
    // Prepare
    const e = await start({ sim: { seed: { clusters: 20, rngSeed: 3 } } });
    addFaults(e, [
      { route: POST_BACKUP, kind: 'status', status: 502, afterCommit: true, times: 2 },
      { route: POST_BACKUP, kind: 'reset', afterCommit: true, times: 1 },
      { route: POST_BACKUP, kind: 'hang', afterCommit: true, times: 1 },
    ]);
    const event = schedulerEvent('backup', 'run', '2026-11-27T02:00:00Z');
    const expected = e.selected('backup');
    // Act: the delivery, three redeliveries, and the next night's run an hour later in Console terms.
    const first = await e.invoke('backup', event);
    const replays = [await e.invoke('backup', event), await e.invoke('backup', event)];
    const next = await e.invoke('backup', schedulerEvent('backup', 'run', '2026-11-27T03:00:00Z'));
    // Assess
    e.account(first.summary, expected);
    e.account(next.summary, expected);
    const created = (first.summary?.clusters ?? []).filter(
      (c) => c.status === 'done' && c.action === 'backup-created',
    );
    const recovered = created.filter((c) => c.status === 'done' && c.detail?.recoveredFrom !== undefined);
    expect(recovered).toHaveLength(4);
    expect(first.summary?.failed).toBe(false);
    expect(replays.every((r) => r.summary?.replayed === true)).toBe(true);
    // One backup per cluster that got one, made by exactly one POST.
    const backups = e.applied.events.filter((ev) => ev.kind === 'backup');
    expect(backups).toHaveLength(created.length);
    expect(e.sim.stats.console.byRoute[POST_BACKUP]).toBe(created.length);
    e.finishRow(GROUP, 'backup POST applied, then 502 / reset / timeout');
  });

  it('cluster create answered 503 / reset / no answer after the cluster was made: adopted, never created twice', async () => {
    // Prepare: last night's teardown deleted the dev clusters (no faults).
    const e = await start();
    addDevIntegration(e);
    const teardownExpected = e.selected('teardown');
    const night = await e.invoke('teardown', schedulerEvent('teardown', 'run', minutesAgo(30)));
    e.account(night.summary, teardownExpected);
    const deletedNames = (night.summary?.clusters ?? [])
      .filter((c) => c.status === 'done' && c.action === 'cluster-deleted')
      .map((c) => c.clusterName)
      .sort();
    expect(deletedNames).toHaveLength(4);
    const snapshotIds = (night.summary?.clusters ?? [])
      .filter((c) => c.status === 'done')
      .map((c) => c.clusterId);
    addFaults(e, [
      { route: POST_CLUSTER, kind: 'status', status: 503, afterCommit: true, times: 1 },
      { route: POST_CLUSTER, kind: 'reset', afterCommit: true, times: 1 },
      { route: POST_CLUSTER, kind: 'hang', afterCommit: true, times: 1 },
      { route: POST_CLUSTER, kind: 'status', status: 503, times: 1 },
    ]);
    const morning = schedulerEvent('teardown', 'recreate', minutesAgo(20));
    const snapshots = createDynamoStores(e.db.client, e.tableName).snapshots;
    // Act: the morning recreate until it succeeds, redelivered, then a later run once all are Healthy.
    const results = await redeliver(e, 'teardown', morning, { pauseMs: 100, expected: () => snapshotIds });
    const replay = await e.invoke('teardown', morning);
    await sleep(250);
    const stillActive = (await snapshots.list(['deleted', 'recreating', 'recreated'])).map(
      (s) => s.clusterId,
    );
    const later = await e.invoke('teardown', schedulerEvent('teardown', 'recreate', minutesAgo(10)));
    // Assess
    const summary = settled(results);
    expect(results.length).toBeGreaterThan(1);
    expect(replay.summary?.replayed).toBe(true);
    e.account(later.summary, stillActive);
    const adopted = summary.clusters.filter((c) => c.status === 'done' && c.detail?.adopted !== undefined);
    expect(adopted).toHaveLength(3);
    for (const name of deletedNames) {
      expect(
        [...e.sim.state.clusters.values()].filter((c) => c.name === name),
        name,
      ).toHaveLength(1);
    }
    // The Enterprise cluster got the CURRENT desired allowlist (computed as the allowlist sync does), whole.
    const reborn = e.sim.state.cluster('dev-integration');
    const desired = await desiredAllowlistFrom(
      e.container,
      e.config.allowlist,
    )({
      ...e.sim.state.renderCluster(reborn),
      labels: ['env-dev'],
    });
    const want = desired.kind === 'entries' ? desired.entries : [PLACEHOLDER_ENTRY];
    expect(reborn.ipallowlist).toEqual(want);
    e.finishRow(GROUP, 'cluster create applied, then 503 / reset / timeout', {
      desiredAllowlist: () => want,
    });
  });

  it('cluster DELETE answered 500 / reset / no answer after the delete: each cluster deleted once, snapshot kept', async () => {
    // Prepare
    const e = await start();
    addFaults(e, [
      { route: DELETE_CLUSTER, kind: 'status', status: 500, afterCommit: true, times: 1 },
      { route: DELETE_CLUSTER, kind: 'reset', afterCommit: true, times: 1 },
      { route: DELETE_CLUSTER, kind: 'hang', afterCommit: true, times: 1 },
    ]);
    const expected = e.selected('teardown');
    const event = schedulerEvent('teardown', 'run', minutesAgo(1));
    // Act
    const results = await redeliver(e, 'teardown', event, { expected: () => expected });
    const replay = await e.invoke('teardown', event);
    // Assess
    const summary = settled(results);
    expect(replay.summary?.replayed).toBe(true);
    const gone = summary.clusters.filter((c) => c.status === 'done').map((c) => c.clusterName);
    expect(gone).toHaveLength(3);
    expect(e.applied.events.filter((ev) => ev.kind === 'delete')).toHaveLength(3);
    const snapshots = createDynamoStores(e.db.client, e.tableName).snapshots;
    for (const name of gone) expect(await snapshots.get(name), name).toMatchObject({ status: 'deleted' });
    e.finishRow(GROUP, 'cluster DELETE applied, then 500 / reset / timeout');
  });

  it('allowlist PUT answered 500 after writing, reset before writing, slower than the timeout: the desired list, whole', async () => {
    // Prepare
    const e = await start();
    addFaults(e, [
      { route: PUT_ALLOWLIST, kind: 'status', status: 500, afterCommit: true, times: 2 },
      { route: PUT_ALLOWLIST, kind: 'reset', times: 2 },
      { route: PUT_ALLOWLIST, kind: 'latency', latencyMs: 700, times: 1 },
    ]);
    // Act
    const summaries = await settleJobs(e, ['allowlist-sync'], '2026-11-27T03:00:00Z');
    // Assess
    const summary = summaries['allowlist-sync'] as RunSummary;
    expect(summary.counts.done).toBeGreaterThan(0);
    expectAllowlistsDesired(e, summary);
    e.finishRow(GROUP, 'allowlist PUT applied then 500 / reset / timeout', {
      desiredAllowlist: () => [OFFICE],
      extraFaults: 1,
    });
  });

  it('leaks no token, client secret or webhook secret into logs, output, errors or answers', () => {
    // Act
    scanner.stopOutput();
    // Assess
    expect(scanner.secretCount).toBeGreaterThan(4);
    expect(scanner.findings()).toEqual([]);
  });
});
