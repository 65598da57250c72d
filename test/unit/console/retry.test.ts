import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  isReplayable,
  isRetryableStatus,
  parseRetryAfter,
  resolveRetryPolicy,
} from '#lib/console/retry.ts';

const NOW = Date.parse('2026-01-15T10:00:00.000Z');

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['3', 3_000],
    ['  120  ', 120_000],
    ['1.5', 1_500],
  ])('reads delta-seconds %j as %i ms', (value, expected) => {
    // Act
    const ms = parseRetryAfter(value, NOW);

    // Assess
    expect(ms).toBe(expected);
  });

  it('turns a negative delta into 0', () => {
    // Act
    const ms = parseRetryAfter('-5', NOW);

    // Assess
    expect(ms).toBe(0);
  });

  it.each([
    ['Thu, 15 Jan 2026 10:00:05 GMT', 5_000],
    ['Thursday, 15-Jan-26 10:00:07 GMT', 7_000],
    ['Thu Jan 15 10:00:09 2026', 9_000],
  ])('reads the HTTP-date %j relative to now', (value, expected) => {
    // Act
    const ms = parseRetryAfter(value, NOW);

    // Assess
    expect(ms).toBe(expected);
  });

  it('turns an HTTP-date in the past into 0', () => {
    // Act
    const ms = parseRetryAfter('Wed, 14 Jan 2026 10:00:00 GMT', NOW);

    // Assess
    expect(ms).toBe(0);
  });

  it.each([
    [null],
    [undefined],
    [''],
    ['soon'],
    ['5s'],
    ['1e3'],
    ['2026-01-15T10:00:05Z'],
    ['Thu, 15 Jan 2026 10:00:05'],
    ['Thu, 99 Foo 2026 10:00:05 GMT'],
  ])('gives undefined for %j', (value) => {
    // Act
    const ms = parseRetryAfter(value, NOW);

    // Assess
    expect(ms).toBeUndefined();
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
