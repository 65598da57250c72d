// Secrets under hostile answers: the Console echoes the bearer token and the client secret in its error
// bodies, the auth server rejects the credentials, runs fail. The errors (ConsoleApiError with its cause,
// TokenError, RunFailedError and its summary), the log lines, stdout/stderr and the result events carry no
// token, no client secret, no webhook secret and no authorization header. The scanner itself is checked
// first: it must find what is planted, or a clean scan would prove nothing.
import { describe, expect, it } from 'vitest';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { RunFailedError } from '#lib/jobs/types.ts';
import { TokenError } from '#lib/token/errors.ts';
import { tokenProviderFromEnv } from '#lib/token/from-env.ts';
import { LOCAL_WEBHOOK_SECRET, schedulerEvent } from '#local/env.ts';
import { decodeJwt } from '#local/sim/index.ts';
import { faultSuite } from '#test/helpers/fault-suite.ts';
import type { FaultEnv } from '#test/helpers/faults.ts';
import { reportRow } from '#test/helpers/faults-report.ts';
import { describeError, LeakScanner } from '#test/helpers/faults-secrets.ts';

const { scanner, start } = faultSuite();

/** A first run, so that the container holds a token the Console can then echo back. */
async function warmed(): Promise<{ e: FaultEnv; token: string }> {
  const e = await start();
  await e.invoke('allowlist-sync', schedulerEvent('allowlist-sync', 'sync', '2026-11-27T01:00:00Z'));
  const [token] = [...e.issuedTokens];
  if (!token) throw new Error('no token issued');
  // The captured token is the simulator's JWT for this client.
  expect(decodeJwt(token).sub).toBe(e.credentials.clientId);
  return { e, token };
}

describe('secrets', () => {
  it('the scanner finds a planted token, client secret, webhook secret and authorization header', () => {
    // Prepare
    const probe = new LeakScanner();
    probe.addSecret('planted-client-secret-0123456789');
    probe.addSecret(LOCAL_WEBHOOK_SECRET);
    // Act
    probe.addText('log', 'calling with client_secret planted-client-secret-0123456789');
    probe.addText('answer', `{"secret":"${LOCAL_WEBHOOK_SECRET}"}`);
    probe.addValue(
      'error',
      new Error('failed', { cause: new Error('headers: authorization: Bearer abcdefgh12345') }),
    );
    probe.addText('stdout', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl');
    // Assess
    expect(probe.findings().map((f) => f.where)).toEqual(['log', 'answer', 'error', 'error', 'stdout']);
  });

  it('a Console that echoes the bearer token in its error answers (header, JSON field, bare) does not leak it', async () => {
    // Prepare: every Console answer is a 500 quoting the request's credentials back (the Console never sees
    // the client secret, only the token).
    const { e, token } = await warmed();
    const echo = `upstream rejected Authorization: Bearer ${token} {"access_token":"${token}"} token=${token} ${token}`;
    e.sim.faults.add({ route: '*', kind: 'status', status: 500, body: echo });
    // Act
    const direct = await e.container.console.listClusters().catch((err: unknown) => err);
    const run = await e.invoke('backup', schedulerEvent('backup', 'run', '2026-11-27T02:00:00Z'));
    scanner.addValue('console error', direct);
    // Assess
    expect(direct).toBeInstanceOf(ConsoleApiError);
    const text = describeError(direct);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(token);
    expect(run.error).toBeInstanceOf(RunFailedError);
    expect(describeError(run.error)).not.toContain(token);
    expect(JSON.stringify(e.events.events)).not.toContain(token);
    reportRow({
      group: 'secrets',
      row: 'Console echoes the bearer token',
      cases: 2,
      faults: 2,
      duplicates: 0,
      losses: 0,
    });
  });

  it('rejected credentials, and an auth server echoing the secret: TokenErrors name the client id, never the secret', async () => {
    // Prepare
    const e = await start();
    const wrong = `wrong-secret-${e.credentials.clientSecret.slice(-12)}`;
    scanner.addSecret(wrong);
    const provider = tokenProviderFromEnv({
      env: { ...e.env, STATE_TABLE_NAME: undefined, CAMUNDA_CONSOLE_CLIENT_SECRET: wrong },
      log: e.log,
    });
    const right = tokenProviderFromEnv({ env: { ...e.env, STATE_TABLE_NAME: undefined }, log: e.log });
    // Act
    const err = await provider.getToken().catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    e.sim.faults.add({
      route: 'oauth',
      kind: 'status',
      status: 500,
      body: `{"error":"server_error","error_description":"could not check client_secret=${e.credentials.clientSecret}"}`,
    });
    const echoed = await right.getToken().catch((error: unknown) => error);
    scanner.addValue('token error', err);
    scanner.addValue('token error', echoed);
    // Assess
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).code).toBe('credentials-rejected');
    expect((err as TokenError).message).toContain(e.credentials.clientId);
    expect(describeError(err)).not.toContain(wrong);
    expect(echoed).toBeInstanceOf(TokenError);
    expect((echoed as TokenError).code).toBe('auth-unavailable');
    expect(describeError(echoed)).not.toContain(e.credentials.clientSecret);
    reportRow({
      group: 'secrets',
      row: 'rejected credentials, auth server echo',
      cases: 2,
      faults: 2,
      duplicates: 0,
      losses: 0,
    });
  });

  it('leaks no token, client secret or webhook secret into logs, output, errors, events or answers', () => {
    // Act
    scanner.stopOutput();
    // Assess
    expect(scanner.secretCount).toBeGreaterThan(4);
    expect(scanner.textCount).toBeGreaterThan(5);
    expect(scanner.findings()).toEqual([]);
  });
});
