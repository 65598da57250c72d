// The token provider when the auth server fails (dynalite for the shared item, the auth call replaced at
// its boundary): a late answer after a timeout, outages and the shared pause, 429s and their backoff, 401s
// and rotated secrets, tokens with little life left, and no secret or token in a log line.
import { describe, expect, it } from 'vitest';
import { TokenError } from '#lib/token/errors.ts';
import { AuthCallError, type IssuedToken } from '#lib/token/oauth.ts';
import type { SharedTokenProvider } from '#lib/token/provider.ts';
import { KEY, T0, useDynamoHarness } from '#test/helpers/token/harness.ts';

/** The current test's harness (a fresh table each test). */
const h = useDynamoHarness();

describe('when the auth server fails', () => {
  it('an auth answer arriving after the timeout is published and used by every waiting instance', async () => {
    // Prepare: the holder's auth call times out; its answer (a freshly minted token) arrives a moment later.
    let deliver: () => void = () => {};
    const arrived = new Promise<void>((r) => {
      deliver = r;
    });
    h().auth.behaviour = async () => {
      const late = arrived.then(() => ({ accessToken: 'token-late', expiresAt: h().clock.t + 300_000 }));
      throw new AuthCallError({ kind: 'unavailable', detail: 'timed out' }, { late });
    };
    const instances = Array.from({ length: 10 }, () =>
      h().provider({ maxWaitMs: 120_000, authLateMs: 60_000 }),
    );
    // Act: all ask at once; the late answer arrives once the failure is on record, within everybody's budget.
    const pending = instances.map((p) => p.getToken().catch((e: unknown) => e));
    while ((await h().store.read(KEY)).blockedUntil === undefined) await new Promise((r) => setTimeout(r, 2));
    deliver();
    const answers = await Promise.all(pending);
    // Assess
    expect(answers).toEqual(Array.from({ length: 10 }, () => 'token-late'));
    expect(h().auth.calls).toBe(1);
    expect((await h().store.read(KEY)).token).toBe('token-late');
  });

  it('an auth timeout without a late answer: waiters keep waiting, one instance retries after the shared pause', async () => {
    // Prepare: the first auth call times out for good, the second one works.
    h().auth.behaviour = async (call) => {
      if (call === 1) throw new AuthCallError({ kind: 'unavailable', detail: 'timed out' });
      return { accessToken: `token-${call}`, expiresAt: h().clock.t + 300_000 };
    };
    const instances = Array.from({ length: 10 }, () =>
      h().provider({ maxWaitMs: 60_000, unavailableFloorMs: 2_000 }),
    );
    // Act
    const answers = await Promise.all(instances.map((p) => p.getToken().catch((e: unknown) => e)));
    // Assess: nobody failed while it had budget, and the fleet asked twice in all, not once per instance.
    expect(answers).toEqual(Array.from({ length: 10 }, () => 'token-2'));
    expect(h().auth.calls).toBe(2);
  });

  it('an auth outage longer than the wait budget fails fast with the shared pause, not after waiting', async () => {
    // Prepare: the shared pause after the failure ends after every caller's deadline.
    h().auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'unavailable', status: 503, detail: 'HTTP 503' });
    };
    const instances = Array.from({ length: 5 }, () =>
      h().provider({ maxWaitMs: 3_000, unavailableFloorMs: 10_000 }),
    );
    // Act
    const answers = await Promise.all(instances.map((p) => p.getToken().catch((e: unknown) => e)));
    // Assess
    for (const a of answers) expect((a as TokenError).code).toBe('auth-unavailable');
    expect(h().auth.calls).toBe(1);
  });

  it('after a 429 nobody calls the auth server until the block ends; holders of a valid token carry on', async () => {
    // Prepare: one instance holds a token in its refresh window, the auth server starts answering 429.
    const holder = h().provider({ refreshWindowMs: 60_000, skewMs: 0 });
    await holder.getToken();
    h().clock.t = T0 + 300_000 - 20_000;
    h().auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rate-limited', status: 429, retryAfterMs: 120_000 });
    };
    // Act: the holder's background refresh hits the 429 and records the block.
    expect(await holder.getToken()).toBe('token-1');
    await holder.settle();
    const callsAfterBlock = h().auth.calls;
    h().clock.t += 25_000; // token-1 now expired for everybody
    const cold = Array.from({ length: 20 }, () => h().provider({ skewMs: 0 }));
    const errors = await Promise.all(cold.map((p) => p.getToken().catch((e: unknown) => e)));
    // Assess
    expect(callsAfterBlock).toBe(2);
    expect(h().auth.calls).toBe(2);
    for (const e of errors) {
      expect(e).toBeInstanceOf(TokenError);
      expect((e as TokenError).code).toBe('auth-blocked');
      expect((e as TokenError).retryAt).toBe(T0 + 300_000 - 20_000 + 120_000);
    }
    expect(h().sleeps).toEqual([]);
    // After the block ends, one instance gets a token again.
    h().auth.behaviour = undefined;
    h().clock.t = T0 + 300_000 - 20_000 + 120_001;
    expect(await cold[0]?.getToken()).toBe('token-3');
    expect(h().auth.calls).toBe(3);
  });

  it('backs off exponentially after 429s without Retry-After', async () => {
    // Prepare
    h().auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rate-limited', status: 429 });
    };
    const p = h().provider({ blockFloorMs: 10_000 });
    // Act
    const first = (await p.getToken().catch((e: unknown) => e)) as TokenError;
    h().clock.t = first.retryAt ?? 0;
    const second = (await p.getToken().catch((e: unknown) => e)) as TokenError;
    // Assess
    expect(first.retryAt).toBe(T0 + 10_000);
    expect(second.retryAt).toBe(T0 + 10_000 + 20_000);
    expect(h().auth.calls).toBe(2);
  });

  it('a short Retry-After on repeated 429s does not stop the backoff from growing', async () => {
    // Prepare: the auth server keeps answering 429 with "Retry-After: 1" (never rely on the header).
    h().auth.behaviour = async () => {
      throw new AuthCallError({ kind: 'rate-limited', status: 429, retryAfterMs: 1_000 });
    };
    const p = h().provider({ blockFloorMs: 10_000 });
    // Act
    const retryAts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const err = (await p.getToken().catch((e: unknown) => e)) as TokenError;
      retryAts.push(err.retryAt ?? 0);
      h().clock.t = err.retryAt ?? h().clock.t;
    }
    // Assess: 10 s, then 20 s, then 40 s; the hint is a minimum, not a replacement for the backoff.
    expect(retryAts).toEqual([T0 + 10_000, T0 + 30_000, T0 + 70_000]);
    expect(h().auth.calls).toBe(3);
  });

  // When the Console rejects every token (a wrong CAMUNDA_CONSOLE_OAUTH_AUDIENCE, or a client the Console
  // revoked while the auth server still issues tokens), each Console call would invalidate the shared token
  // and the next would fetch a new one: the whole IP's auth budget for as long as jobs run. Shared
  // invalidations are capped at one per `invalidationIntervalMs` (30 s) per credential.

  it('after a 401 no instance tries the same secret again; a changed secret is tried once', async () => {
    // Prepare
    h().auth.behaviour = async (_call, credentials) => {
      if (credentials.clientSecret === 'secret-1') throw new AuthCallError({ kind: 'rejected', status: 401 });
      return { accessToken: 'token-new', expiresAt: h().clock.t + 300_000 };
    };
    // Act
    const firstError = await h()
      .provider()
      .getToken()
      .catch((e: unknown) => e);
    const later = await Promise.all(
      Array.from({ length: 20 }, () =>
        h()
          .provider()
          .getToken()
          .catch((e: unknown) => e),
      ),
    );
    // Assess
    expect(h().auth.calls).toBe(1);
    expect(firstError).toBeInstanceOf(TokenError);
    expect((firstError as TokenError).code).toBe('credentials-rejected');
    expect((firstError as TokenError).message).toMatch(
      /client id 'client-a'.*Fix the credentials in test credentials/,
    );
    for (const e of later) expect((e as TokenError).code).toBe('credentials-rejected');
    expect(h().sleeps).toEqual([]);
    // The secret is rotated: a fresh container tries the new one, once.
    h().secret.value = 'secret-2';
    h().clock.t += 1_200;
    const tokens = await Promise.all(Array.from({ length: 5 }, () => h().provider().getToken()));
    expect(new Set(tokens)).toEqual(new Set(['token-new']));
    expect(h().auth.calls).toBe(2);
  });

  it('never logs the token or the secret', async () => {
    // Prepare
    h().auth.behaviour = async (call) => {
      if (call === 1) throw new AuthCallError({ kind: 'rejected', status: 401 });
      return { accessToken: 'eyJhbGciOi.secret-token-value.sig', expiresAt: h().clock.t + 300_000 };
    };
    // Act
    await h()
      .provider()
      .getToken()
      .catch(() => undefined);
    h().secret.value = 'secret-2';
    h().clock.t += 2_000;
    const p = h().provider();
    const token = await p.getToken();
    await p.invalidate(token);
    // Assess
    const logged = JSON.stringify(h().log.lines);
    expect(h().log.lines.length).toBeGreaterThan(2);
    expect(logged).not.toContain('secret-token-value');
    expect(logged).not.toContain('secret-1');
    expect(logged).not.toContain('secret-2');
  });
});

