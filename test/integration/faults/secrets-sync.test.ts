// Secrets sync faults over real HTTP against the simulator (which models secrets and their 409 "change in
// progress" as the real API does): 409 storms, a write applied whose answer was lost, a source deleted, and two
// overlapping syncs. Every one ends with 0 lost, 0 unmanaged secrets touched, 0 values in any captured log,
// and every request valid against the official spec.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSecretsSync } from '#functions/secrets-sync/sync.ts';
import type { SecretsSyncPolicy } from '#lib/config/schema/secrets-sync.ts';
import { type ConsoleClient, createConsoleClient } from '#lib/console/client.ts';
import { executeRun } from '#lib/jobs/engine.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { recordingLog } from '#local/recording-log.ts';
import { type RunningSimulator, startSimulator } from '#local/sim/index.ts';
import { createMemoryStores, type MemoryStores } from '#test/fakes/state.ts';
import { policy as basePolicy, sourceReader } from '#test/unit/secrets-sync/fakes.ts';

const KEY_V1 = 'fault-suite-key-value-v1';
const KEY_V2 = 'fault-suite-key-value-v2';
const SMTP = 'fault-suite-smtp-value';
const HAND = 'typed-in-by-hand-value';
const CLUSTERS = ['prod-payments', 'prod-billing'];

let sim: RunningSimulator;
let t: number;
let client: ConsoleClient;
let stores: MemoryStores;
let log: ReturnType<typeof recordingLog>;
let reader: ReturnType<typeof sourceReader>;
let runs = 0;
const summaries: RunSummary[] = [];

const policy = (overrides: Partial<SecretsSyncPolicy> = {}) =>
  basePolicy({
    selector: { names: CLUSTERS },
    conflictRetry: { attempts: 8, baseDelayMs: 500, maxDelayMs: 4_000 },
    ...overrides,
  });

