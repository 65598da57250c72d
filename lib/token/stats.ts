// What the token provider counts: per-container stats (read by benchmarks, demos and tests) and the same
// events as metrics.

export type TokenOrigin = 'memory' | 'shared' | 'auth';

export interface TokenStats {
  memory: number;
  shared: number;
  auth: number;
  authCalls: number;
  waits: number;
  takeovers: number;
  blocked: number;
  rejected: number;
  unavailable: number;
  fallbacks: number;
  invalidations: number;
  /** Store calls retried after a throttle or a transient error. */
  storeRetries: number;
  /** Token requests failed because the store stayed unreadable (policy 'fail'). */
  storeFailures: number;
}

/** Counter names, as emitted to metrics. */
export type TokenMetricName =
  | 'TokenFromMemory'
  | 'TokenFromShared'
  | 'TokenFromAuth'
  | 'AuthCalls'
  | 'AuthRateLimited'
  | 'AuthRejected'
  | 'AuthUnavailable'
  | 'TokenWaits'
  | 'LeaseTakeovers'
  | 'SharedCacheUnavailable'
  | 'TokenInvalidations';

export interface TokenMetrics {
  count(name: TokenMetricName, value?: number): void;
}

export const METRIC_BY_ORIGIN: Record<TokenOrigin, TokenMetricName> = {
  memory: 'TokenFromMemory',
  shared: 'TokenFromShared',
  auth: 'TokenFromAuth',
};

export function emptyStats(): TokenStats {
  return {
    memory: 0,
    shared: 0,
    auth: 0,
    authCalls: 0,
    waits: 0,
    takeovers: 0,
    blocked: 0,
    rejected: 0,
    unavailable: 0,
    fallbacks: 0,
    invalidations: 0,
    storeRetries: 0,
    storeFailures: 0,
  };
}
