// The shared Console API token provider: memory (per container, single flight) → the shared item in
// DynamoDB (a lease so that one instance in the whole fleet calls the auth server) → the OAuth call.
import { randomUUID } from 'node:crypto';
import type { TokenSource } from '#lib/console/token-source.ts';
import { type Log, silentLog } from '#lib/log/log.ts';
import { type CredentialsSource, secretFingerprint } from './credentials.ts';
import { TokenError, type TokenErrorCode } from './errors.ts';
import {
  AuthCallError,
  type Credentials,
  type IssuedToken,
  type OAuthSettings,
  requestToken,
} from './oauth.ts';
import { type Lease, type SharedTokenState, type TokenStore, tokenItemKey } from './shared-store.ts';
import { StoreUnavailable, withStoreRetry } from './store-retry.ts';

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

/**
 * What a container does when the shared store cannot be used within `storeRetryMs`:
 * - 'fail' (default): fail the request with a `store-unavailable` TokenError and never ask the auth server.
 *   Without the store containers cannot agree on who asks, so any auth call would be one per container:
 *   a herd of 30 made 30 requests and 24 were answered 429 (and 429s block the whole source IP).
 * - 'local-auth': ask the auth server from this container (single flight, paced, with its own failure
 *   memory). One request per container, not per fleet: only for a small, known number of containers.
 */
export type StoreUnavailablePolicy = 'fail' | 'local-auth';

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