describe('tokens handed out with little life left', () => {
  /** Five warm instances, each asked for a token once a second; returns what they got. */
  async function runFleet(instances: SharedTokenProvider[], seconds: number): Promise<unknown[]> {
    const answers: unknown[] = [];
    for (let s = 0; s < seconds; s++) {
      for (const p of instances) answers.push(await p.getToken().catch((e: unknown) => e));
      await Promise.all(instances.map((p) => p.settle()));
      h().clock.t += 1_000;
    }
    return answers;
  }

  it('a token whose whole life is shorter than the refresh window is refreshed at half-life, not every second', async () => {
    // Prepare: 80 s tokens, 30 s skew margin: 50 s usable, inside the 60 s refresh window as issued.
    h().auth.lifetimeMs = 80_000;
    const instances = Array.from({ length: 5 }, () =>
      h().provider({ skewMs: 30_000, refreshWindowMs: 60_000 }),
    );
    // Act
    const answers = await runFleet(instances, 120);
    // Assess: one refresh about every 25 s (5 in 120 s), never one per second; nobody waited or failed.
    expect(answers.filter((a) => typeof a !== 'string')).toEqual([]);
    expect(h().auth.calls).toBeLessThanOrEqual(6);
    expect(h().sleeps).toEqual([]);
  });

  it('a cached token handed back part-way through its life keeps the fleet served with few auth calls', async () => {
    // Prepare: an auth server like Camunda's that hands back its cached token while it has ≥ 1 s left.
    let cached: IssuedToken | undefined;
    h().auth.behaviour = async (call) => {
      if (cached && cached.expiresAt - h().clock.t >= 1_000) return cached;
      cached = { accessToken: `token-${call}`, expiresAt: h().clock.t + 300_000 };
      return cached;
    };
    const instances = Array.from({ length: 5 }, () =>
      h().provider({ skewMs: 30_000, refreshWindowMs: 60_000 }),
    );
    // Act: past the end of the first token's life.
    const answers = await runFleet(instances, 400);
    // Assess: no caller ever went without a token (inside the skew margin the cached token is still
    // usable for part of what is left), and the refreshes ahead of expiry thin out instead of hammering.
    expect(answers.filter((a) => typeof a !== 'string')).toEqual([]);
    expect(h().auth.calls).toBeLessThanOrEqual(15);
    expect(new Set(answers)).toEqual(new Set(['token-1', expect.stringMatching(/^token-\d+$/)]));
  });

  it('a token that expires almost at once is reported as a bad answer, not as an auth server outage', async () => {
    // Prepare
    h().auth.behaviour = async () => ({ accessToken: 'nearly-dead', expiresAt: h().clock.t + 500 });
    // Act
    const err = await h()
      .provider()
      .getToken()
      .catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).code).toBe('auth-bad-response');
    expect((err as TokenError).message).not.toMatch(/failed to answer/);
  });
});
