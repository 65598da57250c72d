// The lease holder's work: the one auth call, then the token published to the store and held; or the
// failure recorded there (a pause, or the credentials' rejection) so that nobody repeats it; and a
// timed-out call's late answer adopted should it still come.

import { describeError } from '#lib/log/describe-error.ts';
import type { Log } from '#lib/log/log.ts';
import { type AuthCallDeps, type AuthCounters, callAuth } from './auth-call.ts';
import { secretFingerprint } from './credentials.ts';
import { pausedError, type TokenError } from './errors.ts';
import type { TokenMemory } from './memory.ts';
import type { Credentials, IssuedToken } from './oauth.ts';
import { AuthCallError } from './oauth.ts';
import type { Lease, TokenStore } from './shared-store.ts';
import { StoreUnavailable } from './store-retry.ts';
import { blockUntil, type UsableToken, usableToken } from './timing.ts';
import type { TokenProviderTuning } from './tuning.ts';

/** What a lease holder works with: the provider's clock, log, memory, counters and store call. */
export interface LeaseHolder {
  auth: AuthCallDeps;
  counters: AuthCounters;
  tuning: TokenProviderTuning;
  now: () => number;
  log: Log;
  memory: TokenMemory;
  /** A store call with the provider's retry budget (and its knowledge that the store is down). */
  storeCall<T>(store: TokenStore, operation: () => Promise<T>, deadline: number): Promise<T>;
  rejected(credentials: Credentials, cause?: unknown): TokenError;
  /** The credentials were rejected at `at`: the next re-read of them is due a recheck interval later. */
  onRejected(at: number): void;
}

export interface LeaseRefresh {
  store: TokenStore;
  key: string;
  lease: Lease;
  credentials: Credentials;
}

export async function refreshWithLease(holder: LeaseHolder, refresh: LeaseRefresh): Promise<UsableToken> {
  const { store, key, lease, credentials } = refresh;
  const { now, log, tuning, memory } = holder;
  const previous = lease.previous;
  // Stryker disable next-line LogicalOperator,ConditionalExpression: equivalent; both stores set and clear the owner and the lease's end together
  if (previous.leaseOwner && previous.leaseUntil !== undefined) {
    holder.counters.stats.takeovers++;
    holder.counters.metrics?.count('LeaseTakeovers');
    log.warn('token lease taken over', { expiredLeaseAgoMs: now() - previous.leaseUntil });
  }
  let issued: UsableToken;
  try {
    issued = await callAuth(holder.auth, credentials, holder.counters);
  } catch (err) {
    if (!(err instanceof AuthCallError)) throw err;
    const at = now();
    const failure = err.failure;
    if (failure.kind === 'rejected') {
      await store.recordRejected(key, lease.owner, secretFingerprint(credentials), at).catch((e) => {
        log.warn('could not share the credentials rejection', { error: describeError(e) });
      });
      holder.onRejected(at);
      throw holder.rejected(credentials, err);
    }
    const failures = (previous.failures ?? 0) + 1;
    const until = blockUntil(failure, failures, at, err.late !== undefined, tuning);
    await store.recordBlocked(key, lease.owner, until, failures, failure.kind, at).catch((e) => {
      log.warn('could not share the auth block', { error: describeError(e) });
    });
    if (err.late) adoptLate(holder, err.late, store, key);
    throw pausedError(failure.kind, until, now(), err);
  }
  let version: number | undefined;
  try {
    version = await holder.storeCall(
      store,
      () => store.publish(key, lease.owner, issued.accessToken, issued.expiresAt, now(), issued.refreshAt),
      now() + tuning.storeRetryMs,
    );
    if (version === undefined)
      log.warn('token lease lost before publishing; token kept in this container only');
  } catch (err) {
    log.warn('token not shared: the state table is unavailable', {
      error: describeError(err instanceof StoreUnavailable ? err.cause : err),
    });
  }
  memory.hold(issued, { store, key, version });
  return issued;
}

/**
 * A timed-out request's answer, should it still come: stored (unless the store already has a token that
 * lives longer) and kept in this container, so the callers still waiting get it instead of a second
 * auth request.
 */
export function adoptLate(
  holder: LeaseHolder,
  late: Promise<IssuedToken>,
  store: TokenStore,
  key: string,
): void {
  const { now, log, tuning, memory } = holder;
  late
    .then(async (answer) => {
      const issued = usableToken(answer, now(), tuning);
      if (!issued) return;
      log.info('a timed-out token request was answered late; its token is used');
      let version: number | undefined;
      try {
        version = await store.publishLate(key, issued.accessToken, issued.expiresAt, now(), issued.refreshAt);
      } catch (err) {
        log.warn('late token not shared', { error: describeError(err) });
      }
      if (memory.outlivedBy(issued.expiresAt)) memory.hold(issued, { store, key, version });
    })
    .catch(() => {}); // no late answer after all: the pause already stands
}
