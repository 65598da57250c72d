import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  createThrottleGate,
  DEFAULT_RETRY_POLICY,
  decideRetry,
  isReplayable,
  isRetryableStatus,
  isTransientStatus,
  parseRetryAfter,
  resolveRetryPolicy,
  THROTTLE_GATE_MAX_MS,
  type TransientFailure,
  throttlePauseMs,
} from '#lib/console/retry.ts';

const NOW = Date.parse('2026-01-15T10:00:00.000Z');

describe('parseRetryAfter', () => {
  // One table of header values and the delay each means (undefined: none to honour), named as it reads.
  const deltaSeconds = [
    ['0', 0],
    ['3', 3_000],
    ['  120  ', 120_000],
    ['1.5', 1_500],
  ] as const;
  const httpDates = [
    ['Thu, 15 Jan 2026 10:00:05 GMT', 5_000],
    ['Thursday, 15-Jan-26 10:00:07 GMT', 7_000],
    ['Thu Jan 15 10:00:09 2026', 9_000],
  ] as const;
  const unreadable = [
    null,
    undefined,
    '',
    'soon',
    '5s',
    '1e3',
    '2026-01-15T10:00:05Z',
    'Thu, 15 Jan 2026 10:00:05',
    'Thu, 99 Foo 2026 10:00:05 GMT',
  ];
  type Case = [name: string, value: string | null | undefined, ms: number | undefined];
  const cases: Case[] = [
    ...deltaSeconds.map(
      ([value, ms]): Case => [`reads delta-seconds ${JSON.stringify(value)} as ${ms} ms`, value, ms],
    ),
    ['turns a negative delta into 0', '-5', 0],
    ...httpDates.map(
      ([value, ms]): Case => [`reads the HTTP-date ${JSON.stringify(value)} relative to now`, value, ms],
    ),
    ['turns an HTTP-date in the past into 0', 'Wed, 14 Jan 2026 10:00:00 GMT', 0],
    ...unreadable.map((value): Case => [`gives undefined for ${JSON.stringify(value)}`, value, undefined]),
  ];

  it.each(cases)('%s', (_name, value, expected) => {
    // Act
    const ms = parseRetryAfter(value, NOW);

    // Assess
    expect(ms).toBe(expected);
  });
});

describe('backoffDelayMs', () => {
  it('uses full jitter within an exponential window capped at maxDelayMs', () => {
    // Prepare
    const policy = resolveRetryPolicy();

    // Act
    const top = [0, 1, 2, 3, 4, 5, 6, 10].map((retry) => backoffDelayMs(policy, retry, () => 0.999_999));
    const half = [0, 1, 2].map((retry) => backoffDelayMs(policy, retry, () => 0.5));
    const zero = backoffDelayMs(policy, 3, () => 0);

    // Assess
    expect(top).toEqual([249, 499, 999, 1_999, 3_999, 7_999, 7_999, 7_999]);
    expect(half).toEqual([125, 250, 500]);
    expect(zero).toBe(0);
  });
});

describe('resolveRetryPolicy', () => {
  it('defaults to 5 attempts, 250 ms base, 8 s cap, 30 s budget', () => {
    // Act
    const policy = resolveRetryPolicy();

    // Assess
    expect(policy).toEqual({ maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8_000, maxTotalMs: 30_000 });
    expect(DEFAULT_RETRY_POLICY).toEqual(policy);
  });

  it('applies overrides and keeps the other defaults', () => {
    // Act
    const policy = resolveRetryPolicy({ maxAttempts: 2, maxTotalMs: 1_000 });

    // Assess
    expect(policy).toEqual({ maxAttempts: 2, baseDelayMs: 250, maxDelayMs: 8_000, maxTotalMs: 1_000 });
  });

  it.each([
    [{ maxAttempts: 0 }],
    [{ maxAttempts: 1.5 }],
    [{ baseDelayMs: -1 }],
    [{ maxTotalMs: Number.NaN }],
  ])('rejects %j', (overrides) => {
    // Act + Assess
    expect(() => resolveRetryPolicy(overrides)).toThrow(RangeError);
  });
});

describe('what is retried', () => {
  it('replays GET, PUT and DELETE but never POST', () => {
    // Act + Assess
    expect(['GET', 'PUT', 'DELETE', 'get'].map(isReplayable)).toEqual([true, true, true, true]);
    expect(isReplayable('POST')).toBe(false);
    expect(isReplayable('PATCH')).toBe(false);
  });

  it('retries 429 and 500/502/503/504 only', () => {
    // Act + Assess
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 501, 505].some(isRetryableStatus)).toBe(false);
  });
});

