// The token provider's less travelled paths, each pinned by what a caller or an operator sees: a caller
// that gives up, the default pause between polls, the wait logged once a token comes, a lease fenced
// against a slower holder, the store known down (one attempt) and known up again (retries), a rotated
// secret after a rejection, a background refresh that adopts another container's token or fails quietly,
// and a container built without metrics.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TokenError } from '#lib/token/errors.ts';
import { memoryTokenStore } from '#lib/token/memory-store.ts';
import { AuthCallError } from '#lib/token/oauth.ts';
import type { TokenStore } from '#lib/token/shared-store.ts';
import {
  countingStore,
  fleetWith,
  gate,
  KEY,
  leaseTakenBy,
  settled,
  storeError,
  T0,
  tokenHarness,
} from '#test/helpers/token/harness.ts';

/** Lets every pending promise chain run (setImmediate is never faked here). */
const flush = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('callers that wait', () => {
  it("a caller's abort ends only its own wait: the others get the token and no listener is left behind", async () => {
    // Prepare
    const h = tokenHarness(fleetWith());
    const open = h.holdAuth();
    const p = h.provider();
    const impatient = new AbortController();
    const patient = new AbortController();
    const removed = vi.spyOn(patient.signal, 'removeEventListener');
    // Act
    const withoutSignal = p.getToken();
    const gaveUp = settled(p.getToken(impatient.signal));
    const withSignal = p.getToken(patient.signal);
    impatient.abort(new Error('the caller gave up'));
    const abortError = await gaveUp;
    open();
    const tokens = [await withoutSignal, await withSignal];
    await flush();
    // Assess
    expect((abortError as Error).message).toBe('the caller gave up');
    expect(tokens).toEqual(['token-1', 'token-1']);
    expect(h.auth.calls).toBe(1);
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('without an injected sleep, a wait is a timer (not a spin) and ends when the timer fires', async () => {
    // Prepare: another instance holds the lease.
    const store = fleetWith();
    await leaseTakenBy(store, 'other', 60_000);
    const h = tokenHarness(store);
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const p = h.provider({ pollInitialMs: 100, pollMaxMs: 100, maxWaitMs: 120_000 }, { sleep: undefined });
    // Act
    const token = p.getToken();
    await flush();
    const timersWhileWaiting = vi.getTimerCount();
    h.clock.t += 61_000;
    await vi.advanceTimersByTimeAsync(100);
    // Assess
    expect(timersWhileWaiting).toBe(1);
    expect(await token).toBe('token-1');
    expect(p.stats.waits).toBe(1);
  });

  it('a token that comes after a wait is logged as such (debug), one read at once is not', async () => {
    // Prepare: another instance holds the lease and publishes while this container waits.
    const store = fleetWith();
    await leaseTakenBy(store, 'other', 6_000);
    const h = tokenHarness(store);
    const waiting = h.provider(
      {},
      {
        sleep: async (ms) => {
          h.clock.t += ms;
          await store.publish(KEY, 'other', 'token-other', h.clock.t + 300_000, h.clock.t);
        },
      },
    );
    // Act
    const afterWait = await waiting.getToken();
    const waitLines = h.log.lines.filter((l) => l.message === 'token after wait');
    const atOnce = await h.provider().getToken();
    // Assess
    expect([afterWait, atOnce]).toEqual(['token-other', 'token-other']);
    expect(waitLines).toEqual([{ level: 'debug', message: 'token after wait', data: { source: 'shared' } }]);
    expect(h.log.lines.filter((l) => l.message === 'token after wait')).toHaveLength(1);
  });

  it("no lease is asked for while another instance's lease lives", async () => {
    // Prepare
    let leaseCalls = 0;
    const inner = fleetWith();
    await leaseTakenBy(inner, 'other', 60_000);
    const store: TokenStore = {
      ...inner,
      tryLease: (key, request) => {
        leaseCalls++;
        return inner.tryLease(key, request);
      },
    };
    const h = tokenHarness(store);
    // Act
    const err = (await settled(h.provider({ maxWaitMs: 3_000 }).getToken())) as TokenError;
    // Assess
    expect(err.code).toBe('wait-timeout');
    expect(leaseCalls).toBe(0);
  });

  it('a holder whose own auth call failed says so when its budget ends before the next look', async () => {
    // Prepare: the auth server does not answer; the pause ends within the budget, the next poll would not.
    const h = tokenHarness(fleetWith());
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'unavailable', detail: 'HTTP 503', status: 503 });
    };
    const p = h.provider({ maxWaitMs: 10_000, pollInitialMs: 20_000, pollMaxMs: 20_000 });
    // Act
    const err = (await settled(p.getToken())) as TokenError;
    // Assess
    expect(err.code).toBe('wait-timeout');
    expect(err.message).toMatch(
      /: the auth server failed to answer; waiting for a late answer or the retry after the shared pause$/,
    );
  });
});

