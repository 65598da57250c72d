/**
 * The Console client's retry and throttle policy: which failures are retried, how long to wait, when to
 * give up, and the throttle gate a 429 closes for every call of one client. Pure functions and one small
 * piece of state (the gate); the request loop owns the sending.
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
  const verb = method.toUpperCase();
  return verb === 'GET' || verb === 'PUT' || verb === 'DELETE' || verb === 'HEAD';
}

/**
 * Exponential backoff with full jitter: a uniform wait in `[0, min(maxDelayMs, baseDelayMs * 2^retry))`.
 * `retry` is 0 for the first retry. `random` returns a number in `[0, 1)`.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry));
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.floor(fraction * window);
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
  const header = value.trim().replace(/\s+/g, ' ');
  if (header === '') return undefined;
  if (DELTA_SECONDS.test(header)) {
    const seconds = Number(header);
    if (!Number.isFinite(seconds)) return undefined;
    return seconds <= 0 ? 0 : Math.ceil(seconds * 1000);
  }
  if (!IMF_FIXDATE.test(header) && !RFC_850.test(header) && !ASCTIME.test(header)) return undefined;
  // Date.parse reads asctime as local time; HTTP dates are always GMT.
  const at = Date.parse(ASCTIME.test(header) ? `${header} GMT` : header);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The longest the shared throttle gate stays closed after one 429, whatever its Retry-After says. */
export const THROTTLE_GATE_MAX_MS = 5 * 60_000;

/** Statuses that are transient for this call: the retryable ones, and 409 where the call says so. */
export function isTransientStatus(status: number, conflictIsTransient: boolean): boolean {
  return isRetryableStatus(status) || (status === 409 && conflictIsTransient);
}

/**
 * How long a 429 closes the gate: the server's Retry-After, else a backoff delay, capped so that a bogus
 * Retry-After cannot freeze a warm container for hours.
 */
export function throttlePauseMs(
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  retry: number,
  random: () => number,
): number {
  return Math.min(retryAfterMs ?? backoffDelayMs(policy, retry, random), THROTTLE_GATE_MAX_MS);
}

/** What the request loop knows after a transient failure (429, 5xx, retryable 409, timeout, network). */
export interface TransientFailure {
  /** The status, or undefined for a timeout or connection error. */
  status: number | undefined;
  retryAfterMs: number | undefined;
  /** The request may be sent again (GET, PUT, DELETE). */
  replayable: boolean;
  /** Requests sent so far that count against `maxAttempts` (the re-send after a 401 does not). */
  sends: number;
  /** Retries taken so far (0 before the first one). */
  retries: number;
  /** Time since the call started. */
  elapsedMs: number;
  /** How much longer the shared gate stays closed (0 when open). */
  gateClosedForMs: number;
}

export type RetryDecision =
  | { retry: false }
  /**
   * `delayMs`: this call's own wait; `waitMs`: the time until it may send (its delay or the closed gate,
   * whichever is longer), which must fit the budget; `atGate`: after a 429 the gate already covers the
   * delay, so the call waits there with every other call instead of sleeping on its own.
   */
  | { retry: true; delayMs: number; waitMs: number; atGate: boolean };

/** Whether and how long to wait before the next attempt after a transient failure. */
export function decideRetry(
  policy: RetryPolicy,
  failure: TransientFailure,
  random: () => number,
): RetryDecision {
  if (!failure.replayable) return { retry: false };
  if (failure.sends >= policy.maxAttempts) return { retry: false };
  const throttled = failure.status === 429;
  // After a 429 the wait is the server's Retry-After (uncapped here, so a long one exceeds the budget).
  const delayMs = throttled
    ? Math.max(failure.retryAfterMs ?? 0, failure.gateClosedForMs)
    : (failure.retryAfterMs ?? backoffDelayMs(policy, failure.retries, random));
  const waitMs = Math.max(delayMs, failure.gateClosedForMs);
  if (failure.elapsedMs + waitMs > policy.maxTotalMs) return { retry: false };
  return { retry: true, delayMs, waitMs, atGate: throttled && failure.gateClosedForMs >= delayMs };
}

/**
 * The shared throttle gate of one client: after a 429 no call of that client sends before the gate opens.
 * `close` answers how much closed time it added (overlapping closures counted once).
 */
export interface ThrottleGate {
  closedForMs(): number;
  close(untilMs: number): number;
}

export function createThrottleGate(now: () => number): ThrottleGate {
  let opensAt = 0;
  return {
    closedForMs: () => Math.max(0, opensAt - now()),
    close(untilMs) {
      const from = Math.max(opensAt, now());
      if (untilMs <= from) return 0;
      opensAt = untilMs;
      return untilMs - from;
    },
  };
}
