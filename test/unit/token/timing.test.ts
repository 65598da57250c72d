// The token provider's timing rules as pure functions: examples at each boundary, and properties over the
// clock readings, lifetimes and failure counts (reproducible: FC_SEED / FC_PATH, see test/helpers/property.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeaseRequest, SharedTokenState } from '#lib/token/shared-store.ts';
import {
  blockUntil,
  credentialsRecheckDue,
  isLive,
  isPaused,
  leaseAvailable,
  leaseTerms,
  MIN_USABLE_MS,
  nextPollDelay,
  pollPause,
  refreshPoint,
  storeCallDeadline,
  usableToken,
  waitDeadline,
  waitsOutPause,
} from '#lib/token/timing.ts';
import { DEFAULT_TUNING, resolveTuning } from '#lib/token/tuning.ts';
import { propertyParams } from '#test/helpers/property.ts';

const NOW = Date.parse('2026-11-27T02:00:00Z');
const WINDOWS = { skewMs: 30_000, refreshWindowMs: 60_000 };

describe('usableToken', () => {
  it('takes the skew margin off a long-lived token and refreshes a window before its end', () => {
    expect(usableToken({ accessToken: 't', expiresAt: NOW + 300_000 }, NOW, WINDOWS)).toEqual({
      accessToken: 't',
      expiresAt: NOW + 270_000,
      refreshAt: NOW + 210_000,
    });
  });

  it('takes at most half of what a token has left, and refreshes at half of its usable life', () => {
    // 20 s left: 10 s skew, 10 s usable, refreshed after 5 s.
    expect(usableToken({ accessToken: 't', expiresAt: NOW + 20_000 }, NOW, WINDOWS)).toEqual({
      accessToken: 't',
      expiresAt: NOW + 10_000,
      refreshAt: NOW + 5_000,
    });
    // Odd milliseconds round the margins down.
    expect(usableToken({ accessToken: 't', expiresAt: NOW + 2_001 }, NOW, WINDOWS)).toEqual({
      accessToken: 't',
      expiresAt: NOW + 1_001,
      refreshAt: NOW + 501,
    });
  });

  it(`refuses a token with less than ${MIN_USABLE_MS} ms of usable life, and accepts one with exactly that`, () => {
    expect(usableToken({ accessToken: 't', expiresAt: NOW + 1_998 }, NOW, WINDOWS)).toBeUndefined();
    expect(usableToken({ accessToken: 't', expiresAt: NOW + 1_999 }, NOW, WINDOWS)?.expiresAt).toBe(
      NOW + 1_000,
    );
    expect(usableToken({ accessToken: 't', expiresAt: NOW - 5_000 }, NOW, WINDOWS)).toBeUndefined();
    const noSkew = { skewMs: 0, refreshWindowMs: 60_000 };
    expect(usableToken({ accessToken: 't', expiresAt: NOW + 999 }, NOW, noSkew)).toBeUndefined();
    expect(usableToken({ accessToken: 't', expiresAt: NOW + 1_000 }, NOW, noSkew)).toEqual({
      accessToken: 't',
      expiresAt: NOW + 1_000,
      refreshAt: NOW + 500,
    });
  });

  it('property: the usable token ends before the issued one, is refreshed within its usable life, never before half of it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 48 * 3600_000 }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        (lifetimeMs, skewMs, refreshWindowMs) => {
          const usable = usableToken({ accessToken: 't', expiresAt: NOW + lifetimeMs }, NOW, {
            skewMs,
            refreshWindowMs,
          });
          const kept = lifetimeMs - Math.min(skewMs, Math.floor(lifetimeMs / 2));
          expect(usable === undefined).toBe(kept < MIN_USABLE_MS);
          if (!usable) return;
          const usableMs = usable.expiresAt - NOW;
          expect(usable.expiresAt).toBeLessThanOrEqual(NOW + lifetimeMs);
          expect(NOW + lifetimeMs - usable.expiresAt).toBeLessThanOrEqual(skewMs);
          expect(usableMs).toBeGreaterThanOrEqual(Math.floor(lifetimeMs / 2));
          expect(usable.refreshAt).toBeLessThanOrEqual(usable.expiresAt);
          expect(usable.refreshAt - NOW).toBeGreaterThanOrEqual(Math.floor(usableMs / 2));
          expect(usable.expiresAt - usable.refreshAt).toBeLessThanOrEqual(refreshWindowMs);
        },
      ),
      propertyParams(300, [[80_000, 30_000, 60_000]]),
    );
  });
});

describe('isLive and refreshPoint', () => {
  it('a token is live strictly before its expiry, and never without one', () => {
    expect(isLive(NOW + 1, NOW)).toBe(true);
    expect(isLive(NOW, NOW)).toBe(false);
    expect(isLive(undefined, NOW)).toBe(false);
  });

  it('the stored refresh point wins; without one, a fixed window before expiry', () => {
    expect(refreshPoint(NOW + 300_000, NOW + 100_000, 60_000)).toBe(NOW + 100_000);
    expect(refreshPoint(NOW + 300_000, undefined, 60_000)).toBe(NOW + 240_000);
  });
});

