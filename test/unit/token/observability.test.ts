// What an operator sees of the token provider: the metrics it counts and the lines it logs on each path,
// including the store calls that fail behind a path that still works (a fake store at the port this file
// owns), and the figures the wait-timeout message states. Never a token or a secret.
import { describe, expect, it } from 'vitest';
import type { TokenError } from '#lib/token/errors.ts';
import { memoryTokenStore } from '#lib/token/memory-store.ts';
import { AuthCallError, type IssuedToken } from '#lib/token/oauth.ts';
import * as harness from '#test/helpers/token/harness.ts';

const messages = (h: ReturnType<typeof harness.tokenHarness>, level: string) =>
  h.log.lines.filter((l) => l.level === level).map((l) => l.message);

describe('metrics and logs', () => {
  it('an auth call, then memory: counted by origin, the request logged with the token URL only', async () => {
    // Prepare
    const h = harness.tokenHarness(harness.fleetWith());
    const p = h.provider();
    // Act
    await p.getToken();
    await p.getToken();
    // Assess
    expect(h.metrics).toEqual(['AuthCalls', 'TokenFromAuth', 'TokenFromMemory']);
    expect(p.stats).toMatchObject({ authCalls: 1, auth: 1, memory: 1 });
    expect(h.log.lines).toContainEqual({
      level: 'info',
      message: 'token requested from auth server',
      data: { tokenUrl: 'http://auth.invalid/oauth/token' },
    });
  });

  it('each kind of auth failure has its counter and metric', async () => {
    // Prepare
    const warnings: string[] = [];
    const metrics: string[] = [];
    const failures = [
      new AuthCallError({ kind: 'rate-limited', status: 429 }),
      new AuthCallError({ kind: 'unavailable', detail: 'HTTP 503', status: 503 }),
      new AuthCallError({ kind: 'rejected', status: 401 }),
    ];
    // Act: three containers, one failure each.
    for (const failure of failures) {
      const h = harness.tokenHarness(memoryTokenStore());
      h.auth.behaviour = async () => {
        throw failure;
      };
      const p = h.provider();
      await harness.settled(p.getToken());
      // Assess
      expect(p.stats).toMatchObject({
        blocked: failure.failure.kind === 'rate-limited' ? 1 : 0,
        unavailable: failure.failure.kind === 'unavailable' ? 1 : 0,
        rejected: failure.failure.kind === 'rejected' ? 1 : 0,
      });
      metrics.push(...h.metrics);
      warnings.push(...messages(h, 'warn'));
    }
    expect(metrics.filter((m) => m.startsWith('Auth') && m !== 'AuthCalls')).toEqual([
      'AuthRateLimited',
      'AuthUnavailable',
      'AuthRejected',
    ]);
    expect(warnings.filter((m) => m === 'auth server refused a token')).toHaveLength(3);
  });

  it('a wait for another instance is counted, and the lease taken over from a dead holder is reported', async () => {
    // Prepare: a holder took the lease and never came back.
    const store = harness.fleetWith();
    await harness.leaseTakenBy(store, 'dead', 6_000);
    const h = harness.tokenHarness(store);
    const p = h.provider({ leaseMs: 6_000, maxWaitMs: 20_000, minAuthIntervalMs: 0 });
    // Act
    await p.getToken();
    // Assess
    expect(p.stats.waits).toBeGreaterThan(0);
    expect(h.metrics.filter((m) => m === 'TokenWaits')).toHaveLength(p.stats.waits);
    expect(p.stats.takeovers).toBe(1);
    expect(h.metrics).toContain('LeaseTakeovers');
    const takeover = h.log.lines.find((l) => l.message === 'token lease taken over');
    expect(takeover?.level).toBe('warn');
    expect(takeover?.data).toEqual({ expiredLeaseAgoMs: h.clock.t - (harness.T0 + 6_000) });
  });

  it('invalidations: counted, the first logged as done, one within the interval as refused', async () => {
    // Prepare
    const h = harness.tokenHarness(harness.fleetWith());
    const p = h.provider({ invalidationIntervalMs: 30_000, minAuthIntervalMs: 0 });
    // Act
    await p.invalidate(await p.getToken());
    await p.invalidate(await p.getToken());
    await p.invalidate('never-handed-out');
    // Assess
    expect(p.stats.invalidations).toBe(3);
    expect(h.metrics.filter((m) => m === 'TokenInvalidations')).toHaveLength(3);
    expect(h.log.lines).toContainEqual({ level: 'info', message: 'token invalidated', data: { version: 1 } });
    expect(h.log.lines).toContainEqual({
      level: 'warn',
      message: 'token not invalidated: already replaced, or another was invalidated moments ago',
      data: { version: 2, minIntervalMs: 30_000 },
    });
  });

  it('an invalidation the store cannot record is logged, and the container still drops the token', async () => {
    // Prepare
    const h = harness.tokenHarness(
      harness.fleetWith({
        invalidate: async () => {
          throw harness.storeError('InternalServerError');
        },
      }),
    );
    const p = h.provider({ minAuthIntervalMs: 0 });
    const token = await p.getToken();
    // Act
    await p.invalidate(token);
    // Assess
    expect(h.log.lines).toContainEqual({
      level: 'warn',
      message: 'token invalidation not shared',
      data: { error: 'InternalServerError: InternalServerError happened' },
    });
  });

  it('store calls that fail behind a working path are logged, never thrown', async () => {
    // Prepare: publishing and recording failures fail; the lease works.
    const broken = async (): Promise<never> => {
      throw harness.storeError('InternalServerError');
    };
    const h = harness.tokenHarness(
      harness.fleetWith({ publish: broken, recordBlocked: broken, recordRejected: broken }),
    );
    const p = h.provider({ storeRetryMs: 0 });
    // Act
    const token = await p.getToken();
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rate-limited', status: 429 });
    };
    await p.invalidate(token);
    h.clock.t += 2_000;
    const blocked = await harness.settled(p.getToken());
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rejected', status: 401 });
    };
    const q = h.provider();
    h.clock.t += 60_000;
    const rejected = await harness.settled(q.getToken());
    // Assess
    expect(token).toBe('token-1');
    expect((blocked as TokenError).code).toBe('auth-blocked');
    expect((rejected as TokenError).code).toBe('credentials-rejected');
    expect(messages(h, 'warn')).toEqual(
      expect.arrayContaining([
        'token not shared: the state table is unavailable',
        'could not share the auth block',
        'could not share the credentials rejection',
      ]),
    );
    const notShared = h.log.lines.find(
      (l) => l.message === 'token not shared: the state table is unavailable',
    );
    expect(notShared?.data).toEqual({ error: 'InternalServerError: InternalServerError happened' });
  });

  it('a lease lost before publishing keeps the token in this container, and says so', async () => {
    // Prepare
    const h = harness.tokenHarness(harness.fleetWith({ publish: async () => undefined }));
    const p = h.provider();
    // Act
    const token = await p.getToken();
    const again = await p.getToken();
    // Assess
    expect([token, again]).toEqual(['token-1', 'token-1']);
    expect(messages(h, 'warn')).toContain(
      'token lease lost before publishing; token kept in this container only',
    );
  });

  it('a store that stays down: retries counted, then the error logged and counted; local-auth warns', async () => {
    // Prepare: a store that is throttled three times, then down for good.
    let calls = 0;
    const store = harness.fleetWith({
      read: async () => {
        calls++;
        throw harness.storeError(calls <= 3 ? 'ThrottlingException' : 'ResourceNotFoundException');
      },
    });
    const h = harness.tokenHarness(store);
    const failing = h.provider({ storeRetryMs: 10_000 });
    // Act
    const err = await harness.settled(failing.getToken());
    const local = h.provider({ storeUnavailable: 'local-auth', storeRetryMs: 0 });
    const token = await local.getToken();
    // Assess
    expect((err as TokenError).code).toBe('store-unavailable');
    expect(failing.stats).toMatchObject({ storeRetries: 3, storeFailures: 1, fallbacks: 0 });
    expect(h.log.lines.filter((l) => l.message === 'token store call failed; retrying')).toHaveLength(3);
    expect(h.log.lines).toContainEqual({
      level: 'error',
      message: 'token store unavailable; not asking the auth server',
      data: { error: (err as TokenError).message },
    });
    expect(token).toBe('token-1');
    expect(local.stats).toMatchObject({ fallbacks: 1, storeFailures: 0 });
    expect(h.log.lines).toContainEqual({
      level: 'warn',
      message: 'shared token cache unavailable; falling back to this container',
      data: { error: 'ResourceNotFoundException: ResourceNotFoundException happened' },
    });
    expect(h.metrics.filter((m) => m === 'SharedCacheUnavailable')).toHaveLength(2);
  });

  it('a late answer is logged as used; one the store cannot keep is logged as not shared', async () => {
    // Prepare: the auth call times out, its answer comes a moment later; the store refuses it.
    let deliver: (token: IssuedToken) => void = () => {};
    const late = new Promise<IssuedToken>((resolve) => {
      deliver = resolve;
    });
    const h = harness.tokenHarness({
      ...memoryTokenStore(),
      publishLate: async () => {
        throw harness.storeError('InternalServerError');
      },
    });
    h.auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'unavailable', detail: 'timed out' }, { late });
    };
    const p = h.provider({ authLateMs: 4_000 });
    const err = await harness.settled(p.getToken());
    // Act
    deliver({ accessToken: 'token-late', expiresAt: h.clock.t + 300_000 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const token = await p.getToken();
    // Assess
    expect((err as TokenError).retryAt).toBe(harness.T0 + 4_000);
    expect(token).toBe('token-late');
    expect(messages(h, 'info')).toContain('a timed-out token request was answered late; its token is used');
    expect(messages(h, 'warn')).toContain('late token not shared');
  });

  it('the wait-timeout message states the wait and the budget, in seconds', async () => {
    // Prepare: a live lease held by somebody else; 5 s of budget.
    const store = harness.fleetWith();
    await harness.leaseTakenBy(store, 'other', 60_000);
    const h = harness.tokenHarness(store);
    const p = h.provider({ maxWaitMs: 5_000, pollInitialMs: 100, pollMaxMs: 400 });
    // Act
    const err = (await harness.settled(p.getToken())) as TokenError;
    // Assess
    expect(err.code).toBe('wait-timeout');
    const [, waited, budget] =
      /after waiting ([\d.]+) s \(the wait budget: ([\d.]+) s\)/.exec(err.message) ?? [];
    expect(Number(budget)).toBe(5);
    expect(Number(waited)).toBeCloseTo((h.clock.t - harness.T0) / 1000, 1);
    expect(h.clock.t - harness.T0).toBeLessThanOrEqual(5_000);
    expect(h.clock.t - harness.T0).toBeGreaterThan(4_600);
    expect(err.message).toMatch(/another instance holds the refresh lease$/);
    // Polls double from 100 ms to the 400 ms cap, each half fixed and half random.
    expect(Math.max(...h.sleeps)).toBeLessThanOrEqual(400);
    expect(Math.min(...h.sleeps)).toBeGreaterThanOrEqual(50);
  });
});
