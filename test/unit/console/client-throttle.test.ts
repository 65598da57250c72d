import { describe, expect, it } from 'vitest';
import { THROTTLE_GATE_MAX_MS } from '#lib/console/retry.ts';
import {
  json,
  manualClock,
  rejectionOf,
  type SentRequest,
  testClient,
  text,
} from '#test/unit/console/fakes.ts';

/** A response the test releases by hand, so it can order concurrent calls. */
function deferred(): { promise: Promise<Response>; resolve: (response: Response) => void } {
  let resolve: (response: Response) => void = () => {};
  const promise = new Promise<Response>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('the shared throttle gate', () => {
  it('holds calls started after a 429 until its Retry-After has passed', async () => {
    // Prepare: the first request is throttled for 2 s, everything after succeeds
    const clock = manualClock();
    const { client, http } = testClient(
      [() => text('slow down', 429, { 'retry-after': '2' }), () => json([])],
      { clock },
    );

    // Act
    const first = client.listClusters();
    await clock.flush();
    const others = [client.getCluster('c-1').catch(() => undefined), client.listBackups('c-1')];
    await clock.flush();
    const sentWhileClosed = http.requests.length;
    await clock.runAll();
    await Promise.all([first, ...others]);

    // Assess: nothing went out while the gate was closed; all three went out at t = 2000
    expect(sentWhileClosed).toBe(1);
    expect(http.requests.slice(1).map((r) => r.at)).toEqual([2_000, 2_000, 2_000]);
    expect(client.stats).toMatchObject({ throttled: 1, throttledMs: 2_000, gateWaits: 3 });
  });

  it('holds a concurrent call whose own backoff is shorter', async () => {
    // Prepare: A and B are in flight together; A gets a 429 (Retry-After 5 s), then B gets a 500
    const clock = manualClock();
    const b = deferred();
    let sent = 0;
    const { client, http } = testClient(
      [
        (r: SentRequest) => {
          sent += 1;
          if (sent > 2) return json([]);
          return r.pathname === '/clusters' ? text('slow down', 429, { 'retry-after': '5' }) : b.promise;
        },
      ],
      { clock, random: () => 0 },
    );

    // Act
    const callA = client.listClusters();
    const callB = client.listBackups('c-1');
    await clock.flush();
    b.resolve(text('oops', 500));
    await clock.runAll();
    await Promise.all([callA, callB]);

    // Assess: B's own backoff (random 0 → 0 ms) would resend at once; the gate holds it until 5 s
    const retryOfB = http.requests.filter((r) => r.pathname === '/clusters/c-1/backups')[1];
    expect(retryOfB?.at).toBe(5_000);
  });

  it('without Retry-After, closes the gate for the backoff delay', async () => {
    // Prepare
    const clock = manualClock();
    const { client, http } = testClient([() => text('slow down', 429), () => json([])], {
      clock,
      random: () => 0.5,
    });

    // Act
    const call = client.listClusters();
    await clock.runAll();
    await call;

    // Assess: half of the first 250 ms window
    expect(http.requests[1]?.at).toBe(125);
    expect(client.stats.throttledMs).toBe(125);
  });

  it('a 429 on a POST closes the gate too, though the POST itself is not replayed', async () => {
    // Prepare
    const clock = manualClock();
    const { client, http } = testClient(
      [() => text('slow down', 429, { 'retry-after': '4' }), () => json([])],
      {
        clock,
      },
    );

    // Act
    const error = await rejectionOf(client.createBackup('c-1'));
    const next = client.listClusters();
    await clock.runAll();
    await next;

    // Assess
    expect(error).toMatchObject({ status: 429, maybeApplied: true, retryAfterMs: 4_000, attempts: 1 });
    expect(http.requests[1]?.at).toBe(4_000);
  });

  it('fails a waiting call at once when the gate stays closed beyond its retry budget', async () => {
    // Prepare: the server asks for a 60 s pause; the budget is 30 s
    const clock = manualClock();
    const { client, http } = testClient(
      [() => text('slow down', 429, { 'retry-after': '60' }), () => json([])],
      {
        clock,
      },
    );

    // Act
    const first = await rejectionOf(client.listClusters());
    const second = await rejectionOf(client.getParameters());

    // Assess: neither waited, and the second sent nothing
    expect(first).toMatchObject({ status: 429, retryAfterMs: 60_000, attempts: 1 });
    expect(second).toMatchObject({ status: 429, code: 'http', attempts: 0, retryAfterMs: 60_000 });
    expect(second.message).toContain('throttled by an earlier 429');
    expect(http.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('lets a call through once the pause is over', async () => {
    // Prepare
    const clock = manualClock();
    const { client, http } = testClient(
      [() => text('slow down', 429, { 'retry-after': '60' }), () => json([])],
      {
        clock,
      },
    );
    await rejectionOf(client.listClusters());

    // Act
    clock.advance(60_000);
    const clusters = await client.listClusters();

    // Assess
    expect(clusters).toEqual([]);
    expect(http.requests).toHaveLength(2);
  });

  it('caps the pause of a bogus Retry-After', async () => {
    // Prepare
    const clock = manualClock();
    const { client } = testClient(
      [() => text('slow down', 429, { 'retry-after': '86400' }), () => json([])],
      {
        clock,
      },
    );

    // Act
    await rejectionOf(client.listClusters());

    // Assess
    expect(client.stats.throttledMs).toBe(THROTTLE_GATE_MAX_MS);
  });

  it('is per client instance', async () => {
    // Prepare
    const clock = manualClock();
    const one = testClient([() => text('slow down', 429, { 'retry-after': '2' }), () => json([])], { clock });
    const two = testClient([() => json([])], { clock });

    // Act
    const throttled = one.client.listClusters();
    await clock.flush();
    await two.client.listClusters();
    await clock.runAll();
    await throttled;

    // Assess
    expect(two.http.requests[0]?.at).toBe(0);
    expect(two.client.stats.gateWaits).toBe(0);
    expect(one.http.requests[1]?.at).toBe(2_000);
  });
});