describe('blockUntil', () => {
  const tuning = { ...DEFAULT_TUNING, blockFloorMs: 10_000, unavailableFloorMs: 2_000, blockMaxMs: 60_000 };

  it('doubles from the floor of the failure kind with each failure, up to the cap', () => {
    const limited = { kind: 'rate-limited', status: 429 } as const;
    const down = { kind: 'unavailable', detail: 'HTTP 503' } as const;
    expect([1, 2, 3, 4].map((n) => blockUntil(limited, n, NOW, false, tuning) - NOW)).toEqual([
      10_000, 20_000, 40_000, 60_000,
    ]);
    expect([1, 2, 3].map((n) => blockUntil(down, n, NOW, false, tuning) - NOW)).toEqual([
      2_000, 4_000, 8_000,
    ]);
    // The exponent is capped: a failure count in the thousands still gives the cap, not Infinity.
    expect(blockUntil(down, 5_000, NOW, false, tuning) - NOW).toBe(60_000);
  });

  it("honours a 429's Retry-After as a minimum only, and ignores it for other failures", () => {
    const hinted = (retryAfterMs: number) => ({ kind: 'rate-limited', status: 429, retryAfterMs }) as const;
    expect(blockUntil(hinted(1_000), 2, NOW, false, tuning) - NOW).toBe(20_000);
    expect(blockUntil(hinted(120_000), 1, NOW, false, tuning) - NOW).toBe(120_000);
    const badAnswer = { kind: 'bad-response', status: 200, detail: 'x' } as const;
    expect(blockUntil(badAnswer, 1, NOW, false, tuning) - NOW).toBe(2_000);
  });

  it('is never shorter than the floor between auth calls, nor than the wait for a late answer', () => {
    const down = { kind: 'unavailable', detail: 'timed out' } as const;
    const tiny = { ...tuning, unavailableFloorMs: 10, minAuthIntervalMs: 1_100, authLateMs: 4_000 };
    expect(blockUntil(down, 1, NOW, false, tiny) - NOW).toBe(1_100);
    expect(blockUntil(down, 1, NOW, true, tiny) - NOW).toBe(4_000);
  });

  it('property: grows with the failure count, never past the largest of cap, hint, floor and late wait', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.option(fc.integer({ min: 0, max: 3600_000 }), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        (failures, retryAfterMs, rateLimited, lateOpen) => {
          const failure = rateLimited
            ? ({ kind: 'rate-limited', status: 429, retryAfterMs } as const)
            : ({ kind: 'unavailable', detail: 'x' } as const);
          const until = blockUntil(failure, failures, NOW, lateOpen, tuning);
          expect(blockUntil(failure, failures + 1, NOW, lateOpen, tuning)).toBeGreaterThanOrEqual(until);
          const ceiling = Math.max(
            tuning.blockMaxMs,
            rateLimited ? (retryAfterMs ?? 0) : 0,
            tuning.minAuthIntervalMs,
            lateOpen ? tuning.authLateMs : 0,
          );
          expect(until - NOW).toBeLessThanOrEqual(ceiling);
          expect(until - NOW).toBeGreaterThanOrEqual(tuning.minAuthIntervalMs);
          if (rateLimited && retryAfterMs !== undefined)
            expect(until - NOW).toBeGreaterThanOrEqual(retryAfterMs);
        },
      ),
      propertyParams(300),
    );
  });
});

describe('waitDeadline', () => {
  const tuning = { maxWaitMs: 15_000, deadlineMarginMs: 2_000 };
  it('is maxWaitMs away without an invocation deadline, less when the invocation ends sooner', () => {
    expect(waitDeadline(NOW, undefined, tuning)).toBe(NOW + 15_000);
    expect(waitDeadline(NOW, 60_000, tuning)).toBe(NOW + 15_000);
    expect(waitDeadline(NOW, 10_000, tuning)).toBe(NOW + 8_000);
    expect(waitDeadline(NOW, 17_000, tuning)).toBe(NOW + 15_000);
  });

  it('is never in the past, even when the invocation has less than the margin left', () => {
    expect(waitDeadline(NOW, 1_000, tuning)).toBe(NOW);
    expect(waitDeadline(NOW, 0, tuning)).toBe(NOW);
  });
});