describe('decideRetry', () => {
  const policy = resolveRetryPolicy({
    maxAttempts: 3,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    maxTotalMs: 10_000,
  });
  const half = () => 0.5;
  const failure = (overrides: Partial<TransientFailure> = {}): TransientFailure => ({
    status: 503,
    retryAfterMs: undefined,
    replayable: true,
    sends: 1,
    retries: 0,
    elapsedMs: 0,
    gateClosedForMs: 0,
    ...overrides,
  });

  it('never retries a request that may not be replayed', () => {
    // Act + Assess
    expect(decideRetry(policy, failure({ replayable: false }), half)).toEqual({ retry: false });
    expect(decideRetry(policy, failure({ replayable: false, status: undefined }), half)).toEqual({
      retry: false,
    });
  });

  it('stops once maxAttempts requests were sent', () => {
    // Act + Assess
    expect(decideRetry(policy, failure({ sends: 2, retries: 1 }), half).retry).toBe(true);
    expect(decideRetry(policy, failure({ sends: 3, retries: 2 }), half)).toEqual({ retry: false });
  });

  it('backs off with jitter by the retry number when the server says nothing', () => {
    // Act
    const first = decideRetry(policy, failure({ retries: 0 }), half);
    const third = decideRetry(policy, failure({ sends: 1, retries: 2 }), half);

    // Assess: half of 100 ms, then half of 400 ms
    expect(first).toEqual({ retry: true, delayMs: 50, waitMs: 50, atGate: false });
    expect(third).toMatchObject({ delayMs: 200 });
  });

  it("honours the server's Retry-After beyond maxDelayMs, without jitter", () => {
    // Act
    const decision = decideRetry(policy, failure({ retryAfterMs: 4_000 }), () => 0);

    // Assess
    expect(decision).toEqual({ retry: true, delayMs: 4_000, waitMs: 4_000, atGate: false });
  });

  it('gives up when the wait would end past the budget, counting the time already spent', () => {
    // Act + Assess
    expect(decideRetry(policy, failure({ retryAfterMs: 10_001 }), half)).toEqual({ retry: false });
    expect(decideRetry(policy, failure({ retryAfterMs: 4_000, elapsedMs: 6_001 }), half)).toEqual({
      retry: false,
    });
    expect(decideRetry(policy, failure({ retryAfterMs: 4_000, elapsedMs: 6_000 }), half).retry).toBe(true);
  });

  it('after a 429, waits at the closed gate with every other call', () => {
    // Act
    const decision = decideRetry(
      policy,
      failure({ status: 429, retryAfterMs: 2_000, gateClosedForMs: 2_000 }),
      half,
    );

    // Assess
    expect(decision).toEqual({ retry: true, delayMs: 2_000, waitMs: 2_000, atGate: true });
  });

  it('a call whose own backoff is shorter than the closed gate still waits for the gate', () => {
    // Act
    const decision = decideRetry(policy, failure({ status: 500, gateClosedForMs: 5_000 }), () => 0);

    // Assess: its own delay is 0 ms, but it may not send before the gate opens
    expect(decision).toEqual({ retry: true, delayMs: 0, waitMs: 5_000, atGate: false });
  });

  it('counts the closed gate against the budget', () => {
    // Act + Assess
    expect(decideRetry(policy, failure({ status: 500, gateClosedForMs: 10_001 }), () => 0)).toEqual({
      retry: false,
    });
  });
});

describe('throttle policy', () => {
  it('pauses for the Retry-After, else a backoff delay, never longer than THROTTLE_GATE_MAX_MS', () => {
    // Act + Assess
    expect(throttlePauseMs(DEFAULT_RETRY_POLICY, 2_000, 0, () => 0.5)).toBe(2_000);
    expect(throttlePauseMs(DEFAULT_RETRY_POLICY, undefined, 1, () => 0.5)).toBe(250);
    expect(throttlePauseMs(DEFAULT_RETRY_POLICY, 24 * 3_600_000, 0, () => 0.5)).toBe(THROTTLE_GATE_MAX_MS);
  });

  it('treats 409 as transient only where the call says so', () => {
    // Act + Assess
    expect(isTransientStatus(409, false)).toBe(false);
    expect(isTransientStatus(409, true)).toBe(true);
    expect(isTransientStatus(503, false)).toBe(true);
    expect(isTransientStatus(400, true)).toBe(false);
  });

  it('the gate stays closed until the latest closing, and counts overlapping closed time once', () => {
    // Prepare
    let now = 1_000;
    const gate = createThrottleGate(() => now);

    // Act
    const added = [gate.close(3_000), gate.close(2_000), gate.close(4_000)];
    now = 2_500;
    const closedAt2500 = gate.closedForMs();
    now = 5_000;
    const closedAt5000 = gate.closedForMs();

    // Assess
    expect(added).toEqual([2_000, 0, 1_000]);
    expect(closedAt2500).toBe(1_500);
    expect(closedAt5000).toBe(0);
    expect(gate.close(4_000)).toBe(0);
  });
});
