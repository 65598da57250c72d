// Fault matrix, interruptions and concurrency: a token-lease holder that dies mid-refresh (a lease taken and
// never finished; a real process SIGKILLed while in the auth call), a Lambda running out of time mid-run,
// the same schedule / EventBridge event / webhook delivered three times at once, and two runs of one job
// overlapping. No cluster is worked twice; deferred work is reported and picked up by the next run.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobName, RunSummary } from '#lib/jobs/types.ts';
import { secretFingerprint } from '#lib/token/credentials.ts';
import { dynamoTokenStore, tokenItemKey } from '#lib/token/shared-store.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { bundleEntry } from '#local/bundle.ts';
import { eventBridgeEvent, minutesAgo, schedulerEvent, webhookEvent } from '#local/env.ts';
import { faultSuite } from '#test/helpers/fault-suite.ts';
import { type FaultEnv, type Invocation, until } from '#test/helpers/faults.ts';

const GROUP = 'interruptions and concurrency';
const WORKER = fileURLToPath(new URL('../token/herd-worker.ts', import.meta.url));

const { scanner, start } = faultSuite();
let workerFile: string;
beforeAll(async () => {
  workerFile = await bundleEntry(WORKER);
});

const tokenKey = (e: FaultEnv) => tokenItemKey(e.credentials.clientId, e.sim.audience, e.sim.oauthUrl);

/** Summaries that did the work (not an answer from the ledger for a delivery already running or done). */
const working = (invocations: Invocation[]) => invocations.filter((i) => i.summary && !i.summary.replayed);

