// Retrying the shared token store within a budget: which errors are retried, the jittered backoff, and
// that no pause ever runs past the deadline (property, fake clock).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  StoreUnavailable,
  storeErrorKind,
  storeRetryDelay,
  storeUnavailableError,
  withStoreRetry,
} from '#lib/token/store-retry.ts';

function named(name: string): Error {
  const e = new Error(`${name} happened`);
  e.name = name;
  return e;
}

const BACKOFF = { initialMs: 50, maxMs: 1_000 };

describe('storeErrorKind', () => {
  it('tells throttles, transient and permanent errors apart', () => {
    expect(storeErrorKind(named('ProvisionedThroughputExceededException'))).toBe('throttled');
    expect(storeErrorKind(named('ThrottlingException'))).toBe('throttled');
    expect(storeErrorKind(named('ResourceNotFoundException'))).toBe('permanent');
    expect(storeErrorKind(named('AccessDeniedException'))).toBe('permanent');
    expect(storeErrorKind(named('InternalServerError'))).toBe('transient');
    expect(storeErrorKind(new TypeError('connect ECONNREFUSED'))).toBe('transient');
    expect(storeErrorKind('not an error')).toBe('transient');
  });
});

describe('storeRetryDelay', () => {
  it('grows exponentially up to the cap, never below half of its ceiling', () => {
    expect(storeRetryDelay(1, BACKOFF, 0)).toBe(25);
    expect(storeRetryDelay(1, BACKOFF, 1)).toBe(50);
    expect(storeRetryDelay(3, BACKOFF, 1)).toBe(200);
    expect(storeRetryDelay(10, BACKOFF, 0)).toBe(500);
    expect(storeRetryDelay(100, BACKOFF, 1)).toBe(1_000);
  });
});

describe('withStoreRetry', () => {
  it('retries until the operation works and returns its result', async () => {
    // Prepare
    const clock = { t: 0 };
    let calls = 0;
    // Act
    const result = await withStoreRetry(
      async () => {
        calls++;
        if (calls < 4) throw named('ThrottlingException');
        return 'ok';
      },
      {
        deadline: 10_000,
        backoff: BACKOFF,
        now: () => clock.t,
        sleep: async (ms) => {
          clock.t += ms;
        },
        random: () => 0.5,
      },
    );
    // Assess
    expect(result).toBe('ok');
    expect(calls).toBe(4);
  });

  it('does not retry a permanent error', async () => {
    let calls = 0;
    const err = await withStoreRetry(
      async () => {
        calls++;
        throw named('ResourceNotFoundException');
      },
      { deadline: 10_000, backoff: BACKOFF, now: () => 0, sleep: async () => {}, random: () => 0.5 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailable);
    expect((err as StoreUnavailable).kind).toBe('permanent');
    expect(calls).toBe(1);
  });

  it('property: never sleeps past the deadline, always tries once, and succeeds if an attempt before the deadline works', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 64 }),
        fc.record({
          initialMs: fc.integer({ min: 1, max: 500 }),
          maxMs: fc.integer({ min: 500, max: 5_000 }),
        }),
        async (budget, failuresBeforeSuccess, randoms, backoff) => {
          const clock = { t: 1_000 };
          const deadline = clock.t + budget;
          let calls = 0;
          let r = 0;
          const outcome = await withStoreRetry(
            async () => {
              calls++;
              if (calls <= failuresBeforeSuccess) throw named('ThrottlingException');
              return clock.t;
            },
            {
              deadline,
              backoff,
              now: () => clock.t,
              sleep: async (ms) => {
                clock.t += ms;
              },
              random: () => randoms[r++ % randoms.length] ?? 0,
            },
          ).catch((e: unknown) => e);
          expect(calls).toBeGreaterThanOrEqual(1);
          expect(clock.t).toBeLessThanOrEqual(deadline);
          if (outcome instanceof StoreUnavailable) {
            expect(calls).toBeLessThanOrEqual(failuresBeforeSuccess);
            expect(outcome.attempts).toBe(calls);
          } else {
            expect(calls).toBe(failuresBeforeSuccess + 1);
          }
        },
      ),
      { numRuns: 300, seed: 20261201, verbose: true },
    );
  });
});

describe('what a store that stays down reports', () => {
  /** Throttled `failures` times (then works), on a fake clock, with the smallest jitter. */
  async function throttled(failures: number, deadline: number) {
    const clock = { t: 0 };
    let calls = 0;
    const outcome = await withStoreRetry(
      async () => {
        calls++;
        if (calls <= failures) throw named('ThrottlingException');
        return 'ok';
      },
      {
        deadline,
        backoff: BACKOFF,
        now: () => clock.t,
        sleep: async (ms) => {
          clock.t += ms;
        },
        random: () => 0,
      },
    ).catch((e: unknown) => e);
    return { outcome, calls };
  }

  it('a pause that ends exactly at the deadline is still taken', async () => {
    // Act: the first pause is 25 ms (half of 50 with no jitter); the budget is exactly that.
    const { outcome, calls } = await throttled(1, 25);
    // Assess
    expect(outcome).toBe('ok');
    expect(calls).toBe(2);
  });

  it('gives up with the attempts made and the time waited, named and worded by kind', async () => {
    // Act: pauses of 25 and 50 ms fit into 100 ms, the next (100 ms) does not.
    const { outcome, calls } = await throttled(10, 100);
    const permanent = await withStoreRetry(
      async () => {
        throw named('AccessDeniedException');
      },
      { deadline: 10_000, backoff: BACKOFF, now: () => 0, sleep: async () => {}, random: () => 0 },
    ).catch((e: unknown) => e as StoreUnavailable);
    // Assess
    const err = outcome as StoreUnavailable;
    expect(calls).toBe(3);
    expect(err).toMatchObject({ name: 'StoreUnavailable', kind: 'throttled', attempts: 3, waitedMs: 75 });
    expect(err.message).toBe('token store is unreachable');
    expect((err.cause as Error).name).toBe('ThrottlingException');
    expect(permanent.message).toBe('token store refused the request');
  });

  it("the caller's error says what was tried, that the auth server is spared, and what to do", () => {
    // Prepare
    const once = new StoreUnavailable('permanent', 1, 0, { cause: named('ResourceNotFoundException') });
    const thrice = new StoreUnavailable('throttled', 3, 1_500, { cause: named('ThrottlingException') });
    const other = new TypeError('fetch failed');
    // Act
    const [fromOnce, fromThrice, fromOther] = [once, thrice, other].map(storeUnavailableError);
    // Assess
    const advice =
      "; not asking Camunda's auth server, to protect the source IP's rate limit (without the store every " +
      "container would ask). Check the state table and DynamoDB's health; token.storeUnavailable: " +
      "'local-auth' in automation.config.ts lets each container ask instead";
    expect(fromOnce?.message).toBe(
      `the shared token store refused the request (ResourceNotFoundException: ResourceNotFoundException happened; 1 attempt in 0.0 s)${advice}`,
    );
    expect(fromThrice?.message).toBe(
      `the shared token store is unreachable (ThrottlingException: ThrottlingException happened; 3 attempts in 1.5 s)${advice}`,
    );
    expect(fromOther?.message).toBe(
      `the shared token store is unreachable (TypeError: fetch failed)${advice}`,
    );
    expect(fromOnce?.code).toBe('store-unavailable');
    expect(fromOnce?.cause).toBe(once);
  });
});
