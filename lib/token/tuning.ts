// The token provider's time constants and policies, with their production defaults.

/**
 * What a container does when the shared store cannot be used within `storeRetryMs`:
 * - 'fail' (default): fail the request with a `store-unavailable` TokenError and never ask the auth server.
 *   Without the store containers cannot agree on who asks, so any auth call would be one per container,
 *   and 429s block the whole source IP.
 * - 'local-auth': ask the auth server from this container, through an in-memory store of its own (single
 *   flight, paced, with its own failure memory). One request per container, not per fleet: only for a
 *   small, known number of containers.
 */
export type StoreUnavailablePolicy = 'fail' | 'local-auth';

export interface TokenProviderTuning {
  /**
   * Taken off every expiry, for clock skew between us, the auth server and the Console API; at most half
   * of what a token has left when it arrives (the auth server may hand back a cached token near its end).
   */
  skewMs: number;
  /**
   * Inside this window before expiry one instance refreshes while everybody keeps using the token; at most
   * the second half of the usable life the token arrived with (else a short-lived token would be in the
   * window from the start and refreshed at the fleet's auth floor rate).
   */
  refreshWindowMs: number;
  /** How long a lease holder may take; longer than authTimeoutMs. */
  leaseMs: number;
  authTimeoutMs: number;
  /** Longest a caller waits for another instance's refresh (also bounded by the function's remaining time). */
  maxWaitMs: number;
  /** Kept free before the function's deadline. */
  deadlineMarginMs: number;
  pollInitialMs: number;
  pollMaxMs: number;
  /** Fleet-wide floor between two auth calls for one credential (the auth server allows ~1/s per IP). */
  minAuthIntervalMs: number;
  /** First block after a 429 without Retry-After; doubles with each further 429, up to blockMaxMs. */
  blockFloorMs: number;
  blockMaxMs: number;
  /** First pause after the auth server failed (5xx, timeout, reset); doubles, up to blockMaxMs. */
  unavailableFloorMs: number;
  /** How often a container re-reads credentials that the auth server rejected (the secret may have rotated). */
  credentialsRecheckMs: number;
  /** Least time between two background refresh attempts in one container. */
  backgroundRetryMs: number;
  /**
   * Least time between two fleet-wide invalidations after Console 401s. A Console that rejects every token
   * (wrong audience, revoked client) would otherwise make every Console call an auth call; a genuinely
   * revoked token is replaced within this time.
   */
  invalidationIntervalMs: number;
  storeUnavailable: StoreUnavailablePolicy;
  /**
   * How long a throttled or failing store call is retried (jittered exponential backoff from
   * storeBackoffInitialMs up to storeBackoffMaxMs), never past the caller's own wait budget. After a
   * container gave up once, its later calls make one attempt each until one works (they fail fast).
   */
  storeRetryMs: number;
  storeBackoffInitialMs: number;
  storeBackoffMaxMs: number;
  /**
   * A token request that timed out stays open this much longer: an answer in that time (the auth server
   * may have minted a token; the request counted against its rate limit anyway) is published and used.
   * No instance asks again before it ends, and callers with wait budget left keep waiting for it.
   */
  authLateMs: number;
}

export const DEFAULT_TUNING: TokenProviderTuning = {
  skewMs: 30_000,
  refreshWindowMs: 60_000,
  leaseMs: 6_000,
  authTimeoutMs: 4_000,
  maxWaitMs: 15_000,
  deadlineMarginMs: 2_000,
  pollInitialMs: 25,
  pollMaxMs: 400,
  minAuthIntervalMs: 1_100,
  blockFloorMs: 10_000,
  blockMaxMs: 15 * 60_000,
  unavailableFloorMs: 2_000,
  credentialsRecheckMs: 30_000,
  backgroundRetryMs: 1_000,
  invalidationIntervalMs: 30_000,
  storeUnavailable: 'fail',
  storeRetryMs: 5_000,
  storeBackoffInitialMs: 50,
  storeBackoffMaxMs: 1_000,
  authLateMs: 4_000,
};

/** The defaults with `overrides` on top; refuses a lease that could end while its holder's auth call runs. */
export function resolveTuning(overrides: Partial<TokenProviderTuning> = {}): TokenProviderTuning {
  const tuning = { ...DEFAULT_TUNING, ...overrides };
  if (tuning.leaseMs <= tuning.authTimeoutMs) {
    throw new Error('token provider: leaseMs must be longer than authTimeoutMs');
  }
  return tuning;
}
