// Bad input at the webhook entry point, property-based: the real handlers (middleware, composition root,
// dynalite, simulator) get generated requests — paths, methods, headers in any case, signatures right and
// wrong, timestamps, sizes, base64 and UTF-8 bodies, JSON and not. Every answer is one of the documented
// statuses (never a 5xx or a thrown error), the status is the one the documented order of checks predicts,
// and a rejected request changes nothing: no state-store call, no Console or auth request, no event.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobName } from '#lib/jobs/types.ts';
import { type Container, setContainer } from '#lib/runtime/container.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { LOCAL_KEEP_ALIVE_SECRET, LOCAL_WEBHOOK_SECRET, lambdaContext } from '#local/env.ts';
import { type FaultEnv, HANDLERS, startFaultEnv } from '#test/helpers/faults.ts';
import { reportRow } from '#test/helpers/faults-report.ts';
import { LeakScanner } from '#test/helpers/faults-secrets.ts';
import {
  buildWebhookRequest,
  JOBS,
  MAX_BODY,
  TOLERANCE,
  webhookRequestSpec,
} from '#test/integration/faults/webhook-requests.ts';

const ALLOWED = [202, 400, 401, 403, 404, 405, 409, 413, 415, 422];
const STRUCTURED_RUNS = 8_000;
const RAW_RUNS = 2_500;

const scanner = new LeakScanner();
let env: FaultEnv;
/** Calls to every port of the installed container, by `port.method`. */
const calls = new Map<string, number>();
/**
 * The ledger read that comes before a check which calls the Console (so a store outage fails before any Console
 * or auth call) is the one port call a refused request may make: a read changes nothing.
 */
const READ_BEFORE_CHECKS = 'ledger.get';
const totalCalls = () =>
  [...calls].reduce((sum, [key, count]) => (key === READ_BEFORE_CHECKS ? sum : sum + count), 0);
const ledgerReads = () => calls.get(READ_BEFORE_CHECKS) ?? 0;

