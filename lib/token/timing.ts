// The token provider's timing rules as pure functions of the clock's reading: when a token is usable and
// when it is refreshed, how long the fleet pauses after a failure, how long a caller may wait, and who may
// take the refresh lease. The provider and both stores decide with these and nothing else.
import type { AuthFailure, IssuedToken } from './oauth.ts';
import type { LeaseRequest, SharedTokenState } from './shared-store.ts';
import type { TokenProviderTuning } from './tuning.ts';

/** A token with less usable life than this when it arrives is not worth handing out. */
export const MIN_USABLE_MS = 1_000;

/** A token the auth server issued, with the skew margin taken off and its refresh point set. */
export interface UsableToken {
  accessToken: string;
  expiresAt: number;
  refreshAt: number;
}

/**
 * The skew margin and the refresh point for a token as it arrived, or undefined when it has less than
 * MIN_USABLE_MS to live. Both are sized by what the token has left, not by a full lifetime: a cached token
 * handed back with 20 s left is used for 10 s rather than thrown away, and a token with less usable life
 * than the refresh window is refreshed at half of it, not at every chance.
 */
export function usableToken(
  issued: IssuedToken,
  now: number,
  tuning: Pick<TokenProviderTuning, 'skewMs' | 'refreshWindowMs'>,
): UsableToken | undefined {
  const left = issued.expiresAt - now;
  const expiresAt = issued.expiresAt - Math.min(tuning.skewMs, Math.floor(left / 2));
  const usableMs = expiresAt - now;
  if (usableMs < MIN_USABLE_MS) return undefined;
  const refreshAt = expiresAt - Math.min(tuning.refreshWindowMs, Math.floor(usableMs / 2));
  return { accessToken: issued.accessToken, expiresAt, refreshAt };
}

/** Whether a token (its expiry with the skew margin already taken off) may still be handed out. */
export function isLive(expiresAt: number | undefined, now: number): boolean {
  // Stryker disable next-line ConditionalExpression: equivalent (undefined > now is false); the check is for the type checker
  return expiresAt !== undefined && expiresAt > now;
}

/** The stored refresh point, or for an item written without one, a fixed window before expiry. */
export function refreshPoint(
  expiresAt: number,
  refreshAt: number | undefined,
  refreshWindowMs: number,
): number {
  return refreshAt ?? expiresAt - refreshWindowMs;
}

/**
 * Until when nobody asks the auth server again after a failed call (`failures` counts this one):
 * exponential from the failure's floor, capped; a Retry-After is honoured as a minimum, never relied on (a
 * short one repeated must not hold the fleet at the auth floor rate while the server keeps the IP blocked);
 * never less than the floor between two auth calls; and while a timed-out request may still be answered
 * (`lateOpen`) nobody asks again, since it counted against the limit.
 */
export function blockUntil(
  failure: AuthFailure,
  failures: number,
  now: number,
  lateOpen: boolean,
  tuning: Pick<
    TokenProviderTuning,
    'blockFloorMs' | 'unavailableFloorMs' | 'blockMaxMs' | 'minAuthIntervalMs' | 'authLateMs'
  >,
): number {
  const rateLimited = failure.kind === 'rate-limited';
  const floor = rateLimited ? tuning.blockFloorMs : tuning.unavailableFloorMs;
  const backoff = Math.min(tuning.blockMaxMs, floor * 2 ** Math.min(failures - 1, 20));
  const hinted = rateLimited ? (failure.retryAfterMs ?? 0) : 0;
  const late = lateOpen ? tuning.authLateMs : 0;
  return now + Math.max(hinted, backoff, tuning.minAuthIntervalMs, late);
}

/**
 * The instant a caller stops waiting: `maxWaitMs` from now, or less when the invocation's remaining time
 * (minus the margin kept free before the function's own deadline) is shorter; never before now.
 */
export function waitDeadline(
  now: number,
  remainingMs: number | undefined,
  tuning: Pick<TokenProviderTuning, 'maxWaitMs' | 'deadlineMarginMs'>,
): number {
  const budget =
    remainingMs === undefined
      ? tuning.maxWaitMs
      : Math.min(tuning.maxWaitMs, remainingMs - tuning.deadlineMarginMs);
  return now + Math.max(0, budget);
}

/**
 * Whether a caller waits out a pause instead of failing at once: only after the auth server failed to
 * answer (a timeout, a 5xx, a reset: transient, and a late answer or another instance's retry may still
 * come), only if the pause ends within the caller's budget, and only when the pause is the fleet's: a
 * container on its own would only be waiting to retry itself. After a 429 the whole source IP is blocked
 * for an unknown while: callers fail at once with the time nobody asks again.
 */
export function waitsOutPause(state: SharedTokenState, deadline: number, fleetWide: boolean): boolean {
  return fleetWide && state.blockReason === 'unavailable' && (state.blockedUntil ?? 0) <= deadline;
}

/** Whether the item records a pause that has not ended yet. */
export function isPaused(state: SharedTokenState, now: number): boolean {
  // Stryker disable next-line ConditionalExpression: equivalent (undefined > now is false); the check is for the type checker
  return state.blockedUntil !== undefined && state.blockedUntil > now;
}

/** The lease terms an instance asks for at `now` (the owner is added by the caller). */
export function leaseTerms(
  now: number,
  tuning: Pick<TokenProviderTuning, 'leaseMs' | 'refreshWindowMs' | 'minAuthIntervalMs'>,
): Omit<LeaseRequest, 'owner' | 'fingerprint'> {
  return {
    now,
    leaseMs: tuning.leaseMs,
    refreshBefore: now + tuning.refreshWindowMs,
    lastAuthBefore: now - tuning.minAuthIntervalMs,
  };
}

/**
 * Whether the refresh lease may be granted (the rule the DynamoDB store's condition expression encodes):
 * no live lease; the stored token needs refreshing (its refresh point has come, or, stored without one, it
 * expires within the window); no pause in force; not the credentials recorded as rejected; and the last
 * auth call started at least the floor between two auth calls ago (the pacing).
 */
export function leaseAvailable(state: SharedTokenState, request: LeaseRequest): boolean {
  const { now } = request;
  const leaseFree = state.leaseUntil === undefined || state.leaseUntil < now;
  const needsRefresh =
    state.expiresAt === undefined ||
    (state.refreshAt === undefined ? state.expiresAt <= request.refreshBefore : state.refreshAt <= now);
  const unpaused = state.blockedUntil === undefined || state.blockedUntil <= now;
  const notRejected = state.rejectedFingerprint !== request.fingerprint;
  const paced = state.lastAuthAt === undefined || state.lastAuthAt <= request.lastAuthBefore;
  return leaseFree && needsRefresh && unpaused && notRejected && paced;
}

/** Whether credentials recorded as rejected may be re-read now (rate-limited: the secret may have rotated). */
export function credentialsRecheckDue(lastReloadAt: number, now: number, recheckMs: number): boolean {
  return now - lastReloadAt >= recheckMs;
}

/** The deadline of one store call: the retry budget, never past the caller's; no retry while known down. */
export function storeCallDeadline(
  deadline: number,
  now: number,
  storeDown: boolean,
  storeRetryMs: number,
): number {
  return Math.min(deadline, now + (storeDown ? 0 : storeRetryMs));
}

/** The pause before the next look at the store: half fixed, half random ("equal jitter"). */
export function pollPause(delay: number, random: number): number {
  return delay / 2 + (random * delay) / 2;
}

/** The next poll delay: doubled, capped. */
export function nextPollDelay(delay: number, pollMaxMs: number): number {
  return Math.min(delay * 2, pollMaxMs);
}
