// One setup for every test of the token provider: a fake clock that waiting moves, the auth call replaced
// at its boundary by a controllable function, credentials whose secret a test can rotate, recorded
// metrics, log lines and pauses, and providers built over any TokenStore (the DynamoDB store on dynalite,
// or a container's memory store).
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { CredentialsSource } from '#lib/token/credentials.ts';
import { memoryTokenStore } from '#lib/token/memory-store.ts';
import { AuthCallError, type Credentials, type IssuedToken, type requestToken } from '#lib/token/oauth.ts';
import {
  SharedTokenProvider,
  type TokenMetricName,
  type TokenProviderDeps,
  type TokenProviderTuning,
} from '#lib/token/provider.ts';
import { dynamoTokenStore, type Lease, type TokenStore, tokenItemKey } from '#lib/token/shared-store.ts';
import { type EmbeddedDynamo, startDynalite } from '#local/dynalite.ts';
import { recordingLog } from '#local/recording-log.ts';

export const OAUTH = { tokenUrl: 'http://auth.invalid/oauth/token', audience: 'api.cloud.camunda.io' };
export const T0 = Date.parse('2026-11-27T02:00:00Z');
export const CLIENT_ID = 'client-a';
/** The store key of CLIENT_ID's token. */
export const KEY = tokenItemKey(CLIENT_ID, OAUTH.audience, OAUTH.tokenUrl);

export type AuthBehaviour = (call: number, credentials: Credentials) => Promise<IssuedToken>;

export interface FakeAuth {
  calls: number;
  /** The clock's reading at each call. */
  callTimes: number[];
  /** The secret each call was made with. */
  secrets: string[];
  lifetimeMs: number;
  behaviour?: AuthBehaviour;
  fn: typeof requestToken;
}

/** The auth server: `token-<n>` for the n-th call, living `lifetimeMs`, unless a behaviour is set. */
export function fakeAuth(clock: { t: number }): FakeAuth {
  const state: FakeAuth = {
    calls: 0,
    callTimes: [],
    secrets: [],
    lifetimeMs: 300_000,
    fn: async (_settings, credentials) => {
      state.calls++;
      state.callTimes.push(clock.t);
      state.secrets.push(credentials.clientSecret);
      if (state.behaviour) return state.behaviour(state.calls, credentials);
      return { accessToken: `token-${state.calls}`, expiresAt: clock.t + state.lifetimeMs };
    },
  };
  return state;
}

export interface TokenHarness {
  clock: { t: number };
  store: TokenStore;
  auth: FakeAuth;
  /** The secret in the secret store (rotate it by assignment; the source sees it on its next reload). */
  secret: { value: string };
  credentials: CredentialsSource & { gets: number; reloads: number };
  /** A new container's provider over the harness's store. */
  provider(tuning?: Partial<TokenProviderTuning>, deps?: Partial<TokenProviderDeps>): SharedTokenProvider;
  metrics: TokenMetricName[];
  log: ReturnType<typeof recordingLog>;
  sleeps: number[];
  /** From now on the auth server answers (`token-<n>`) only once the returned function is called. */
  holdAuth(): () => void;
  /** From now on the auth server rejects (401) calls made with `secret` and answers the others (`token-<n>`). */
  rejectSecret(secret: string): void;
  /** A token `p` hands out, the background refresh that may have started let finish, and the token it hands out next. */
  acrossRefresh(p: SharedTokenProvider): Promise<[string, string]>;
}

