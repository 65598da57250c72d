// Retrying the shared token store within a budget: which errors are retried, the jittered backoff, and
// that no pause ever runs past the deadline (property, fake clock).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreUnavailable, storeErrorKind, storeRetryDelay, withStoreRetry } from '#lib/token/store-retry.ts';

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
