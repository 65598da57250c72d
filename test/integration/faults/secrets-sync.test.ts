// Secrets sync faults over real HTTP against the simulator (which models secrets and their 409 "change in
// progress" as the real API does), through the real handler and the composition root (faultSuite): 409 storms,
// a write applied whose answer was lost, a source deleted, and two overlapping syncs. Every one ends with 0
// lost, 0 unmanaged secrets touched, 0 values in any captured log, and every request valid against the
// official spec.
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '#lib/jobs/types.ts';
import { schedulerEvent } from '#local/env.ts';
import { faultSuite } from '#test/helpers/fault-suite.ts';
import type { FaultEnv } from '#test/helpers/faults.ts';
import { sourceReader } from '#test/unit/secrets-sync/fakes.ts';

const GROUP = 'secrets sync';
const KEY_V1 = 'fault-suite-key-value-v1';
const KEY_V2 = 'fault-suite-key-value-v2';
const SMTP = 'fault-suite-smtp-value';
const HAND = 'typed-in-by-hand-value';
const CLUSTERS = ['prod-payments', 'prod-billing'];

const { scanner, start } = faultSuite();
for (const value of [KEY_V1, KEY_V2, SMTP, HAND]) scanner.addSecret(value);

let e: FaultEnv;
let reader: ReturnType<typeof sourceReader>;
const summaries: RunSummary[] = [];
let runs = 0;

/** A fault environment whose secrets sync picks the two clusters, with a hand-made secret on each. */
async function startSecretsEnv(): Promise<FaultEnv> {
  reader = sourceReader({
    'camunda/payments/PAYMENT_KEY': { value: KEY_V1 },
    'camunda/payments/mail': { value: JSON.stringify({ SMTP_PASSWORD: SMTP }) },
  });
  summaries.length = 0;
  e = await start({
    config: {
      secretsSync: {
        // LOCAL_CONFIG's selector (labels env-prod) narrowed to the two clusters its payments source serves.
        selector: { names: CLUSTERS },
        conflictRetry: { attempts: 8, baseDelayMs: 500, maxDelayMs: 4_000 },
      },
    },
    sim: { secretChangeMs: 1_000 },
    secretSources: reader,
    // The conflict backoff moves the clock the simulator's "change in progress" window is read from.
    warpSleeps: true,
  });
  for (const name of CLUSTERS) e.sim.state.setSecret(name, 'MANUAL_TOKEN', HAND);
  return e;
}

/** One scheduled sync through the real handler; its summary must account for every selected cluster. */
async function sync(): Promise<RunSummary> {
  const expected = e.selected('secrets-sync');
  // Each sync its own scheduled time: the scheduler's idempotency key is job, action and that time.
  const at = new Date(Date.parse('2026-12-01T09:00:00Z') + ++runs * 60_000).toISOString();
  const run = await e.invoke('secrets-sync', schedulerEvent('secrets-sync', 'sync', at));
  if (!run.summary) throw new Error(`no summary: ${String(run.error)}`);
  e.account(run.summary, expected);
  summaries.push(run.summary);
  return run.summary;
}

const secretsOf = (name: string) => ({ ...e.sim.state.cluster(name).secrets });
/** Secret creates the simulator applied: answered 2xx, or cut off after it committed (status 0). */
const posts = () =>
  e.sim.requestLog.filter(
    (r) => r.method === 'POST' && r.path.endsWith('/secrets') && (r.status < 300 || r.status === 0),
  ).length;

/** 0 unmanaged secrets touched, 0 values in any captured log or summary, every request valid; the row's figures. */
function finish(row: string, extraFaults = 0): void {
  for (const name of CLUSTERS) expect(secretsOf(name).MANUAL_TOKEN).toBe(HAND);
  const captured = JSON.stringify([e.log.lines, summaries]);
  for (const value of [KEY_V1, KEY_V2, SMTP, HAND]) expect(captured).not.toContain(value);
  expect(e.sim.stats.console.specViolations).toEqual([]);
  e.finishRow(GROUP, row, { extraFaults });
}

describe('secrets-sync faults (simulator)', () => {
  it('a 409 storm on every secret write: retried with backoff, nothing lost', async () => {
    // Prepare
    await startSecretsEnv();
    for (const route of [
      'POST /clusters/{clusterUuid}/secrets',
      'PUT /clusters/{clusterUuid}/secrets/{secretName}',
    ]) {
      e.sim.faults.add({
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
    e.sim.faults.add({
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
    finish('409 storm on every secret write');
  });

  it('a create applied whose answer was lost is never sent twice, and is owned', async () => {
    // Prepare
    await startSecretsEnv();
    e.sim.faults.add({
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
      const owned = await e.container.managedSecrets.list(e.sim.state.cluster(name).uuid);
      expect(owned.map((o) => o.name)).toEqual(['PAYMENT_KEY', 'SMTP_PASSWORD']);
    }
    finish('secret create applied, answer lost');
  });

  it('a source secret deleted: kept while scheduled for deletion, removed once gone, hand-made ones untouched', async () => {
    // Prepare
    await startSecretsEnv();
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
    // The faults are the source's: scheduled for deletion, then gone.
    finish('source secret deleted', 2);
  });

  it('two overlapping syncs: each cluster worked on once at a time, no duplicate create, nothing lost', async () => {
    // Prepare
    await startSecretsEnv();
    // Act
    const [a, b] = await Promise.all([sync(), sync()]);
    const after = await sync();
    // Assess
    expect(a.failed || b.failed).toBe(false);
    expect(posts()).toBe(4);
    for (const name of CLUSTERS) {
      expect(secretsOf(name)).toEqual({ MANUAL_TOKEN: HAND, PAYMENT_KEY: KEY_V1, SMTP_PASSWORD: SMTP });
    }
    expect(after.counts).toMatchObject({ skipped: 2, failed: 0 });
    finish('two overlapping syncs', 1);
  });
});

describe('secrets', () => {
  it('leaks no token, client secret, webhook secret or connector secret value into logs, output, errors or answers', () => {
    // Act
    scanner.stopOutput();
    // Assess
    expect(scanner.secretCount).toBeGreaterThan(4);
    expect(scanner.findings()).toEqual([]);
  });
});
