// The Console API token provider: one state machine over a `TokenStore`. Memory (per container, single
// flight) → the store's item (a lease so that one instance calls the auth server; a pause after a failure;
// the rejected credentials) → the OAuth call. The store is the DynamoDB item shared by the fleet, or, with
// no table (and while the table is down with `storeUnavailable: 'local-auth'`), this container's own
// memory store, which keeps the same rules. The timing rules are the pure functions of timing.ts.
import { randomUUID } from 'node:crypto';
import type { TokenSource } from '#lib/console/token-source.ts';
import { describeError } from '#lib/log/describe-error.ts';
import { type Log, silentLog } from '#lib/log/log.ts';
import { type CredentialsSource, secretFingerprint } from './credentials.ts';
import { pausedError, rejectedError, TokenError } from './errors.ts';
import { type LeaseHolder, refreshWithLease } from './lease-holder.ts';
import { TokenMemory } from './memory.ts';
import { memoryTokenStore } from './memory-store.ts';
import { type Credentials, type OAuthSettings, requestToken } from './oauth.ts';
import { type Lease, type SharedTokenState, type TokenStore, tokenItemKey } from './shared-store.ts';
import { emptyStats, METRIC_BY_ORIGIN, type TokenMetrics, type TokenOrigin } from './stats.ts';
import { StoreUnavailable, storeUnavailableError, withStoreRetry } from './store-retry.ts';
import {
  credentialsRecheckDue,
  isLive,
  isPaused,
  leaseTerms,
  nextPollDelay,
  pollPause,
  refreshPoint,
  storeCallDeadline,
  waitDeadline,
  waitsOutPause,
} from './timing.ts';
import { resolveTuning, type TokenProviderTuning } from './tuning.ts';

export type { TokenMetricName, TokenMetrics, TokenOrigin, TokenStats } from './stats.ts';
export { DEFAULT_TUNING, type StoreUnavailablePolicy, type TokenProviderTuning } from './tuning.ts';

export interface TokenProviderDeps {
  credentials: CredentialsSource;
  oauth: OAuthSettings;
  /** The fleet's store (DynamoDB); without one the container keeps its own (memoryTokenStore: local runs). */
  store?: TokenStore;
  requestToken?: typeof requestToken;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: Log;
  metrics?: TokenMetrics;
  /** The invoking function's remaining time, when known (Lambda's `context.getRemainingTimeInMillis`). */
  remainingTimeMs?: () => number | undefined;
  tuning?: Partial<TokenProviderTuning>;
}

export class SharedTokenProvider implements TokenSource {
  readonly stats = emptyStats();
  /** Where the last token handed out came from. */
  lastOrigin?: TokenOrigin;

  private readonly t: TokenProviderTuning;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly log: Log;
  private readonly store: TokenStore;
  /** This container's own store while the fleet's cannot be read (policy 'local-auth'). */
  private fallback?: TokenStore;
  private readonly holder: LeaseHolder;
  private readonly instance = randomUUID();
  private leaseSeq = 0;
  private readonly memory = new TokenMemory();
  private inflight?: Promise<string>;
  private background?: Promise<void>;
  private nextBackgroundAt = 0;
  private lastCredentialsReload = 0;
  /** Set when the store stayed unreadable for a whole retry budget; cleared by the next call that works. */
  private storeDown = false;

  constructor(private readonly deps: TokenProviderDeps) {
    this.t = resolveTuning(deps.tuning);
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = deps.random ?? Math.random;
    this.log = deps.log ?? silentLog;
    this.store = deps.store ?? memoryTokenStore();
    const counters = { stats: this.stats, metrics: deps.metrics };
    this.holder = {
      auth: {
        oauth: deps.oauth,
        requestToken: deps.requestToken ?? requestToken,
        fetch: deps.fetch,
        now: this.now,
        log: this.log,
        tuning: this.t,
      },
      counters,
      tuning: this.t,
      now: this.now,
      log: this.log,
      memory: this.memory,
      storeCall: (store, operation, deadline) => this.storeCall(store, operation, deadline),
      rejected: (credentials, cause) => this.rejected(credentials, cause),
      onRejected: (at) => {
        this.lastCredentialsReload = at;
      },
    };
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    const now = this.now();
    const held = this.memory.live(now);
    if (held) {
      if (held.refreshAt <= now) this.refreshAhead();
      return this.handOut(held.accessToken, 'memory');
    }
    if (signal?.aborted) throw signal.reason;
    if (!this.inflight) {
      // Shared by every caller in this container, so no caller's signal reaches it: one caller giving up
      // must neither fail the others nor abort the lease holder's auth call (which would be recorded
      // fleet-wide as an auth server failure). A caller's signal only ends its own wait.
      const inflight = this.acquire().finally(() => {
        this.inflight = undefined;
      });
      inflight.catch(() => {}); // every caller that still waits sees the rejection; none must go unhandled
      this.inflight = inflight;
    }
    return signal ? untilAborted(this.inflight, signal) : this.inflight;
  }