function counting<T extends object>(target: T, name: string): T {
  return new Proxy(target, {
    get(t, property, receiver) {
      const value = Reflect.get(t, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const key = `${name}.${String(property)}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
        return value.apply(t, args);
      };
    },
  });
}

beforeAll(async () => {
  env = await startFaultEnv({
    scanner,
    sim: { seed: 'empty' },
    config: {
      webhooks: { maxBodyBytes: MAX_BODY, toleranceSeconds: TOLERANCE },
      backup: { dryRun: true },
      teardown: { dryRun: true },
      allowlist: { dryRun: true },
    },
  });
  const c = env.container;
  const watched: Container = {
    ...c,
    console: counting(c.console, 'console'),
    ledger: counting(c.ledger, 'ledger'),
    claims: counting(c.claims, 'claims'),
    keepAlives: counting(c.keepAlives, 'keepAlives'),
    snapshots: counting(c.snapshots, 'snapshots'),
    allowlistSources: counting(c.allowlistSources, 'allowlistSources'),
    backupTracking: counting(c.backupTracking, 'backupTracking'),
    events: counting(c.events, 'events'),
    tokens: counting(c.tokens, 'tokens'),
  };
  setContainer(watched);
  scanner.captureOutput();
});
afterAll(async () => {
  scanner.stopOutput();
  await env.close();
});

/** One request through the real handler; asserts the answer and, when refused, that nothing happened. */
async function check(
  event: unknown,
  job: JobName,
  expected: readonly number[],
  signature?: string,
): Promise<number> {
  const readsBefore = ledgerReads();
  const before = {
    calls: totalCalls(),
    console: env.sim.stats.console.requests,
    auth: env.sim.stats.auth.requests,
    events: env.events.events.length,
  };
  const table = expected.includes(409) ? await tableItems() : undefined;
  const answer = (await HANDLERS[job](event, lambdaContext(job))) as WebhookResponse;
  expect(ALLOWED).toContain(answer.statusCode);
  expect(expected).toContain(answer.statusCode);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  if (signature && signature.length >= 8) expect(answer.body).not.toContain(signature);
  if (answer.statusCode === 409) {
    // The ledger (and a keep-alive's read of the cluster list) was consulted; nothing was written.
    scanner.addText('webhook answer', answer.body);
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect(body.message).toMatch(/^webhook-id '.+' was already used for [a-z-]+\.[a-z-]+/);
    expect(await tableItems()).toBe(table);
    expect(env.events.events.length).toBe(before.events);
    expect(env.sim.stats.auth.requests).toBe(before.auth);
  } else if (answer.statusCode !== 202) {
    scanner.addText('webhook answer', answer.body);
    expect(Object.keys(body).sort()).toEqual(['error', 'message']);
    expect({
      calls: totalCalls(),
      console: env.sim.stats.console.requests,
      auth: env.sim.stats.auth.requests,
      events: env.events.events.length,
    }).toEqual(before);
    expect(ledgerReads() - readsBefore).toBeLessThanOrEqual(1);
  }
  return answer.statusCode;
}

async function tableItems(): Promise<string> {
  const out = await env.db.client.send(new ScanCommand({ TableName: env.tableName, ConsistentRead: true }));
  return JSON.stringify((out.Items ?? []).map((i) => JSON.stringify(i)).sort());
}

describe('webhook entry point, generated input', () => {
  it(`answers every one of ${STRUCTURED_RUNS} generated requests with the status the order of checks predicts, and a refused one changes nothing`, {
    timeout: 240_000,
  }, async () => {
    // Prepare
    const byStatus = new Map<number, number>();
    /** Requests answered 202: their webhook-id, route and body bytes (reused by `reuse` specs). */
    const accepted: Array<{ id: string; route: string; body: string }> = [];
    const identity = (event: Record<string, unknown>) => {
      const raw = String(event.body);
      const bytes = event.isBase64Encoded === true ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      const m = /\/webhooks\/([^/]+)\/([^/]+)\/?$/.exec(String(event.rawPath));
      return { route: m ? `${m[1]}.${m[2]}` : '', body: bytes.toString('hex') };
    };
    // Act / Assess (per case)
    await fc.assert(
      fc.asyncProperty(webhookRequestSpec, async (generated) => {
        // A generated id can also equal an accepted one by chance (short arbitrary strings such as '!'): the
        // same id again, so the same rules as a deliberate reuse (seed 1994609787 found it).
        const earlier = generated.reuse
          ? accepted[generated.pick % Math.max(1, accepted.length)]
          : accepted.find((a) => a.id === generated.id);
        const s = earlier ? { ...generated, id: earlier.id } : generated;
        const built = buildWebhookRequest(s, Math.floor(Date.now() / 1000));
        const mine = identity(built.event);
        // After the request's own checks (…, 422), the idempotency key: the same webhook-id on another route
        // or with another body is a conflict (409); with the same route and body, a redelivery (202).
        const reusedByOther =
          earlier !== undefined && (earlier.route !== mine.route || earlier.body !== mine.body);
        const expected =
          reusedByOther && built.expected.includes(202)
            ? built.expected.map((status) => (status === 202 ? 409 : status))
            : built.expected;
        const headers = built.event.headers as Record<string, string>;
        const signature = Object.entries(headers).find(([k]) => k.toLowerCase() === 'webhook-signature')?.[1];
        const status = await check(built.event, s.job, expected, signature);
        if (status === 202 && !earlier) accepted.push({ id: s.id, ...mine });
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      }),
      { numRuns: STRUCTURED_RUNS },
    );
    // Assess: the generator reached every kind of answer.
    const seen = [...byStatus.keys()].sort();
    expect(seen).toEqual(ALLOWED);
    scanner.addText('status counts', JSON.stringify([...byStatus]));
    const refused = [...byStatus].filter(([s]) => s !== 202).reduce((a, [, n]) => a + n, 0);
    reportRow({
      group: 'bad input',
      row: 'webhook requests (structured, real handlers)',
      cases: STRUCTURED_RUNS,
      faults: refused,
      duplicates: 0,
      losses: 0,
    });
  });

  it(`refuses ${RAW_RUNS} arbitrary requests without a valid signature, never with a 5xx, and the table does not change`, {
    timeout: 120_000,
  }, async () => {
    // Prepare
    const raw = fc.record({
      job: fc.constantFrom(...JOBS),
      path: fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...JOBS.map((j) => `/webhooks/${j}/run`))),
      method: fc.oneof(fc.string({ maxLength: 8 }), fc.constant('POST')),
      headers: fc.dictionary(
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.constantFrom('webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type'),
        ),
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.jsonValue().map((v) => v as unknown as string),
        ),
        { maxKeys: 6 },
      ),
      body: fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.jsonValue().map((v) => v as unknown as string),
      ),
      isBase64Encoded: fc.oneof(fc.boolean(), fc.constant('true' as unknown as boolean)),
    });
    const itemsBefore = await tableItems();
    // Act
    await fc.assert(
      fc.asyncProperty(raw, async (r) => {
        const event = {
          version: '2.0',
          rawPath: r.path,
          headers: r.headers,
          requestContext: { http: { method: r.method } },
          body: r.body,
          isBase64Encoded: r.isBase64Encoded,
        };
        const status = await check(event, r.job, [400, 401, 404, 405, 413]);
        expect(status).not.toBe(202);
      }),
      { numRuns: RAW_RUNS },
    );
    // Assess
    expect(await tableItems()).toBe(itemsBefore);
    reportRow({
      group: 'bad input',
      row: 'webhook requests (arbitrary, unsigned)',
      cases: RAW_RUNS,
      faults: RAW_RUNS,
      duplicates: 0,
      losses: 0,
    });
  });

  it('leaks no secret into answers, logs or output', () => {
    // Prepare
    scanner.addSecret(LOCAL_WEBHOOK_SECRET);
    scanner.addSecret(LOCAL_WEBHOOK_SECRET.slice('whsec_'.length));
    scanner.addSecret(LOCAL_KEEP_ALIVE_SECRET);
    scanner.addSecret(LOCAL_KEEP_ALIVE_SECRET.slice('whsec_'.length));
    scanner.addSecret(env.credentials.clientSecret);
    for (const token of env.issuedTokens) scanner.addSecret(token);
    scanner.addValue('log lines', env.log.lines);
    // Act
    scanner.stopOutput();
    // Assess
    expect(scanner.findings()).toEqual([]);
  });
});