describe('pauses', () => {
  const pause = (blockReason: string, blockedUntil: number): SharedTokenState => ({
    blockReason,
    blockedUntil,
  });

  it('a pause is in force strictly before its end, and not without one', () => {
    expect(isPaused(pause('rate-limited', NOW + 1), NOW)).toBe(true);
    expect(isPaused(pause('rate-limited', NOW), NOW)).toBe(false);
    expect(isPaused({}, NOW)).toBe(false);
  });

  it("only the fleet's pause after an outage that ends within the budget is waited out", () => {
    const deadline = NOW + 10_000;
    expect(waitsOutPause(pause('unavailable', deadline), deadline, true)).toBe(true);
    expect(waitsOutPause(pause('unavailable', deadline + 1), deadline, true)).toBe(false);
    expect(waitsOutPause(pause('rate-limited', NOW + 1_000), deadline, true)).toBe(false);
    expect(waitsOutPause(pause('bad-response', NOW + 1_000), deadline, true)).toBe(false);
    expect(waitsOutPause(pause('unavailable', NOW + 1_000), deadline, false)).toBe(false);
    expect(waitsOutPause({ blockReason: 'unavailable' }, deadline, true)).toBe(true);
  });
});

describe('leaseAvailable', () => {
  const request: LeaseRequest = {
    owner: 'me',
    fingerprint: 'fp-now',
    ...leaseTerms(NOW, { leaseMs: 6_000, refreshWindowMs: 60_000, minAuthIntervalMs: 1_100 }),
  };

  it('asks for the lease with the window and the pacing floor measured from now', () => {
    expect(request).toEqual({
      owner: 'me',
      fingerprint: 'fp-now',
      now: NOW,
      leaseMs: 6_000,
      refreshBefore: NOW + 60_000,
      lastAuthBefore: NOW - 1_100,
    });
  });

  it('is granted on an empty item', () => {
    expect(leaseAvailable({}, request)).toBe(true);
  });

  it("is refused while another instance's lease runs, granted once it has ended", () => {
    expect(leaseAvailable({ leaseOwner: 'x', leaseUntil: NOW + 1 }, request)).toBe(false);
    expect(leaseAvailable({ leaseOwner: 'x', leaseUntil: NOW }, request)).toBe(false);
    expect(leaseAvailable({ leaseOwner: 'x', leaseUntil: NOW - 1 }, request)).toBe(true);
  });

  it('is refused while the stored token needs no refresh: from its refresh point, or its expiry within the window', () => {
    expect(leaseAvailable({ expiresAt: NOW + 100_000, refreshAt: NOW + 1 }, request)).toBe(false);
    expect(leaseAvailable({ expiresAt: NOW + 100_000, refreshAt: NOW }, request)).toBe(true);
    expect(leaseAvailable({ expiresAt: NOW + 60_001 }, request)).toBe(false);
    expect(leaseAvailable({ expiresAt: NOW + 60_000 }, request)).toBe(true);
  });

  it('is refused during a pause, for the rejected credentials, and before the floor between auth calls', () => {
    expect(leaseAvailable({ blockedUntil: NOW + 1 }, request)).toBe(false);
    expect(leaseAvailable({ blockedUntil: NOW }, request)).toBe(true);
    expect(leaseAvailable({ rejectedFingerprint: 'fp-now' }, request)).toBe(false);
    expect(leaseAvailable({ rejectedFingerprint: 'fp-before' }, request)).toBe(true);
    expect(leaseAvailable({ lastAuthAt: NOW - 1_099 }, request)).toBe(false);
    expect(leaseAvailable({ lastAuthAt: NOW - 1_100 }, request)).toBe(true);
  });
});

describe('small rules', () => {
  it('rejected credentials are re-read once the recheck interval has passed, not before', () => {
    expect(credentialsRecheckDue(NOW - 30_000, NOW, 30_000)).toBe(true);
    expect(credentialsRecheckDue(NOW - 29_999, NOW, 30_000)).toBe(false);
  });

  it("a store call retries within its budget and the caller's, and not at all while the store is known down", () => {
    expect(storeCallDeadline(NOW + 15_000, NOW, false, 5_000)).toBe(NOW + 5_000);
    expect(storeCallDeadline(NOW + 3_000, NOW, false, 5_000)).toBe(NOW + 3_000);
    expect(storeCallDeadline(NOW + 15_000, NOW, true, 5_000)).toBe(NOW);
  });

  it('polls with half-fixed, half-random pauses that double up to the cap', () => {
    expect(pollPause(100, 0)).toBe(50);
    expect(pollPause(100, 1)).toBe(100);
    expect(pollPause(100, 0.5)).toBe(75);
    expect(nextPollDelay(100, 400)).toBe(200);
    expect(nextPollDelay(300, 400)).toBe(400);
  });

  it('refuses a lease that could end while its holder is still in the auth call', () => {
    expect(() => resolveTuning({ leaseMs: 4_000, authTimeoutMs: 4_000 })).toThrow(
      /leaseMs must be longer than authTimeoutMs/,
    );
    expect(resolveTuning({ leaseMs: 4_001, authTimeoutMs: 4_000 }).leaseMs).toBe(4_001);
    expect(resolveTuning()).toEqual(DEFAULT_TUNING);
  });
});