  async invalidate(token: string): Promise<void> {
    const recorded = this.memory.forget(token);
    this.stats.invalidations++;
    this.deps.metrics?.count('TokenInvalidations');
    if (!recorded) return;
    const { store, key, version } = recorded;
    try {
      const now = this.now();
      if (await store.invalidate(key, version, now, now - this.t.invalidationIntervalMs)) {
        this.log.info('token invalidated', { version });
      } else {
        this.log.warn('token not invalidated: already replaced, or another was invalidated moments ago', {
          version,
          minIntervalMs: this.t.invalidationIntervalMs,
        });
      }
    } catch (err) {
      this.log.warn('token invalidation not shared', { error: describeError(err) });
    }
  }

  /** Waits for a background refresh started by a caller (tests and graceful shutdown). */
  async settle(): Promise<void> {
    await this.background;
  }

  private handOut(token: string, origin: TokenOrigin): string {
    this.stats[origin]++;
    this.lastOrigin = origin;
    this.deps.metrics?.count(METRIC_BY_ORIGIN[origin]);
    return token;
  }

  private keyFor(credentials: Credentials): string {
    return tokenItemKey(credentials.clientId, this.deps.oauth.audience, this.deps.oauth.tokenUrl);
  }

  /** Holds the store's live token and hands it out; a token read from the container's own store is memory. */
  private takeStored(store: TokenStore, key: string, state: SharedTokenState, waited: boolean): string {
    const token = state.token as string;
    const expiresAt = state.expiresAt as number;
    const refreshAt = refreshPoint(expiresAt, state.refreshAt, this.t.refreshWindowMs);
    this.memory.hold({ accessToken: token, expiresAt, refreshAt }, { store, key, version: state.version });
    if (refreshAt <= this.now()) this.refreshAhead();
    if (waited) this.log.debug('token after wait', { source: 'shared' });
    return this.handOut(token, store.scope === 'fleet' ? 'shared' : 'memory');
  }

  private async acquire(): Promise<string> {
    const credentials = await this.deps.credentials.get();
    const deadline = waitDeadline(this.now(), this.deps.remainingTimeMs?.(), this.t);
    return this.acquireFrom(this.store, credentials, deadline);
  }

  private async acquireFrom(store: TokenStore, initial: Credentials, deadline: number): Promise<string> {
    let credentials = initial;
    const fleetWide = store.scope === 'fleet';
    const started = this.now();
    let delay = this.t.pollInitialMs;
    let waited = false;
    let waitingFor = 'another instance holds the refresh lease';
    for (;;) {
      const key = this.keyFor(credentials);
      let state: SharedTokenState;
      try {
        state = await this.storeCall(store, () => store.read(key), deadline);
      } catch (err) {
        return this.storeFailed(err, credentials, deadline);
      }
      const now = this.now();
      if (state.token && isLive(state.expiresAt, now)) return this.takeStored(store, key, state, waited);
      // A late answer to this container's own timed-out request, kept here when it could not be shared.
      const late = this.memory.live(now);
      if (late) return this.handOut(late.accessToken, 'memory');
      // Stryker disable next-line ConditionalExpression: equivalent; without a recorded rejection `recheckRejected` returns the same credentials (no fingerprint equals undefined)
      if (state.rejectedFingerprint) {
        const fresh = await this.recheckRejected(credentials, state.rejectedFingerprint);
        if (fresh !== credentials) {
          credentials = fresh;
          continue;
        }
      }
      if (isPaused(state, now)) {
        const until = state.blockedUntil as number;
        if (!waitsOutPause(state, deadline, fleetWide)) throw pausedError(state.blockReason, until, now);
        waitingFor = `the auth server failed to answer (${state.blockReason}); waiting for a late answer or the retry after the shared pause`;
      } else if (
        state.leaseUntil === undefined ||
        // Stryker disable next-line EqualityOperator: at `leaseUntil === now` the store's own condition (leaseAvailable: `leaseUntil < now`) refuses the lease, so `<=` only adds a refused call
        state.leaseUntil < now
      ) {
        let lease: Lease | undefined;
        try {
          lease = await this.storeCall(
            store,
            () => store.tryLease(key, this.leaseRequest(credentials, this.now())),
            deadline,
          );
        } catch (err) {
          return this.storeFailed(err, credentials, deadline);
        }
        if (lease) {
          try {
            return await this.refreshWithLease(store, key, lease, credentials);
          } catch (err) {
            // The auth server failed to answer: this caller, like the waiting ones, keeps waiting while the
            // shared pause ends within its budget (a late answer or the next holder's may still come).
            if (!(err instanceof TokenError && err.code === 'auth-unavailable')) throw err;
            const pause = { blockReason: 'unavailable', blockedUntil: err.retryAt };
            if (!waitsOutPause(pause, deadline, fleetWide)) throw err;
            waitingFor = `the auth server failed to answer; waiting for a late answer or the retry after the shared pause`;
          }
        }
      }
      const t = this.now();
      if (t + delay > deadline) {
        throw new TokenError(
          'wait-timeout',
          `no Console API token after waiting ${((t - started) / 1000).toFixed(1)} s (the wait budget: ${((deadline - started) / 1000).toFixed(1)} s): ${waitingFor}`,
        );
      }
      waited = true;
      this.stats.waits++;
      this.deps.metrics?.count('TokenWaits');
      await this.sleep(pollPause(delay, this.random()));
      delay = nextPollDelay(delay, this.t.pollMaxMs);
    }
  }

