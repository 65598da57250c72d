// Fault matrix, DynamoDB (the container's client goes through a fault-injecting proxy in front of dynalite):
// the table unavailable at the start and in the middle of a run, throttling, dropped connections, and
// conditional writes lost to a concurrent writer. Without its state a run does nothing (and says so); a
// cluster is never deleted without its snapshot saved first; the redelivery finishes the work once.
import { describe, expect, it } from 'vitest';
import { RunFailedError } from '#lib/jobs/types.ts';
import { dynamoClusterClaims } from '#lib/state/cluster-claims.ts';
import { createDynamoStores } from '#lib/state/dynamo.ts';
import { StateStoreError } from '#lib/state/errors.ts';
import type { DynamoProxy } from '#local/dynamo-proxy.ts';
import { minutesAgo, schedulerEvent, webhookEvent } from '#local/env.ts';
import { faultSuite } from '#test/helpers/fault-suite.ts';
import { type FaultEnv, redeliver, settled } from '#test/helpers/faults.ts';

const GROUP = 'DynamoDB';
const suite = faultSuite();
const { scanner } = suite;

async function start(): Promise<FaultEnv & { proxy: DynamoProxy }> {
  const e = await suite.start({ dynamoProxy: true });
  const { proxy } = e;
  if (!proxy) throw new Error('no proxy');
  return Object.assign(e, { proxy });
}

/** Calls the proxy answered with a fault while `work` ran, given the operations the rule covered. */
async function faultedCalls(
  proxy: DynamoProxy,
  operations: string[],
  work: () => Promise<void>,
): Promise<number> {
  const count = () =>
    Object.entries(proxy.calls)
      .filter(([op]) => operations.includes('*') || operations.includes(op))
      .reduce((sum, [, n]) => sum + n, 0);
  const before = count();
  await work();
  return count() - before;
}

