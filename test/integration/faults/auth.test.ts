// Fault matrix, auth server: 429 with a block window, 401 (a rotated secret, with the tar pit), answers
// slower than the timeout, dropped connections. A run that cannot get a token fails loudly before touching
// any cluster, asks the auth server once (not once per cluster or per retry), and the redelivery after the
// fault does all the work once.
import { describe, expect, it } from 'vitest';
import { type JobName, RunFailedError } from '#lib/jobs/types.ts';
import { minutesAgo, schedulerEvent } from '#local/env.ts';
import { faultSuite } from '#test/helpers/fault-suite.ts';
import { type FaultEnv, type Invocation, redeliver, settled, until } from '#test/helpers/faults.ts';

const GROUP = 'auth server';
const { scanner, start } = faultSuite();

/** Another client behind the same NAT spends the source's budget: two token requests within a second. */
async function exhaustAuthBudget(e: FaultEnv): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await fetch(e.sim.oauthUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
  }
}

const authRequests = (e: FaultEnv) => e.sim.stats.auth.requests;

/** The failed first delivery: a failed run, no cluster touched, no Console request at all. */
async function firstDelivery(e: FaultEnv, job: JobName, event: unknown): Promise<Invocation> {
  const invocation = await e.invoke(job, event);
  expect(invocation.error).toBeInstanceOf(RunFailedError);
  expect(invocation.summary?.failed).toBe(true);
  expect(invocation.summary?.clusters).toEqual([]);
  expect(invocation.summary?.notes.join(' ')).toMatch(/TokenError/);
  expect(e.sim.stats.console.requests).toBe(0);
  return invocation;
}

describe('auth server faults', () => {
  it.each([
    { name: 'without Retry-After', retryAfter: false },
    { name: 'with Retry-After', retryAfter: true },
  ])(
    '429 with a block window ($name): one token request, a failed run, then the redelivery does the work once',
    async ({ name, retryAfter }) => {
      // Prepare
      const e = await start({
        sim: { authRateLimit: { perSecond: 1, blockMs: 1_200, retryAfter } },
        tuning: { blockFloorMs: 1_000 },
      });
      await exhaustAuthBudget(e);
      expect(e.sim.authBlockedUntil()).toBeDefined();
      const before = authRequests(e);
      const event = schedulerEvent('backup', 'run', '2026-11-27T02:00:00Z');
      // Act: the first delivery meets the block; another run right after must not ask again.
      await firstDelivery(e, 'backup', event);
      const afterFirst = authRequests(e);
      const other = await e.invoke('backup', schedulerEvent('backup', 'run', '2026-11-27T02:05:00Z'));
      const afterOther = authRequests(e);
      await until(() => e.sim.authBlockedUntil() === undefined, 5_000, 'the auth block to end');
      const retries = await redeliver(e, 'backup', event, { pauseMs: 400 });
      // Assess
      expect(afterFirst - before, 'one token request for the whole run').toBe(1);
      expect(other.summary?.failed).toBe(true);
      expect(afterOther, 'the shared block keeps every instance from asking again').toBe(afterFirst);
      const summary = settled(retries);
      expect(summary.counts.done).toBeGreaterThan(0);
      // Never more than one token request per delivery, and one token in the end.
      expect(authRequests(e) - afterOther).toBeLessThanOrEqual(retries.length);
      expect(e.issuedTokens.size).toBe(1);
      e.finishRow(GROUP, `429 with a block window, ${name}`);
    },
  );

  it('401 (secret rotated on the server): one tar-pitted request, no retry until the secret changes, then the work once', async () => {
    // Prepare
    const e = await start();
    const rotated = `rotated-${e.credentials.clientSecret}`;
    scanner.addSecret(rotated);
    e.sim.setCredentials(e.credentials.clientId, rotated);
    const event = schedulerEvent('teardown', 'run', minutesAgo(2));
    const expected = e.selected('teardown');
    // Act
    await firstDelivery(e, 'teardown', event);
    const afterFirst = authRequests(e);
    const second = await e.invoke('teardown', schedulerEvent('teardown', 'run', minutesAgo(1)));
    const afterSecond = authRequests(e);
    e.env.CAMUNDA_CONSOLE_CLIENT_SECRET = rotated;
    const retries = await redeliver(e, 'teardown', event, { pauseMs: 300, expected: () => expected });
    // Assess
    expect(afterFirst).toBe(1);
    expect(e.sim.stats.auth.rejected).toBe(1);
    expect(second.summary?.failed).toBe(true);
    expect(afterSecond, 'rejected credentials are not sent again (tar pit, shared budget)').toBe(afterFirst);
    const summary = settled(retries);
    expect(summary.counts.done).toBeGreaterThan(0);
    e.finishRow(GROUP, '401: rotated secret (tar pit)', { extraFaults: 1 });
  });

  it('answers slower than the timeout: the late token is published and used, one token request, the work done', async () => {
    // Prepare: the auth server answers after 1 s; the provider stops waiting for it after 400 ms but keeps the
    // request open (authLateMs) and its callers keep waiting within their budget.
    const e = await start();
    e.sim.faults.add({ route: 'oauth', kind: 'latency', latencyMs: 1_000, times: 1 });
    const event = schedulerEvent('allowlist-sync', 'sync', '2026-11-27T03:00:00Z');
    // Act
    const retries = await redeliver(e, 'allowlist-sync', event, { pauseMs: 400 });
    // Assess: the first delivery already did the work with the late token; nobody asked a second time.
    expect(retries).toHaveLength(1);
    const summary = settled(retries);
    expect(summary.clusters.length).toBe(e.selected('allowlist-sync').length);
    expect(authRequests(e)).toBe(1);
    expect(e.issuedTokens.size).toBe(1);
    e.finishRow(GROUP, 'answers slower than the timeout', { extraFaults: 1 });
  });

  it('connection resets: retried at the fleet-wide pace within the wait budget, the work done once', async () => {
    // Prepare
    const e = await start();
    e.sim.faults.add({ route: 'oauth', kind: 'reset', times: 2 });
    const event = schedulerEvent('backup', 'run', '2026-11-27T04:00:00Z');
    // Act
    const retries = await redeliver(e, 'backup', event, { pauseMs: 300 });
    // Assess: the two reset requests and the one that worked, paced (never rate-limited); the callers
    // waited out the shared pause after each failure instead of failing the run at once.
    const summary = settled(retries);
    expect(summary.counts.done).toBeGreaterThan(0);
    expect(authRequests(e)).toBe(3);
    expect(e.sim.stats.auth.rateLimited).toBe(0);
    e.finishRow(GROUP, 'connection resets');
  });

  it('leaks no token, client secret or webhook secret into logs, output, errors or answers', () => {
    // Act
    scanner.stopOutput();
    // Assess
    expect(scanner.secretCount).toBeGreaterThan(4);
    expect(scanner.findings()).toEqual([]);
  });
});