describe('leases and the store', () => {
  it("a holder that lost its lease to a takeover cannot overwrite the new holder's token", async () => {
    // Prepare: A's auth call hangs past its lease; B takes the lease over and its call hangs too.
    const h = tokenHarness(fleetWith());
    const answers = [gate(), gate()];
    h.auth.behaviour = async (call) => {
      await answers[call - 1]?.opened;
      return { accessToken: `token-${call}`, expiresAt: h.clock.t + 300_000 };
    };
    const a = h.provider();
    const b = h.provider({ maxWaitMs: 20_000 });
    const fromA = a.getToken();
    await flush();
    const fromB = b.getToken();
    for (let i = 0; i < 5_000 && h.auth.calls < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 1));
    // Act: A's answer comes first, while B holds the lease; then B's.
    answers[0]?.open();
    const tokenA = await fromA;
    answers[1]?.open();
    const tokenB = await fromB;
    // Assess
    expect([tokenA, tokenB]).toEqual(['token-1', 'token-2']);
    expect(b.stats.takeovers).toBe(1);
    expect((await h.store.read(KEY)).token).toBe('token-2');
    expect(
      h.log.lines.filter((l) => l.message.startsWith('token lease lost before publishing')),
    ).toHaveLength(1);
  });

  it('a lease the store cannot grant is a store failure: no auth call', async () => {
    // Prepare
    const h = tokenHarness(
      fleetWith({
        tryLease: async () => {
          throw storeError('ResourceNotFoundException');
        },
      }),
    );
    const p = h.provider();
    // Act
    const err = (await settled(p.getToken())) as TokenError;
    // Assess
    expect(err.code).toBe('store-unavailable');
    expect(p.stats.storeFailures).toBe(1);
    expect(h.auth.calls).toBe(0);
  });

  it('once the store is known down the next call tries it once; once it worked again, errors are retried', async () => {
    // Prepare: a store that fails as the test says.
    let mode: 'down' | 'ok' | 'fails-once' = 'down';
    let reads = 0;
    const inner = fleetWith();
    const store: TokenStore = {
      ...inner,
      read: async (key) => {
        reads++;
        if (mode === 'down') throw storeError('InternalServerError');
        if (mode === 'fails-once') {
          mode = 'ok';
          throw storeError('InternalServerError');
        }
        return inner.read(key);
      },
    };
    const h = tokenHarness(store);
    const p = h.provider({ storeRetryMs: 2_000 });
    // Act
    const first = (await settled(p.getToken())) as TokenError;
    const readsAfterFirst = reads;
    const second = (await settled(p.getToken())) as TokenError;
    const readsOfSecond = reads - readsAfterFirst;
    mode = 'ok';
    const token = await p.getToken();
    await p.invalidate(token);
    h.clock.t += 60_000;
    mode = 'fails-once';
    const next = await p.getToken();
    // Assess
    expect([first.code, second.code]).toEqual(['store-unavailable', 'store-unavailable']);
    expect(readsAfterFirst).toBeGreaterThan(1);
    expect(readsOfSecond).toBe(1);
    expect([token, next]).toEqual(['token-1', 'token-2']);
  });

  it('each store retry is logged with its kind, attempt and the error (no secret)', async () => {
    // Prepare
    let calls = 0;
    const inner = fleetWith();
    const h = tokenHarness({
      ...inner,
      read: async (key) => {
        calls++;
        if (calls === 1) throw storeError('ThrottlingException');
        return inner.read(key);
      },
    });
    // Act
    await h.provider().getToken();
    // Assess
    expect(h.log.lines).toContainEqual({
      level: 'debug',
      message: 'token store call failed; retrying',
      data: { kind: 'throttled', attempt: 1, error: 'ThrottlingException: ThrottlingException happened' },
    });
    expect(JSON.stringify(h.log.lines)).not.toContain('secret-1');
  });

  it('a token read from the store is invalidated in the store by a container that never asked for it', async () => {
    // Prepare
    const h = tokenHarness(fleetWith());
    await h.provider().getToken();
    const reader = h.provider({ invalidationIntervalMs: 0 });
    const token = await reader.getToken();
    // Act
    await reader.invalidate(token);
    // Assess
    expect(reader.stats.shared).toBe(1);
    expect((await h.store.read(KEY)).token).toBeUndefined();
    expect(h.log.lines).toContainEqual({ level: 'info', message: 'token invalidated', data: { version: 1 } });
  });

  it('a token read at exactly its refresh point is refreshed in the background', async () => {
    // Prepare
    const h = tokenHarness(countingStore('fleet'));
    await h.provider().getToken();
    h.clock.t = (await h.store.read(KEY)).refreshAt as number;
    const cold = h.provider();
    // Act
    const token = await cold.getToken();
    await cold.settle();
    // Assess
    expect(token).toBe('token-1');
    expect(h.auth.calls).toBe(2);
  });
});