describe('DynamoDB faults', () => {
  it('unavailable at the start: the invocation fails before any Console call, the redelivery does the work once', async () => {
    // Prepare
    const e = await start();
    e.proxy.fail('*', 'internal');
    const event = schedulerEvent('backup', 'run', '2026-11-27T02:00:00Z');
    // Act
    let first: Awaited<ReturnType<FaultEnv['invoke']>> | undefined;
    const faults = await faultedCalls(e.proxy, ['*'], async () => {
      first = await e.invoke('backup', event);
    });
    const consoleRequests = e.sim.stats.console.requests;
    const authRequests = e.sim.stats.auth.requests;
    e.proxy.clear();
    const retries = await redeliver(e, 'backup', event);
    // Assess: a state error, not a run summary claiming success; no Console request, no event.
    const error = first?.error;
    expect(error).toBeInstanceOf(StateStoreError);
    expect(error instanceof StateStoreError ? error.operation : undefined).toBe('ledger.start');
    expect(consoleRequests).toBe(0);
    expect(authRequests, 'the ledger is checked before any token is asked for').toBe(0);
    const summary = settled(retries);
    expect(summary.counts.done).toBeGreaterThan(0);
    expect(e.events.events.filter((ev) => ev.detailType === 'backup.run.result')).toHaveLength(1);
    e.finishRow(GROUP, 'unavailable at the start of a run', { extraFaults: faults });
  });

  it('unavailable at the start of a webhook whose check reads the Console (keep-alive): no Console or auth request', async () => {
    // Prepare: the keep-alive check lists the clusters before the run starts; the ledger is read before the
    // check, so the table's outage is found before the token item (no token is held yet) is ever needed.
    const e = await start();
    e.proxy.fail('*', 'internal');
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const event = webhookEvent('teardown', 'keep-alive', {
      payload: { cluster: 'dev-orders', until, by: 'alice', reason: 'demo tomorrow morning' },
    });
    // Act
    let first: Awaited<ReturnType<FaultEnv['invoke']>> | undefined;
    const faults = await faultedCalls(e.proxy, ['*'], async () => {
      first = await e.invoke('teardown', event);
    });
    // Assess: a clear store error, and neither the Console nor the auth server was asked.
    expect(first?.error).toBeInstanceOf(StateStoreError);
    expect(first?.error).toMatchObject({ operation: 'ledger.get' });
    expect(e.sim.stats.console.requests).toBe(0);
    expect(e.sim.stats.auth.requests).toBe(0);
    e.finishRow(GROUP, 'unavailable at the start of a webhook check', { extraFaults: faults });
  });

  it('unavailable while a warm container answers webhooks whose checks read the Console: the store error, no Console or auth request', async () => {
    // Prepare: one keep-alive succeeds, so the container holds a token in memory and its checks could list
    // the clusters without reading the token item; then the table goes away.
    const e = await start();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const keepAlive = (by: string) =>
      webhookEvent('teardown', 'keep-alive', {
        payload: { cluster: 'dev-orders', until, by, reason: 'demo tomorrow morning' },
      });
    const warm = await e.invoke('teardown', keepAlive('alice'));
    expect(warm.error).toBeUndefined();
    expect(warm.response?.statusCode).toBe(202);
    e.proxy.fail('*', 'internal');
    const consoleBefore = e.sim.stats.console.requests;
    const authBefore = e.sim.stats.auth.requests;
    const setSource = webhookEvent('allowlist-sync', 'set-source', {
      payload: {
        source: 'office-vpn',
        entries: [{ cidr: '198.51.100.0/24', description: 'vpn egress' }],
        updatedBy: 'netops',
      },
    });
    // Act
    const results: Array<Awaited<ReturnType<FaultEnv['invoke']>>> = [];
    const faults = await faultedCalls(e.proxy, ['*'], async () => {
      results.push(await e.invoke('teardown', keepAlive('bob')));
      results.push(await e.invoke('allowlist-sync', setSource));
    });
    // Assess: each fails with the ledger's read error before its check asks the Console anything.
    for (const result of results) {
      expect(result.error).toBeInstanceOf(StateStoreError);
      expect(result.error).toMatchObject({ operation: 'ledger.get' });
    }
    expect(e.sim.stats.console.requests - consoleBefore, 'no Console request').toBe(0);
    expect(e.sim.stats.auth.requests - authBefore, 'no auth request').toBe(0);
    e.finishRow(GROUP, 'unavailable for a warm container webhook check', { extraFaults: faults });
  });

  it('unavailable for writes in the middle of a teardown: no cluster deleted without its snapshot, the retry deletes each once', async () => {
    // Prepare: reads and the ledger's conditional updates work, every PutItem (snapshot, outcome) fails.
    const e = await start();
    const expected = e.selected('teardown');
    e.proxy.fail('PutItem', 'internal');
    const event = schedulerEvent('teardown', 'run', minutesAgo(1));
    // Act
    let first: Awaited<ReturnType<FaultEnv['invoke']>> | undefined;
    const faults = await faultedCalls(e.proxy, ['PutItem'], async () => {
      first = await e.invoke('teardown', event);
    });
    const deletesDuringOutage = e.applied.events.filter((ev) => ev.kind === 'delete').length;
    e.proxy.clear();
    const retries = await redeliver(e, 'teardown', event, { expected: () => expected });
    // Assess
    expect(first?.error).toBeInstanceOf(RunFailedError);
    e.account(first?.summary, expected);
    expect(first?.summary?.clusters.filter((c) => c.status === 'failed').map((c) => c.status)).toHaveLength(
      3,
    );
    expect(String(first?.summary?.clusters.map((c) => (c.status === 'failed' ? c.error : '')))).toMatch(
      /snapshot not saved, cluster not deleted/,
    );
    expect(deletesDuringOutage, 'no delete without a saved snapshot').toBe(0);
    const summary = settled(retries);
    const deleted = summary.clusters.filter((c) => c.status === 'done').map((c) => c.clusterName);
    expect(deleted).toHaveLength(3);
    const snapshots = createDynamoStores(e.db.client, e.tableName).snapshots;
    for (const name of deleted) expect(await snapshots.get(name), name).toMatchObject({ status: 'deleted' });
    e.finishRow(GROUP, 'unavailable for writes mid-teardown', { extraFaults: faults });
  });

  it.each([
    { row: 'throttled', fault: 'throttle' as const, times: 6 },
    { row: 'connection resets', fault: 'reset' as const, times: 6 },
  ])('$row: the SDK retries, every cluster accounted, nothing twice', async ({ row, fault, times }) => {
    // Prepare
    const e = await start();
    e.proxy.fail('*', fault, times);
    // Act
    const summaries = [];
    for (const job of ['teardown', 'backup', 'allowlist-sync'] as const) {
      const expected = e.selected(job);
      const event = schedulerEvent(job, job === 'allowlist-sync' ? 'sync' : 'run', minutesAgo(1));
      summaries.push(settled(await redeliver(e, job, event, { expected: () => expected })));
    }
    // Assess
    expect(summaries.every((s) => s.clusters.length > 0)).toBe(true);
    e.finishRow(GROUP, row, { extraFaults: times });
  });

  it('a conditional write lost to a concurrent writer: the ledger start and the token lease try again, nothing twice', async () => {
    // Prepare: the first two conditional updates (the run's ledger start) fail as if another writer won.
    const e = await start();
    e.proxy.fail('UpdateItem', 'conditional', 2);
    const event = schedulerEvent('backup', 'run', '2026-11-27T02:00:00Z');
    // Act
    const results = await redeliver(e, 'backup', event);
    // Assess
    const summary = settled(results);
    expect(results).toHaveLength(1);
    expect(summary.counts.done).toBeGreaterThan(0);
    e.finishRow(GROUP, 'conditional write lost (injected)', { extraFaults: 2 });
  });

  it('a cluster claimed by an overlapping run: reported skipped, not touched, done by the next run once released', async () => {
    // Prepare: another run of the backup job holds one selected cluster.
    const e = await start();
    const expected = e.selected('backup');
    const held = expected.find((id) => e.sim.state.clusters.get(id)?.name === 'prod-orders');
    if (!held) throw new Error('prod-orders not selected');
    const claims = dynamoClusterClaims(e.db.client, e.tableName);
    expect(await claims.claim('backup', held, 'another-run#1', 60_000)).toBe(true);
    // Act
    const first = await e.invoke('backup', schedulerEvent('backup', 'run', '2026-11-27T02:00:00Z'));
    const postsForHeld = e.sim.requestLog.filter((r) => r.method === 'POST' && r.path.includes(held)).length;
    await claims.release('backup', held, 'another-run#1');
    const next = await e.invoke('backup', schedulerEvent('backup', 'run', '2026-11-28T02:00:00Z'));
    // Assess
    e.account(first.summary, expected);
    e.account(next.summary, expected);
    expect(first.summary?.clusters.find((c) => c.clusterId === held)).toMatchObject({
      status: 'skipped',
      reason: 'another run of this job is working on this cluster',
    });
    expect(postsForHeld).toBe(0);
    expect(next.summary?.clusters.find((c) => c.clusterId === held)).toMatchObject({
      status: 'done',
      action: 'backup-created',
    });
    e.finishRow(GROUP, 'conditional write lost (a real concurrent claim)', { extraFaults: 1 });
  });

  it('leaks no token, client secret or webhook secret into logs, output, errors or answers', () => {
    // Act
    scanner.stopOutput();
    // Assess
    expect(scanner.secretCount).toBeGreaterThan(4);
    expect(scanner.findings()).toEqual([]);
  });
});