async function sync(p = policy(), key = `fault-${++runs}`): Promise<RunSummary> {
  const clock = { now: () => t };
  const deps = {
    console: client,
    clock,
    log,
    secretSources: reader,
    managedSecrets: stores.managedSecrets,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
  const summary = await executeRun(
    {
      ledger: stores.ledger,
      claims: stores.claims,
      clock,
      log,
      metrics: { count() {} },
      events: { async publish() {} },
    },
    { job: 'secrets-sync', action: 'sync' },
    { source: 'direct', idempotencyKey: key, at: new Date(t).toISOString() },
    { dryRun: false, concurrency: 2, timeMarginMs: 0, leaseMs: 60_000, retryFailed: true },
    (scope) => runSecretsSync(deps, scope, p),
  );
  summaries.push(summary);
  return summary;
}

const secretsOf = (name: string) => ({ ...sim.state.cluster(name).secrets });
/** Secret creates the simulator applied: answered 2xx, or cut off after it committed (status 0). */
const posts = () =>
  sim.requestLog.filter(
    (r) => r.method === 'POST' && r.path.endsWith('/secrets') && (r.status < 300 || r.status === 0),
  ).length;

beforeEach(async () => {
  t = Date.parse('2026-12-01T09:00:00Z');
  sim = await startSimulator({ seed: 'org', now: () => t, secretChangeMs: 1_000 });
  for (const name of CLUSTERS) sim.state.setSecret(name, 'MANUAL_TOKEN', HAND);
  log = recordingLog();
  client = createConsoleClient({
    tokenSource: { getToken: async () => sim.issueToken(), invalidate: async () => {} },
    baseUrl: sim.url,
    timeoutMs: 2_000,
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    retry: { baseDelayMs: 300, maxDelayMs: 300 },
    random: () => 0.99,
    log,
  });
  stores = createMemoryStores({ now: () => t });
  reader = sourceReader({
    'camunda/payments/PAYMENT_KEY': { value: KEY_V1 },
    'camunda/payments/mail': { value: JSON.stringify({ SMTP_PASSWORD: SMTP }) },
  });
  summaries.length = 0;
});

afterEach(async () => {
  // 0 unmanaged secrets touched, 0 values in any captured log or summary, every request valid.
  for (const name of CLUSTERS) expect(secretsOf(name).MANUAL_TOKEN).toBe(HAND);
  const captured = JSON.stringify([log.lines, summaries]);
  for (const value of [KEY_V1, KEY_V2, SMTP, HAND]) expect(captured).not.toContain(value);
  expect(sim.stats.console.specViolations).toEqual([]);
  await sim.close();
});

describe('secrets-sync faults (simulator)', () => {
  it('a 409 storm on every secret write: retried with backoff, nothing lost', async () => {
    // Prepare
    for (const route of [
      'POST /clusters/{clusterUuid}/secrets',
      'PUT /clusters/{clusterUuid}/secrets/{secretName}',
    ]) {
      sim.faults.add({
        route,
        kind: 'status',
        status: 409,
        times: 5,
        body: 'Another change to the secrets of this cluster is in progress. Try the request again.',
      });
    }
    // Act
    const first = await sync();
    reader.secrets.set('camunda/payments/PAYMENT_KEY', { value: KEY_V2 });
    sim.faults.add({
      route: 'PUT /clusters/{clusterUuid}/secrets/{secretName}',
      kind: 'status',
      status: 409,
      times: 6,
    });
    const rotated = await sync();
    // Assess
    expect(first.failed).toBe(false);
    expect(rotated.failed).toBe(false);
    for (const name of CLUSTERS) {
      expect(secretsOf(name)).toEqual({ MANUAL_TOKEN: HAND, PAYMENT_KEY: KEY_V2, SMTP_PASSWORD: SMTP });
    }
  });

  it('a create applied whose answer was lost is never sent twice, and is owned', async () => {
    // Prepare
    sim.faults.add({
      route: 'POST /clusters/{clusterUuid}/secrets',
      kind: 'reset',
      afterCommit: true,
      times: 1,
    });
    // Act
    const summary = await sync();
    // Assess
    expect(summary.failed).toBe(false);
    expect(posts()).toBe(4);
    for (const name of CLUSTERS) {
      expect(secretsOf(name)).toEqual({ MANUAL_TOKEN: HAND, PAYMENT_KEY: KEY_V1, SMTP_PASSWORD: SMTP });
      const owned = await stores.managedSecrets.list(sim.state.cluster(name).uuid);
      expect(owned.map((o) => o.name)).toEqual(['PAYMENT_KEY', 'SMTP_PASSWORD']);
    }
  });

  it('a source secret deleted: kept while scheduled for deletion, removed once gone, hand-made ones untouched', async () => {
    // Prepare
    await sync();
    reader.secrets.set('camunda/payments/mail', { deleted: true });
    // Act
    const scheduled = await sync();
    const keptThen = secretsOf('prod-payments');
    reader.secrets.delete('camunda/payments/mail');
    const gone = await sync();
    // Assess
    expect(scheduled.failed).toBe(false);
    expect(keptThen).toEqual({ MANUAL_TOKEN: HAND, PAYMENT_KEY: KEY_V1, SMTP_PASSWORD: SMTP });
    expect(gone.failed).toBe(false);
    for (const name of CLUSTERS) expect(secretsOf(name)).toEqual({ MANUAL_TOKEN: HAND, PAYMENT_KEY: KEY_V1 });
  });

  it('two overlapping syncs: each cluster worked on once at a time, no duplicate create, nothing lost', async () => {
    // Act
    const [a, b] = await Promise.all([sync(policy(), 'overlap-a'), sync(policy(), 'overlap-b')]);
    const after = await sync();
    // Assess
    expect(a.failed || b.failed).toBe(false);
    expect(posts()).toBe(4);
    for (const name of CLUSTERS) {
      expect(secretsOf(name)).toEqual({ MANUAL_TOKEN: HAND, PAYMENT_KEY: KEY_V1, SMTP_PASSWORD: SMTP });
    }
    expect(after.counts).toMatchObject({ skipped: 2, failed: 0 });
  });
});