export function tokenHarness(store: TokenStore, options: { clientId?: string } = {}): TokenHarness {
  const clientId = options.clientId ?? CLIENT_ID;
  const clock = { t: T0 };
  const auth = fakeAuth(clock);
  const secret = { value: 'secret-1' };
  // Cached like the Secrets Manager source: `get` answers the last read, only `reload` sees a rotation.
  let cached: string | undefined;
  const credentials = {
    describe: 'test credentials',
    gets: 0,
    reloads: 0,
    get: async () => {
      credentials.gets++;
      cached ??= secret.value;
      return { clientId, clientSecret: cached };
    },
    reload: async () => {
      credentials.reloads++;
      cached = secret.value;
      return { clientId, clientSecret: cached };
    },
  };
  const metrics: TokenMetricName[] = [];
  const log = recordingLog();
  const sleeps: number[] = [];
  const holdAuth = () => {
    const answer = gate();
    auth.behaviour = async (call) => {
      await answer.opened;
      return { accessToken: `token-${call}`, expiresAt: clock.t + auth.lifetimeMs };
    };
    return answer.open;
  };
  const rejectSecret = (rejected: string) => {
    auth.behaviour = async (call, credentials) => {
      if (credentials.clientSecret === rejected) throw new AuthCallError({ kind: 'rejected', status: 401 });
      return { accessToken: `token-${call}`, expiresAt: clock.t + auth.lifetimeMs };
    };
  };
  return {
    holdAuth,
    rejectSecret,
    async acrossRefresh(p) {
      const first = await p.getToken();
      await p.settle();
      return [first, await p.getToken()];
    },
    clock,
    store,
    auth,
    secret,
    credentials,
    metrics,
    log,
    sleeps,
    provider: (tuning = {}, deps = {}) =>
      new SharedTokenProvider({
        credentials,
        oauth: OAUTH,
        store,
        requestToken: auth.fn,
        now: () => clock.t,
        // Waiting advances the fake clock, then yields so that other instances progress.
        sleep: async (ms) => {
          sleeps.push(ms);
          clock.t += ms;
          await new Promise((resolve) => setTimeout(resolve, 1));
        },
        log,
        metrics: { count: (name) => metrics.push(name) },
        tuning,
        ...deps,
      }),
  };
}

/** Starts dynalite for the file; the getter answers it inside tests and hooks. */
export function useDynalite(): () => EmbeddedDynamo {
  let db: EmbeddedDynamo | undefined;
  beforeAll(async () => {
    db = await startDynalite();
  });
  afterAll(async () => {
    await db?.close();
  });
  return () => {
    if (!db) throw new Error('dynalite is not started yet');
    return db;
  };
}

/** A memory store that counts reads; `scope: 'fleet'` lets it play the fleet's store in unit tests. */
export function countingStore(scope: TokenStore['scope'] = 'container'): TokenStore & { reads: number } {
  const inner = memoryTokenStore();
  const store = {
    ...inner,
    scope,
    reads: 0,
    read: (key: string) => {
      store.reads++;
      return inner.read(key);
    },
  };
  return store;
}

/** `owner` takes the lease on the fleet's token at T0 for `leaseMs` (and never refreshes: a busy or dead holder). */
export function leaseTakenBy(store: TokenStore, owner: string, leaseMs: number): Promise<Lease | undefined> {
  return store.tryLease(KEY, {
    owner,
    now: T0,
    leaseMs,
    refreshBefore: T0,
    fingerprint: 'x',
    lastAuthBefore: T0,
  });
}

/** A harness over the DynamoDB store on a fresh table. */
export async function dynamoHarness(db: EmbeddedDynamo): Promise<TokenHarness> {
  return tokenHarness(dynamoTokenStore(db.client, await db.createTable()));
}

/**
 * Dynalite for the file and, before each test, a harness over the DynamoDB store on a fresh table; the
 * getter answers the current test's harness.
 */
export function useDynamoHarness(): () => TokenHarness {
  const db = useDynalite();
  let h: TokenHarness | undefined;
  beforeEach(async () => {
    h = await dynamoHarness(db());
  });
  return () => {
    if (!h) throw new Error('the token harness is made before each test');
    return h;
  };
}

/** A promise a test releases by hand (an auth answer held back). */
export function gate(): { opened: Promise<void>; open(): void } {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** What the promise settled with: its value or its error. */
export function settled<T>(promise: Promise<T>): Promise<T | unknown> {
  return promise.catch((error: unknown) => error);
}

/** An error named as the AWS SDK names a DynamoDB failure (`ThrottlingException`, `InternalServerError`…). */
export function storeError(name: string): Error {
  const err = new Error(`${name} happened`);
  err.name = name;
  return err;
}

/** The fleet's store (memory rules), with some operations replaced. */
export function fleetWith(overrides: Partial<TokenStore> = {}): TokenStore {
  return { ...memoryTokenStore(), scope: 'fleet', ...overrides };
}
