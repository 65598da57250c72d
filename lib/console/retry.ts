/**
 * The Console client's retry policy: which failures are retried, how long to wait, when to give up.
 * Pure functions; the client owns the loop.
 */

export interface RetryPolicy {
  /** HTTP requests per call, the first one included (the one re-send after a 401 is not counted). */
  maxAttempts: number;
  /** Cap of the first backoff window; doubles per retry. */
  baseDelayMs: number;
  /** Largest backoff window (a server's Retry-After may ask for more and is honoured). */
  maxDelayMs: number;
  /** Budget for one call, from its start: a wait that would end past it is not taken. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxTotalMs: 30_000,
});

/** The default policy with the given overrides; rejects values that would disable the policy by accident. */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const key of Object.keys(DEFAULT_RETRY_POLICY) as (keyof RetryPolicy)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    const min = key === 'maxAttempts' ? 1 : 0;
    if (!Number.isFinite(value) || value < min || (key === 'maxAttempts' && !Number.isInteger(value))) {
      throw new RangeError(`retry policy ${key} must be a finite number >= ${min}, got ${value}`);
    }
    policy[key] = value;
  }
  return policy;
}

/** Statuses worth another try for a replayable request. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * Whether a request may be sent again after a failure that may have reached the server. GET, PUT and
 * DELETE are idempotent in the Console API; POST creates things (clusters, backups) and is never replayed.
 */
export function isReplayable(method: string): boolean {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'PUT' || m === 'DELETE' || m === 'HEAD';
}

/**
 * Exponential backoff with full jitter: a uniform wait in `[0, min(maxDelayMs, baseDelayMs * 2^retry))`.
 * `retry` is 0 for the first retry. `random` returns a number in `[0, 1)`.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * window);
}

const DELTA_SECONDS = /^-?\d+(?:\.\d+)?$/;
// RFC 9110 §5.6.7: IMF-fixdate, the obsolete RFC 850 form, and asctime.
const IMF_FIXDATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_850 = /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME = /^[A-Za-z]{3} [A-Za-z]{3} \d{1,2} \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * A `Retry-After` header value as milliseconds from `nowMs`: delta-seconds or an HTTP-date.
 * Garbage (or no header) → undefined; a negative delta or a date in the past → 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim().replace(/\s+/g, ' ');
  if (v === '') return undefined;
  if (DELTA_SECONDS.test(v)) {
    const seconds = Number(v);
    if (!Number.isFinite(seconds)) return undefined;
    return seconds <= 0 ? 0 : Math.ceil(seconds * 1000);
  }
  if (!IMF_FIXDATE.test(v) && !RFC_850.test(v) && !ASCTIME.test(v)) return undefined;
  // Date.parse reads asctime as local time; HTTP dates are always GMT.
  const at = Date.parse(ASCTIME.test(v) ? `${v} GMT` : v);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - nowMs);
}