  /** One store operation, retried within `storeRetryMs` (one attempt while the store is known down). */
  private async storeCall<T>(store: TokenStore, operation: () => Promise<T>, deadline: number): Promise<T> {
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent; a container's store (a Map) never throws, so the retry wrapper makes exactly one call too
    if (store.scope === 'container') return operation();
    const result = await withStoreRetry(operation, {
      deadline: storeCallDeadline(deadline, this.now(), this.storeDown, this.t.storeRetryMs),
      backoff: { initialMs: this.t.storeBackoffInitialMs, maxMs: this.t.storeBackoffMaxMs },
      now: this.now,
      sleep: this.sleep,
      random: this.random,
      onRetry: (err, kind, attempt) => {
        this.stats.storeRetries++;
        this.log.debug('token store call failed; retrying', { kind, attempt, error: describeError(err) });
      },
    });
    this.storeDown = false;
    return result;
  }

  private leaseRequest(credentials: Credentials, now: number) {
    return {
      // Stryker disable next-line UpdateOperator: equivalent; counting down keeps each owner of this instance unique
      owner: `${this.instance}#${++this.leaseSeq}`,
      fingerprint: secretFingerprint(credentials),
      ...leaseTerms(now, this.t),
    };
  }

  private rejected(credentials: Credentials, cause?: unknown): TokenError {
    return rejectedError(
      credentials.clientId,
      this.deps.oauth.audience,
      this.deps.credentials.describe,
      cause,
    );
  }

  /** The stored rejection is for these credentials: re-read them (rate-limited), in case the secret rotated. */
  private async recheckRejected(credentials: Credentials, rejected: string): Promise<Credentials> {
    if (secretFingerprint(credentials) !== rejected) return credentials;
    const now = this.now();
    if (credentialsRecheckDue(this.lastCredentialsReload, now, this.t.credentialsRecheckMs)) {
      this.lastCredentialsReload = now;
      const fresh = await this.deps.credentials.reload();
      if (secretFingerprint(fresh) !== rejected) {
        this.log.info('credentials changed since they were rejected: trying the new ones');
        return fresh;
      }
    }
    throw this.rejected(credentials);
  }

  private refreshWithLease(
    store: TokenStore,
    key: string,
    lease: Lease,
    credentials: Credentials,
  ): Promise<string> {
    return refreshWithLease(this.holder, { store, key, lease, credentials }).then((issued) =>
      this.handOut(issued.accessToken, 'auth'),
    );
  }

  /** Inside the refresh window: one background attempt, never a wait for the callers. */
  private refreshAhead(): void {
    const store = this.store;
    const now = this.now();
    if (this.background || now < this.nextBackgroundAt) return;
    this.nextBackgroundAt = now + this.t.backgroundRetryMs;
    this.background = (async () => {
      const credentials = await this.deps.credentials.get();
      const key = this.keyFor(credentials);
      const state = await store.read(key);
      const t = this.now();
      // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent; a stored refresh point never follows the expiry (usableToken), so a missing or expired token never passes `refreshAt > t` below
      if (state.token && isLive(state.expiresAt, t)) {
        const expiresAt = state.expiresAt as number;
        const refreshAt = refreshPoint(expiresAt, state.refreshAt, this.t.refreshWindowMs);
        if (refreshAt > t) {
          const token = { accessToken: state.token, expiresAt, refreshAt };
          this.memory.hold(token, { store, key, version: state.version });
          return;
        }
      }
      // The lease's conditions keep a paused, rejected or too recent auth call from happening again.
      const lease = await store.tryLease(key, this.leaseRequest(credentials, t));
      if (lease) await this.refreshWithLease(store, key, lease, credentials);
    })()
      .catch((err) => {
        this.log.warn('background token refresh failed; the current token stays in use', {
          error: describeError(err),
        });
      })
      .finally(() => {
        this.background = undefined;
      });
  }

  /** The store stayed unreadable for the whole retry budget: the `storeUnavailable` policy decides. */
  private storeFailed(err: unknown, credentials: Credentials, deadline: number): Promise<string> {
    this.storeDown = true;
    this.deps.metrics?.count('SharedCacheUnavailable');
    const cause = err instanceof StoreUnavailable ? err.cause : err;
    if (this.t.storeUnavailable === 'local-auth') {
      this.stats.fallbacks++;
      this.log.warn('shared token cache unavailable; falling back to this container', {
        error: describeError(cause),
      });
      this.fallback ??= memoryTokenStore();
      return this.acquireFrom(this.fallback, credentials, deadline);
    }
    this.stats.storeFailures++;
    const error = storeUnavailableError(err);
    this.log.error('token store unavailable; not asking the auth server', { error: error.message });
    throw error;
  }
}

/** The promise, or the signal's reason as soon as it aborts (the work behind the promise carries on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent; 'abort' fires once and the listener is removed when the promise settles
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