describe('a token-lease holder dies mid-refresh', () => {
  it('a lease taken and never finished: the next instance waits it out, takes over, makes one auth call', async () => {
    // Prepare: a dead instance took the refresh lease (700 ms, as the tuning) and will never publish.
    const e = await start();
    const store = dynamoTokenStore(e.db.client, e.tableName);
    const now = Date.now();
    const lease = await store.tryLease(tokenKey(e), {
      owner: 'dead-instance#1',
      now,
      leaseMs: 700,
      refreshBefore: now + 60_000,
      fingerprint: secretFingerprint(e.credentials),
      lastAuthBefore: now,
    });
    expect(lease).toBeDefined();
    const expected = e.selected('backup');
    // Act
    const run = await e.invoke('backup', schedulerEvent('backup', 'run', '2026-11-27T02:00:00Z'));
    // Assess
    expect(run.error).toBeUndefined();
    e.account(run.summary, expected);
    expect(e.counters.totals.LeaseTakeovers).toBe(1);
    expect(e.counters.totals.TokenWaits).toBeGreaterThan(0);
    expect(e.sim.stats.auth.requests).toBe(1);
    e.finishRow(GROUP, 'token lease taken and never finished', { extraFaults: 1 });
  });

  it('a process SIGKILLed while in the auth call: its lease expires, the next instance takes over, one token', async () => {
    // Prepare: the auth server never answers the first token request; the child is killed while waiting.
    const e = await start({ tuning: { maxWaitMs: 8_000 } });
    e.sim.faults.add({ route: 'oauth', kind: 'hang', times: 1 });
    const child: ChildProcess = spawn(process.execPath, [workerFile], {
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        CAMUNDA_OAUTH_URL: e.sim.oauthUrl,
        CAMUNDA_CONSOLE_OAUTH_AUDIENCE: e.sim.audience,
        CAMUNDA_CONSOLE_CLIENT_ID: e.credentials.clientId,
        CAMUNDA_CONSOLE_CLIENT_SECRET: e.credentials.clientSecret,
        STATE_TABLE_NAME: e.tableName,
        AWS_ENDPOINT_URL_DYNAMODB: e.db.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        HERD_START_AT: '0',
        HERD_TUNING: JSON.stringify({ authTimeoutMs: 2_500, leaseMs: 2_600 }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let childOutput = '';
    child.stdout?.on('data', (d) => {
      childOutput += d;
    });
    child.stderr?.on('data', (d) => {
      childOutput += d;
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await until(() => e.sim.stats.auth.requests === 1, 15_000, 'the child to call the auth server');
    child.kill('SIGKILL');
    const signal = await exited;
    const expected = e.selected('allowlist-sync');
    // Act
    const run = await e.invoke(
      'allowlist-sync',
      schedulerEvent('allowlist-sync', 'sync', '2026-11-27T03:00:00Z'),
    );
    // Assess
    expect(signal).toBe('SIGKILL');
    expect(childOutput, 'killed before it printed anything').toBe('');
    expect(run.error).toBeUndefined();
    e.account(run.summary, expected);
    expect(e.counters.totals.LeaseTakeovers).toBe(1);
    expect(e.sim.stats.auth.requests).toBe(2);
    expect(e.issuedTokens.size).toBe(1);
    scanner.addText('killed child output', childOutput);
    e.finishRow(GROUP, 'token lease holder SIGKILLed in the auth call', { extraFaults: 2 });
  });
});

describe('a Lambda runs out of time mid-run', () => {
  it('the clusters it cannot start are deferred and reported; the next run does them, nothing twice', async () => {
    // Prepare: a dozen clusters to back up one at a time, every Console answer 200 ms, a 3 s budget with a
    // 1 s margin: far more work than time.
    const e = await start({
      config: { concurrency: 1, timeMarginSeconds: 1 },
      sim: { seed: { clusters: 36, rngSeed: 5 }, latencyMs: 200 },
      consoleTimeoutMs: 2_000,
    });
    const expected = e.selected('backup');
    expect(expected.length).toBeGreaterThan(8);
    // Act
    const first = await e.invoke('backup', schedulerEvent('backup', 'run', '2026-11-27T02:00:00Z'), 3_000);
    const next = await e.invoke('backup', schedulerEvent('backup', 'run', '2026-11-28T02:00:00Z'));
    // Assess
    e.account(first.summary, expected);
    e.account(next.summary, expected);
    const deferred = (first.summary?.clusters ?? []).filter((c) => c.status === 'deferred');
    expect(deferred.length).toBeGreaterThan(0);
    expect(first.summary?.counts.done).toBeGreaterThan(0);
    // Deferred is not a failure (nothing went wrong) but it is counted where an alarm can see it.
    expect(first.error).toBeUndefined();
    expect(e.counters.totals.ClustersDeferred).toBe(deferred.length);
    for (const d of deferred) {
      const later = next.summary?.clusters.find((c) => c.clusterId === d.clusterId);
      expect(later?.status, d.clusterName).not.toBe('deferred');
      expect(later?.status, d.clusterName).not.toBe('failed');
    }
    expect(next.summary?.counts.deferred).toBe(0);
    e.finishRow(GROUP, 'Lambda out of time mid-run', { extraFaults: deferred.length });
  });
});

describe('the same delivery three times at once', () => {
  it.each([
    {
      trigger: 'schedule',
      job: 'teardown' as JobName,
      event: () => schedulerEvent('teardown', 'run', minutesAgo(1)),
    },
    {
      trigger: 'EventBridge event',
      job: 'backup' as JobName,
      event: () => eventBridgeEvent('backup.run', {}, 'evt-1'),
    },
    {
      trigger: 'webhook',
      job: 'allowlist-sync' as JobName,
      event: () => webhookEvent('allowlist-sync', 'sync', {}, { id: 'msg_three-times' }),
    },
  ])(
    '$trigger ($job): one run does the work, the others answer from the ledger, nothing twice',
    async ({ trigger, job, event }) => {
      // Prepare: slow answers so that the three deliveries really overlap.
      const e = await start({ sim: { latencyMs: 40 } });
      const expected = e.selected(job);
      const delivery = event();
      // Act
      const three = await Promise.all([
        e.invoke(job, delivery),
        e.invoke(job, delivery),
        e.invoke(job, delivery),
      ]);
      const fourth = await e.invoke(job, delivery);
      // Assess
      expect(three.map((i) => i.error)).toEqual([undefined, undefined, undefined]);
      const runs = working(three);
      expect(runs).toHaveLength(1);
      const summary = runs[0]?.summary as RunSummary;
      e.account(summary, expected);
      expect(summary.counts.done).toBeGreaterThan(0);
      for (const other of three.filter((i) => i !== runs[0])) expect(other.summary?.counts.done).toBe(0);
      expect(fourth.summary?.replayed).toBe(true);
      expect(fourth.summary?.clusters).toEqual(summary.clusters);
      if (trigger === 'webhook') {
        expect(three.map((i) => (i.response as WebhookResponse).statusCode)).toEqual([202, 202, 202]);
      }
      e.finishRow(GROUP, `the same ${trigger} delivered three times at once`, {
        extraFaults: 3,
        desiredAllowlist: () => [{ ip: '203.0.113.0/24', description: 'office' }],
      });
    },
  );
});

describe('two runs of one job overlapping', () => {
  it.each([
    { job: 'teardown' as JobName, action: 'run' },
    { job: 'backup' as JobName, action: 'run' },
    { job: 'allowlist-sync' as JobName, action: 'sync' },
  ])(
    '$job: two deliveries with different keys at once, every cluster worked at most once',
    async ({ job, action }) => {
      // Prepare
      const e = await start({ sim: { latencyMs: 40 } });
      const expected = e.selected(job);
      // Act
      const [a, b] = await Promise.all([
        e.invoke(job, schedulerEvent(job, action, minutesAgo(2))),
        e.invoke(job, schedulerEvent(job, action, minutesAgo(1))),
      ]);
      // Assess: both account for every cluster; what one did, the other skipped.
      expect([a?.error, b?.error]).toEqual([undefined, undefined]);
      e.account(a?.summary, expected);
      e.account(b?.summary, expected);
      const doneBy = (s: RunSummary | undefined) =>
        new Set((s?.clusters ?? []).filter((c) => c.status === 'done').map((c) => c.clusterId));
      const doneA = doneBy(a?.summary);
      const doneB = doneBy(b?.summary);
      expect(
        [...doneA].filter((id) => doneB.has(id)),
        'a cluster worked by both runs',
      ).toEqual([]);
      expect(doneA.size + doneB.size).toBeGreaterThan(0);
      const puts = e.sim.requestLog.filter((r) => r.method === 'PUT' && r.path.endsWith('/ipallowlist'));
      expect(new Set(puts.map((r) => r.path)).size).toBe(puts.length);
      e.finishRow(GROUP, `two ${job} runs overlapping`, {
        extraFaults: 1,
        desiredAllowlist: () => [{ ip: '203.0.113.0/24', description: 'office' }],
      });
    },
  );
});

describe('secrets', () => {
  it('leaks no token, client secret or webhook secret into logs, output, errors or answers', () => {
    // Act
    scanner.stopOutput();
    // Assess
    expect(scanner.secretCount).toBeGreaterThan(4);
    expect(scanner.findings()).toEqual([]);
  });
});
