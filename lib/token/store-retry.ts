// Retrying the shared token store (DynamoDB) within a caller's budget. The store is the fleet's only
// coordination medium: while it cannot be read, containers cannot agree on who asks the auth server, so a
// store error is retried here (jittered, so a herd does not retry in step and keep a hot key throttled)
// and never answered by an auth call (see `storeUnavailable` in tuning.ts).
import { describeError } from '#lib/log/describe-error.ts';
import { TokenError } from './errors.ts';

/**
 * `throttled`: the store is up but refused this request for capacity (a hot key, a table at its limit).
 * `transient`: a timeout, a reset, a 5xx, a refused connection: may well work on the next attempt.
 * `permanent`: the request itself is wrong (no such table, no permission): retrying cannot help.
 */
export type StoreErrorKind = 'throttled' | 'transient' | 'permanent';

const THROTTLES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

const PERMANENT = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'ValidationException',
  'SerializationException',
]);

export function storeErrorKind(err: unknown): StoreErrorKind {
  const name = err instanceof Error ? err.name : undefined;
  if (name && THROTTLES.has(name)) return 'throttled';
  if (name && PERMANENT.has(name)) return 'permanent';
  return 'transient';
}

export interface StoreBackoff {
  initialMs: number;
  maxMs: number;
}

/**
 * The pause before attempt `attempt + 1` (attempt counts from 1): exponential, capped, with "equal jitter"
 * (half fixed, half random) so no pause is near zero and a herd spreads out.
 */
export function storeRetryDelay(attempt: number, backoff: StoreBackoff, random: number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt - 1, 30));
  return ceiling / 2 + (random * ceiling) / 2;
}

/** The store could not be used within the budget: the last error, how it was classed, what was tried. */
export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
  constructor(
    readonly kind: StoreErrorKind,
    readonly attempts: number,
    readonly waitedMs: number,
    options: { cause: unknown },
  ) {
    super(`token store ${kind === 'permanent' ? 'refused the request' : 'is unreachable'}`, options);
  }
}

export interface StoreRetryOptions {
  /** Epoch ms after which no further attempt is started (a pause never runs past it). */
  deadline: number;
  backoff: StoreBackoff;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Called before each pause, for metrics and logs. */
  onRetry?: (err: unknown, kind: StoreErrorKind, attempt: number) => void;
}

/**
 * Runs `operation`, retrying throttles and transient errors with jittered backoff while the next attempt
 * can start before `deadline`. Throws `StoreUnavailable` (cause: the last error) when it gives up.
 */
export async function withStoreRetry<T>(operation: () => Promise<T>, o: StoreRetryOptions): Promise<T> {
  const started = o.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      const kind = storeErrorKind(err);
      const delay = storeRetryDelay(attempt, o.backoff, o.random());
      if (kind === 'permanent' || o.now() + delay > o.deadline) {
        throw new StoreUnavailable(kind, attempt, o.now() - started, { cause: err });
      }
      o.onRetry?.(err, kind, attempt);
      await o.sleep(delay);
    }
  }
}

/** The store stayed unusable: why, what was tried, and what to do (the fleet does not ask the auth server). */
export function storeUnavailableError(err: unknown): TokenError {
  const detail =
    err instanceof StoreUnavailable
      ? `${err.message} (${describeError(err.cause)}; ${err.attempts} attempt${err.attempts === 1 ? '' : 's'} in ${(err.waitedMs / 1000).toFixed(1)} s)`
      : `token store is unreachable (${describeError(err)})`;
  return new TokenError(
    'store-unavailable',
    `the shared ${detail}; not asking Camunda's auth server, to protect the source IP's rate limit ` +
      "(without the store every container would ask). Check the state table and DynamoDB's health; " +
      "token.storeUnavailable: 'local-auth' in automation.config.ts lets each container ask instead",
    { cause: err },
  );
}