describe('credentials rejected', () => {
  it('a re-read that finds the same secret keeps the rejection and claims no change; a new secret is tried', async () => {
    // Prepare: the auth server rejects secret-1 only.
    const h = tokenHarness(fleetWith());
    h.rejectSecret('secret-1');
    const p = h.provider({ credentialsRecheckMs: 30_000 });
    const rejected = (await settled(p.getToken())) as TokenError;
    const changed = 'credentials changed since they were rejected: trying the new ones';
    // Act: 31 s later, the secret unchanged; then rotated.
    h.clock.t += 31_000;
    const again = (await settled(p.getToken())) as TokenError;
    const reloadsUnchanged = h.credentials.reloads;
    const linesUnchanged = h.log.lines.filter((l) => l.message === changed).length;
    h.secret.value = 'secret-2';
    h.clock.t += 31_000;
    const token = await p.getToken();
    // Assess
    expect([rejected.code, again.code]).toEqual(['credentials-rejected', 'credentials-rejected']);
    expect(reloadsUnchanged).toBe(1);
    expect(linesUnchanged).toBe(0);
    expect(token).toBe('token-2');
    expect(h.log.lines).toContainEqual({ level: 'info', message: changed, data: undefined });
    expect(JSON.stringify(h.log.lines)).not.toMatch(/secret-[12]/);
  });
});

describe('background refresh', () => {
  it("adopts another container's newer token into memory, recorded so that it can be invalidated", async () => {
    // Prepare: A and B hold token-1; A refreshes first.
    const h = tokenHarness(countingStore('fleet'));
    const a = h.provider({ skewMs: 0 });
    const b = h.provider({ skewMs: 0, invalidationIntervalMs: 0 });
    await a.getToken();
    await b.getToken();
    h.clock.t = T0 + 250_000;
    await a.getToken();
    await a.settle();
    // Act
    const [, adopted] = await h.acrossRefresh(b);
    const origin = b.lastOrigin;
    await b.invalidate(adopted);
    // Assess
    expect(adopted).toBe('token-2');
    expect(origin).toBe('memory');
    expect((await h.store.read(KEY)).token).toBeUndefined();
    expect(h.log.lines).toContainEqual({ level: 'info', message: 'token invalidated', data: { version: 2 } });
  });

  it('a store error in the background is logged with the error and the token in use stays served', async () => {
    // Prepare
    let broken = false;
    const inner = fleetWith();
    const h = tokenHarness({
      ...inner,
      read: async (key) => {
        if (broken) throw storeError('InternalServerError');
        return inner.read(key);
      },
    });
    const p = h.provider({ skewMs: 0 });
    await p.getToken();
    h.clock.t = T0 + 250_000;
    broken = true;
    // Act
    const [during, after] = await h.acrossRefresh(p);
    // Assess
    expect([during, after]).toEqual(['token-1', 'token-1']);
    expect(h.log.lines).toContainEqual({
      level: 'warn',
      message: 'background token refresh failed; the current token stays in use',
      data: { error: 'InternalServerError: InternalServerError happened' },
    });
  });
});

describe('a container without metrics', () => {
  it('works on every path that counts a metric', async () => {
    // Prepare: a dead holder's lease (wait, takeover), then invalidation, a 429, a 401, a store down.
    const store = fleetWith();
    await leaseTakenBy(store, 'other', 6_000);
    const h = tokenHarness(store);
    const p = h.provider({ maxWaitMs: 20_000, minAuthIntervalMs: 0 }, { metrics: undefined });
    // Act
    const token = await p.getToken();
    const fromMemory = await p.getToken();
    await p.invalidate(token);
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rate-limited', status: 429 });
    };
    const limited = (await settled(h.provider({}, { metrics: undefined }).getToken())) as TokenError;
    const rejecting = tokenHarness(memoryTokenStore());
    rejecting.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rejected', status: 401 });
    };
    const rejected = (await settled(rejecting.provider({}, { metrics: undefined }).getToken())) as TokenError;
    const down = tokenHarness(
      fleetWith({
        read: async () => {
          throw storeError('ResourceNotFoundException');
        },
      }),
    );
    const unavailable = (await settled(down.provider({}, { metrics: undefined }).getToken())) as TokenError;
    // Assess
    expect([token, fromMemory]).toEqual(['token-1', 'token-1']);
    expect(p.stats).toMatchObject({ waits: expect.any(Number), takeovers: 1, auth: 1, memory: 1 });
    expect(p.stats.waits).toBeGreaterThan(0);
    expect(p.stats.invalidations).toBe(1);
    expect([limited.code, rejected.code, unavailable.code]).toEqual([
      'auth-blocked',
      'credentials-rejected',
      'store-unavailable',
    ]);
    expect(h.metrics).toEqual([]);
  });
});
