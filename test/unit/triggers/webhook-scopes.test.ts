import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JOB_ACTIONS } from '#lib/jobs/types.ts';
import { normalizeTrigger, type SenderSecrets } from '#lib/triggers/normalize.ts';
import {
  KEEP_ALIVE_BODY,
  ROUTES,
  rejectedWith,
  setup,
  signed,
  signedFor,
} from '#test/unit/triggers/webhook-harness.ts';
import { SECRET_NEW, SECRET_OLD, SECRET_OTHER } from './fixtures.ts';

describe('webhook: sender scopes', () => {
  const SENDERS: SenderSecrets[] = [
    { sender: 'chat-bot', secrets: [SECRET_OLD] },
    { sender: 'network', secrets: [SECRET_NEW] },
  ];
  const SCOPES = { 'chat-bot': ['teardown.keep-alive'], network: ['allowlist-sync.set-source'] };

  it('runs a request whose route is in the scope of the sender whose secret signed it, naming the sender', async () => {
    // Prepare
    const { opts } = setup({ senders: SENDERS, scopes: SCOPES });
    // Act
    const result = await normalizeTrigger(signed(KEEP_ALIVE_BODY, { secret: SECRET_OLD }), opts);
    // Assess
    expect(result).toMatchObject({ kind: 'run', delivery: { sender: 'chat-bot' } });
  });

  it('answers 403 naming the sender and the route when the route is outside its scope', async () => {
    // Prepare: the network team's secret, a keep-alive route.
    const { opts } = setup({ senders: SENDERS, scopes: SCOPES });
    // Act
    const result = await normalizeTrigger(signed(KEEP_ALIVE_BODY, { secret: SECRET_NEW }), opts);
    // Assess
    expect(rejectedWith(result)).toEqual({
      status: 403,
      error: 'forbidden',
      message: "webhook sender 'network' may not call teardown.keep-alive",
    });
  });

  it('checks the signature before the scope, and the scope before the content-type and the body', async () => {
    // Prepare
    const { opts } = setup({ senders: SENDERS, scopes: SCOPES });
    const forged = signed(KEEP_ALIVE_BODY, { secret: SECRET_OTHER });
    const outOfScope = signed('not json', { secret: SECRET_NEW, headers: { 'content-type': 'text/plain' } });
    // Act
    const statuses = [
      rejectedWith(await normalizeTrigger(forged, opts)).status,
      rejectedWith(await normalizeTrigger(outOfScope, opts)).status,
    ];
    // Assess
    expect(statuses).toEqual([401, 403]);
  });

  it('a sender with no scope entry may call nothing', async () => {
    // Prepare: a secret exists for 'ghost' but the policy gives it no routes.
    const { opts } = setup({ senders: [{ sender: 'ghost', secrets: [SECRET_NEW] }], scopes: {} });
    // Act
    const result = await normalizeTrigger(signed(KEEP_ALIVE_BODY), opts);
    // Assess
    expect(rejectedWith(result)).toMatchObject({
      status: 403,
      message: "webhook sender 'ghost' may not call teardown.keep-alive",
    });
  });

  it.each([
    ['the previous secret', SECRET_OLD],
    ['the current secret', SECRET_NEW],
  ])("keeps a sender's scope while it rotates: %s verifies and is scoped alike", async (_name, secret) => {
    // Prepare
    const { opts } = setup({
      senders: [{ sender: 'chat-bot', secrets: [SECRET_NEW, SECRET_OLD] }],
      scopes: { 'chat-bot': ['teardown.keep-alive'] },
    });
    // Act
    const keepAlive = await normalizeTrigger(signed(KEEP_ALIVE_BODY, { secret }), opts);
    const teardown = await normalizeTrigger(signedFor('teardown.run', '{}', secret), opts);
    // Assess
    expect(keepAlive).toMatchObject({ kind: 'run', delivery: { sender: 'chat-bot' } });
    expect(rejectedWith(teardown).status).toBe(403);
  });

  it("property: a signed request runs exactly when its route is in the signing sender's scope", async () => {
    // Prepare: random scopes for two senders, a random route of this function's job, a random signer.
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    const scope = fc.oneof(
      { weight: 1, arbitrary: fc.constant<string[]>(['*']) },
      { weight: 6, arbitrary: fc.subarray([...ROUTES]) },
    );
    // Act / Assess
    await fc.assert(
      fc.asyncProperty(
        scope,
        scope,
        fc.constantFrom(...JOB_ACTIONS.teardown),
        fc.constantFrom(0, 1),
        async (scopeA, scopeB, action, signer) => {
          const { opts } = setup({
            senders: [
              { sender: 'a', secrets: [SECRET_OLD] },
              { sender: 'b', secrets: [SECRET_NEW] },
            ],
            scopes: { a: scopeA, b: scopeB },
          });
          const route = `teardown.${action}`;
          const granted = [scopeA, scopeB][signer] ?? [];
          const body = action === 'keep-alive' ? KEEP_ALIVE_BODY : '{}';
          const result = await normalizeTrigger(
            signedFor(route, body, [SECRET_OLD, SECRET_NEW][signer] ?? ''),
            opts,
          );
          const allowed = granted.includes('*') || granted.includes(route);
          if (allowed) expect(result.kind).toBe('run');
          else expect(rejectedWith(result).status).toBe(403);
        },
      ),
      { numRuns: 300, seed },
    );
  });
});