export interface TokenProviderDeps {
  credentials: CredentialsSource;
  oauth: OAuthSettings;
  /** The shared cache; without one the provider keeps tokens per container only (local runs). */
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

interface Held {
  token: string;
  expiresAt: number;
  refreshAt: number;
  version?: number;
}

/** A token the auth server issued, with the skew margin taken off and its refresh point set. */
interface Usable {
  accessToken: string;
  expiresAt: number;
  refreshAt: number;
}

/** A token with less usable life than this when it arrives is not worth handing out. */
const MIN_USABLE_MS = 1_000;

const METRIC_BY_ORIGIN: Record<TokenOrigin, TokenMetricName> = {
  memory: 'TokenFromMemory',
  shared: 'TokenFromShared',
  auth: 'TokenFromAuth',
};

export class SharedTokenProvider implements TokenSource {
  readonly stats: TokenStats = {
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
  /** Where the last token handed out came from. */
  lastOrigin?: TokenOrigin;

  private readonly t: TokenProviderTuning;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly log: Log;
  private readonly instance = randomUUID();
  private leaseSeq = 0;
  private held?: Held;
  /** Tokens recently handed out, with their shared version, so that invalidate() can compare-and-delete. */
  private readonly versions = new Map<string, number>();
  private inflight?: Promise<string>;
  private background?: Promise<void>;
  private nextBackgroundAt = 0;
  private lastCredentialsReload = 0;
  /** Set when the store stayed unreadable for a whole retry budget; cleared by the next call that works. */
  private storeDown = false;
  // Used only while the shared store is unavailable (in-process fallback).
  private local: {
    blockedUntil: number;
    failures: number;
    rejectedFingerprint?: string;
    blockReason?: string;
    lastAuthAt: number;
  } = {
    blockedUntil: 0,
    failures: 0,
    lastAuthAt: 0,
  };

  constructor(private readonly deps: TokenProviderDeps) {
    this.t = { ...DEFAULT_TUNING, ...deps.tuning };
    if (this.t.leaseMs <= this.t.authTimeoutMs) {
      throw new Error('token provider: leaseMs must be longer than authTimeoutMs');
    }
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = deps.random ?? Math.random;
    this.log = deps.log ?? silentLog;
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    const held = this.held;
    const now = this.now();
    if (held && held.expiresAt > now) {
      if (held.refreshAt <= now) this.refreshAhead();
      return this.handOut(held.token, 'memory');
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
    if (this.held?.token === token) this.held = undefined;
    const version = this.versions.get(token);
    this.versions.delete(token);
    this.stats.invalidations++;
    this.deps.metrics?.count('TokenInvalidations');
    const { store } = this.deps;
    if (!store || version === undefined) return;
    try {
      const credentials = await this.deps.credentials.get();
      const now = this.now();
      const removed = await store.invalidate(
        this.keyFor(credentials),
        version,
        now,
        now - this.t.invalidationIntervalMs,
      );
      if (removed) this.log.info('token invalidated', { version });
      else {
        this.log.warn('token not invalidated: already replaced, or another was invalidated moments ago', {
          version,
          minIntervalMs: this.t.invalidationIntervalMs,
        });
      }
    } catch (err) {
      this.log.warn('token invalidation not shared', { error: describe(err) });
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

  private hold(token: string, expiresAt: number, refreshAt: number, version?: number): void {
    this.held = { token, expiresAt, refreshAt, version };
    if (version !== undefined) {
      this.versions.set(token, version);
      if (this.versions.size > 8) {
        const oldest = this.versions.keys().next().value;
        if (oldest !== undefined) this.versions.delete(oldest);
      }
    }
  }

  private deadline(): number {
    const remaining = this.deps.remainingTimeMs?.();
    const budget =
      remaining === undefined
        ? this.t.maxWaitMs
        : Math.min(this.t.maxWaitMs, remaining - this.t.deadlineMarginMs);
    return this.now() + Math.max(0, budget);
  }

  private async acquire(): Promise<string> {
    let credentials = await this.deps.credentials.get();
    const { store } = this.deps;
    if (!store) return this.acquireLocally(credentials);
    const started = this.now();
    const deadline = this.deadline();
    let delay = this.t.pollInitialMs;
    let waited = false;
    let waitingFor = 'another instance holds the refresh lease';
    for (;;) {
      const key = this.keyFor(credentials);
      let state: SharedTokenState;
      try {
        state = await this.storeCall(() => store.read(key), deadline);
      } catch (err) {
        return this.storeFailed(err, credentials);
      }
      const now = this.now();
      if (state.token && state.expiresAt !== undefined && state.expiresAt > now) {
        const refreshAt = this.refreshPointOf(state.expiresAt, state.refreshAt);
        this.hold(state.token, state.expiresAt, refreshAt, state.version);
        if (refreshAt <= now) this.refreshAhead();
        if (waited) this.log.debug('token after wait', { source: 'shared' });
        return this.handOut(state.token, 'shared');
      }
      // A late answer to this container's own timed-out request, kept here when it could not be shared.
      if (this.held && this.held.expiresAt > now) return this.handOut(this.held.token, 'memory');
      if (state.rejectedFingerprint) {
        const fresh = await this.recheckRejected(credentials, state.rejectedFingerprint);
        if (fresh !== credentials) {
          credentials = fresh;
          continue;
        }
      }
      if (state.blockedUntil !== undefined && state.blockedUntil > now) {
        if (!outlastsPause(state, deadline)) throw this.blockedError(state);
        waitingFor = `the auth server failed to answer (${state.blockReason}); waiting for a late answer or the retry after the shared pause`;
      } else if (state.leaseUntil === undefined || state.leaseUntil < now) {
        let lease: Lease | undefined;
        try {
          lease = await this.storeCall(
            () => store.tryLease(key, this.leaseRequest(credentials, this.now())),
            deadline,
          );
        } catch (err) {
          return this.storeFailed(err, credentials);
        }
        if (lease) {
          try {
            return await this.refreshWithLease(key, lease, credentials);
          } catch (err) {
            // The auth server failed to answer: this caller, like the waiting ones, keeps waiting while the
            // shared pause ends within its budget (a late answer or the next holder's may still come).
            if (!(err instanceof TokenError && err.code === 'auth-unavailable')) throw err;
            if ((err.retryAt ?? Number.POSITIVE_INFINITY) > deadline) throw err;
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
      await this.sleep(delay / 2 + (this.random() * delay) / 2);
      delay = Math.min(delay * 2, this.t.pollMaxMs);
    }
  }

  /** One store operation, retried within `storeRetryMs` (one attempt while the store is known down). */
  private async storeCall<T>(operation: () => Promise<T>, deadline: number): Promise<T> {
    const now = this.now();
    const result = await withStoreRetry(operation, {
      deadline: Math.min(deadline, now + (this.storeDown ? 0 : this.t.storeRetryMs)),
      backoff: { initialMs: this.t.storeBackoffInitialMs, maxMs: this.t.storeBackoffMaxMs },
      now: this.now,
      sleep: this.sleep,
      random: this.random,
      onRetry: (err, kind, attempt) => {
        this.stats.storeRetries++;
        this.log.debug('token store call failed; retrying', { kind, attempt, error: describe(err) });
      },
    });
    this.storeDown = false;
    return result;
  }

  /** The stored refresh point, or for an item written without one, a fixed window before expiry. */
  private refreshPointOf(expiresAt: number, refreshAt: number | undefined): number {
    return refreshAt ?? expiresAt - this.t.refreshWindowMs;
  }

  private leaseRequest(credentials: Credentials, now: number) {
    return {
      owner: `${this.instance}#${++this.leaseSeq}`,
      now,
      leaseMs: this.t.leaseMs,
      refreshBefore: now + this.t.refreshWindowMs,
      fingerprint: secretFingerprint(credentials),
      lastAuthBefore: now - this.t.minAuthIntervalMs,
    };
  }

  /** The stored rejection is for these credentials: re-read them (rate-limited), in case the secret rotated. */
  private async recheckRejected(credentials: Credentials, rejected: string): Promise<Credentials> {
    if (secretFingerprint(credentials) !== rejected) return credentials;
    const now = this.now();
    if (now - this.lastCredentialsReload >= this.t.credentialsRecheckMs) {
      this.lastCredentialsReload = now;
      const fresh = await this.deps.credentials.reload();
      if (secretFingerprint(fresh) !== rejected) {
        this.log.info('credentials changed since they were rejected: trying the new ones');
        return fresh;
      }
    }
    throw this.rejectedError(credentials);
  }

  private async refreshWithLease(key: string, lease: Lease, credentials: Credentials): Promise<string> {
    const store = this.deps.store;
    if (!store) throw new Error('unreachable: lease without a store');
    const previous = lease.previous;
    if (previous.leaseOwner && previous.leaseUntil !== undefined) {
      this.stats.takeovers++;
      this.deps.metrics?.count('LeaseTakeovers');
      this.log.warn('token lease taken over', { expiredLeaseAgoMs: this.now() - previous.leaseUntil });
    }
    let issued: Usable;
    try {
      issued = await this.callAuth(credentials);
    } catch (err) {
      if (!(err instanceof AuthCallError)) throw err;
      const now = this.now();
      const failure = err.failure;
      if (failure.kind === 'rejected') {
        await store.recordRejected(key, lease.owner, secretFingerprint(credentials), now).catch((e) => {
          this.log.warn('could not share the credentials rejection', { error: describe(e) });
        });
        this.lastCredentialsReload = now;
        throw this.rejectedError(credentials, err);
      }
      const failures = (previous.failures ?? 0) + 1;
      // While a timed-out request may still be answered, nobody asks again (it counted against the limit).
      const until = Math.max(this.blockUntil(err, failures, now), err.late ? now + this.t.authLateMs : 0);
      await store.recordBlocked(key, lease.owner, until, failures, failure.kind, now).catch((e) => {
        this.log.warn('could not share the auth block', { error: describe(e) });
      });
      if (err.late) this.adoptLate(err.late, key);
      throw this.blockedError({ blockedUntil: until, blockReason: failure.kind }, err);
    }
    let version: number | undefined;
    try {
      version = await this.storeCall(
        () =>
          store.publish(key, lease.owner, issued.accessToken, issued.expiresAt, this.now(), issued.refreshAt),
        this.now() + this.t.storeRetryMs,
      );
      if (version === undefined)
        this.log.warn('token lease lost before publishing; token kept in this container only');
    } catch (err) {
      this.log.warn('token not shared: the state table is unavailable', {
        error: describe(err instanceof StoreUnavailable ? err.cause : err),
      });
    }
    this.hold(issued.accessToken, issued.expiresAt, issued.refreshAt, version);
    return this.handOut(issued.accessToken, 'auth');
  }

  /**
   * A timed-out request's answer, should it still come: shared (unless the table already has a token that
   * lives longer) and kept in this container, so the callers still waiting get it instead of a second
   * auth request.
   */
  private adoptLate(late: Promise<IssuedToken>, key?: string): void {
    late
      .then(async (answer) => {
        const issued = this.usable(answer);
        this.log.info('a timed-out token request was answered late; its token is used');
        let version: number | undefined;
        try {
          version = await this.deps.store?.publishLate(
            key ?? '',
            issued.accessToken,
            issued.expiresAt,
            this.now(),
            issued.refreshAt,
          );
        } catch (err) {
          this.log.warn('late token not shared', { error: describe(err) });
        }
        if (!this.held || this.held.expiresAt < issued.expiresAt) {
          this.hold(issued.accessToken, issued.expiresAt, issued.refreshAt, version);
        }
      })
      .catch(() => {}); // no late answer after all: the shared pause already stands
  }

  /**
   * The skew margin and the refresh point for a token as it arrived. Both are sized by what the token has
   * left, not by a full lifetime: a cached token handed back with 20 s left is used for 10 s, not thrown
   * away (which left the fleet without a token until the auth server minted a new one), and a token with
   * less usable life than the refresh window is refreshed at half of it, not at every chance.
   */
  private usable(issued: IssuedToken): Usable {
    const now = this.now();
    const left = issued.expiresAt - now;
    const expiresAt = issued.expiresAt - Math.min(this.t.skewMs, Math.floor(left / 2));
    const usableMs = expiresAt - now;
    if (usableMs < MIN_USABLE_MS) {
      throw new AuthCallError({
        kind: 'bad-response',
        status: 200,
        detail: 'the auth server answered with a token that expires at once',
      });
    }
    const refreshAt = expiresAt - Math.min(this.t.refreshWindowMs, Math.floor(usableMs / 2));
    return { accessToken: issued.accessToken, expiresAt, refreshAt };
  }

  /** The auth call itself; returns the token with the skew margin taken off and its refresh point. */
  private async callAuth(credentials: Credentials): Promise<Usable> {
    const call = this.deps.requestToken ?? requestToken;
    this.stats.authCalls++;
    this.deps.metrics?.count('AuthCalls');
    this.log.info('token requested from auth server', { tokenUrl: this.deps.oauth.tokenUrl });
    try {
      const issued = await call(this.deps.oauth, credentials, {
        fetch: this.deps.fetch,
        timeoutMs: this.t.authTimeoutMs,
        lateMs: this.t.authLateMs,
        now: this.now,
      });
      return this.usable(issued);
    } catch (err) {
      if (err instanceof AuthCallError) {
        const kind = err.failure.kind;
        if (kind === 'rate-limited') {
          this.stats.blocked++;
          this.deps.metrics?.count('AuthRateLimited');
        } else if (kind === 'rejected') {
          this.stats.rejected++;
          this.deps.metrics?.count('AuthRejected');
        } else {
          this.stats.unavailable++;
          this.deps.metrics?.count('AuthUnavailable');
        }
        this.log.warn('auth server refused a token', { failure: kind });
      }
      throw err;
    }
  }

  private blockUntil(err: AuthCallError, failures: number, now: number): number {
    const f = err.failure;
    const floor = f.kind === 'rate-limited' ? this.t.blockFloorMs : this.t.unavailableFloorMs;
    const backoff = Math.min(this.t.blockMaxMs, floor * 2 ** Math.min(failures - 1, 20));
    // A Retry-After is honoured as a minimum, never relied on: a short one repeated ("1") must not hold
    // the fleet at the auth floor rate while the auth server keeps the whole IP blocked.
    const hinted = f.kind === 'rate-limited' ? f.retryAfterMs : undefined;
    return now + Math.max(hinted ?? 0, backoff, this.t.minAuthIntervalMs);
  }

  private blockedError(state: SharedTokenState, cause?: unknown): TokenError {
    const until = state.blockedUntil ?? this.now();
    const seconds = Math.max(1, Math.ceil((until - this.now()) / 1000));
    const [code, why]: [TokenErrorCode, string] =
      state.blockReason === 'rate-limited'
        ? ['auth-blocked', "Camunda's auth server rate-limited this account's token requests (HTTP 429)"]
        : state.blockReason === 'bad-response'
          ? ['auth-bad-response', "Camunda's auth server answered a token request without a usable token"]
          : ['auth-unavailable', "Camunda's auth server failed to answer a token request"];
    return new TokenError(
      code,
      `${why}; no instance asks again for ${seconds} s (until ${new Date(until).toISOString()})`,
      { cause, retryAt: until },
    );
  }

  private rejectedError(credentials: Credentials, cause?: unknown): TokenError {
    return new TokenError(
      'credentials-rejected',
      `Camunda's auth server rejected client id '${credentials.clientId}' for audience '${this.deps.oauth.audience}'. ` +
        `Fix the credentials in ${this.deps.credentials.describe} (an API client of the Console API with the scopes the jobs need); ` +
        'no instance retries these credentials until they change',
      { cause },
    );
  }

  /** Inside the refresh window: one background attempt, never a wait for the callers. */
  private refreshAhead(): void {
    const store = this.deps.store;
    const now = this.now();
    if (this.background || now < this.nextBackgroundAt) return;
    this.nextBackgroundAt = now + this.t.backgroundRetryMs;
    this.background = (async () => {
      const credentials = await this.deps.credentials.get();
      if (!store) {
        if (now < this.local.blockedUntil) return;
        // Rejected credentials are re-checked when the token runs out, never retried in the background.
        if (this.local.rejectedFingerprint === secretFingerprint(credentials)) return;
        await this.authLocally(credentials);
        return;
      }
      const key = this.keyFor(credentials);
      const state = await store.read(key);
      const t = this.now();
      if (state.token && state.expiresAt !== undefined && state.expiresAt > t) {
        const refreshAt = this.refreshPointOf(state.expiresAt, state.refreshAt);
        if (refreshAt > t) {
          this.hold(state.token, state.expiresAt, refreshAt, state.version);
          return;
        }
      }
      const lease = await store.tryLease(key, this.leaseRequest(credentials, t));
      if (lease) await this.refreshWithLease(key, lease, credentials);
    })()
      .catch((err) => {
        this.log.warn('background token refresh failed; the current token stays in use', {
          error: describe(err),
        });
      })
      .finally(() => {
        this.background = undefined;
      });
  }

  /** The store stayed unreadable for the whole retry budget: the `storeUnavailable` policy decides. */
  private storeFailed(err: unknown, credentials: Credentials): Promise<string> {
    this.storeDown = true;
    this.deps.metrics?.count('SharedCacheUnavailable');
    const cause = err instanceof StoreUnavailable ? err.cause : err;
    if (this.t.storeUnavailable === 'local-auth') {
      this.stats.fallbacks++;
      this.log.warn('shared token cache unavailable; falling back to this container', {
        error: describe(cause),
      });
      return this.acquireLocally(credentials);
    }
    this.stats.storeFailures++;
    const error = storeUnavailableError(err);
    this.log.error('token store unavailable; not asking the auth server', { error: error.message });
    throw error;
  }

  /** Per-container single flight with its own failure memory: used without a store or when it is down. */
  private async acquireLocally(credentials: Credentials): Promise<string> {
    const now = this.now();
    const fingerprint = secretFingerprint(credentials);
    if (this.local.rejectedFingerprint === fingerprint) {
      const fresh = await this.recheckRejected(credentials, fingerprint);
      credentials = fresh;
    }
    if (now < this.local.blockedUntil) {
      throw this.blockedError({ blockedUntil: this.local.blockedUntil, blockReason: this.local.blockReason });
    }
    const gap = this.local.lastAuthAt + this.t.minAuthIntervalMs - now;
    if (gap > 0) await this.sleep(gap);
    return this.authLocally(credentials);
  }

  private async authLocally(credentials: Credentials): Promise<string> {
    this.local.lastAuthAt = this.now();
    try {
      const issued = await this.callAuth(credentials);
      this.local = { blockedUntil: 0, failures: 0, lastAuthAt: this.local.lastAuthAt };
      this.hold(issued.accessToken, issued.expiresAt, issued.refreshAt);
      return this.handOut(issued.accessToken, 'auth');
    } catch (err) {
      if (!(err instanceof AuthCallError)) throw err;
      const now = this.now();
      if (err.failure.kind === 'rejected') {
        this.local.rejectedFingerprint = secretFingerprint(credentials);
        this.lastCredentialsReload = now;
        throw this.rejectedError(credentials, err);
      }
      this.local.failures++;
      this.local.blockedUntil = Math.max(
        this.blockUntil(err, this.local.failures, now),
        err.late ? now + this.t.authLateMs : 0,
      );
      if (err.late) this.adoptLate(err.late);
      this.local.blockReason = err.failure.kind;
      throw this.blockedError({ blockedUntil: this.local.blockedUntil, blockReason: err.failure.kind }, err);
    }
  }
}

/** The promise, or the signal's reason as soon as it aborts (the work behind the promise carries on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Whether a caller waits out a shared pause instead of failing at once: only after the auth server failed
 * to answer (a timeout, a 5xx, a reset: transient, and a late answer may still be published), and only if
 * the pause ends within the caller's budget. After a 429 the whole source IP is blocked for an unknown
 * while: callers fail at once with the time nobody asks again.
 */
function outlastsPause(state: SharedTokenState, deadline: number): boolean {
  return state.blockReason === 'unavailable' && (state.blockedUntil ?? 0) <= deadline;
}

function storeUnavailableError(err: unknown): TokenError {
  const detail =
    err instanceof StoreUnavailable
      ? `${err.message} (${describe(err.cause)}; ${err.attempts} attempt${err.attempts === 1 ? '' : 's'} in ${(err.waitedMs / 1000).toFixed(1)} s)`
      : `token store is unreachable (${describe(err)})`;
  return new TokenError(
    'store-unavailable',
    `the shared ${detail}; not asking Camunda's auth server, to protect the source IP's rate limit ` +
      "(without the store every container would ask). Check the state table and DynamoDB's health; " +
      "token.storeUnavailable: 'local-auth' in automation.config.ts lets each container ask instead",
    { cause: err },
  );
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
