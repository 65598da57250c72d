// The secrets sync use case over the real run engine: desired state from sources, ownership, exclusive,
// conflicts, 409 retries, writes applied whose answer was lost, redelivery, and values kept out of every
// log line, summary and event.
import { describe, expect, it } from 'vitest';
import { deploymentDigest } from '#functions/secrets-sync/digest.ts';
import { IN_SYNC, runSecretsSync } from '#functions/secrets-sync/sync.ts';
import { SecretSourceError } from '#lib/jobs/secrets-sync-ports.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { outcomeOf as outcome } from '#test/helpers/outcomes.ts';
import { cluster, policy, world } from './fakes.ts';

const PAY_KEY = 'pay-key-value-0001';
const PAY_KEY_ROTATED = 'pay-key-value-0002';
const SMTP = 'smtp-password-value-0003';

/** Every value a test used must be absent from everything the run reported. */
function expectNoValues(w: ReturnType<typeof world>, summaries: RunSummary[], values: string[]): void {
  const reported = JSON.stringify([w.log.lines, summaries, w.published]);
  for (const value of values) expect(reported).not.toContain(value);
}

const twoClusters = () => [cluster('prod-a'), cluster('prod-b'), cluster('dev-c')];

describe('secrets sync', () => {
  it('creates the desired secrets on every selected cluster, records ownership, reports names and digests only', async () => {
    // Prepare
    const w = world(
      twoClusters(),
      {},
      {
        'camunda/payments/PAYMENT_KEY': { value: PAY_KEY },
        'camunda/payments/mail': { value: JSON.stringify({ SMTP_PASSWORD: SMTP }) },
      },
    );
    const p = policy();
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, p));
    // Assess
    const digestOf = await deploymentDigest(w.stores.managedSecrets);
    expect(summary.failed).toBe(false);
    for (const name of ['prod-a', 'prod-b']) {
      expect(w.console.secrets.get(w.idOf(name))).toEqual({ PAYMENT_KEY: PAY_KEY, SMTP_PASSWORD: SMTP });
      expect(outcome(summary, name)).toMatchObject({
        status: 'done',
        action: 'secrets-synced',
        detail: {
          changes: [
            { change: 'create', name: 'PAYMENT_KEY', digest: digestOf(PAY_KEY), source: 'payments' },
            { change: 'create', name: 'SMTP_PASSWORD', digest: digestOf(SMTP), source: 'payments' },
          ],
        },
      });
      expect((await w.stores.managedSecrets.list(w.idOf(name))).map((r) => r.name)).toEqual([
        'PAYMENT_KEY',
        'SMTP_PASSWORD',
      ]);
    }
    expect(w.console.secrets.get(w.idOf('dev-c'))).toEqual({});
    expectNoValues(w, [summary], [PAY_KEY, SMTP]);
  });

  it('skips a cluster in sync, and a rotation updates only the changed secret', async () => {
    // Prepare
    const w = world([cluster('prod-a')], {}, { 'camunda/payments/PAYMENT_KEY': { value: PAY_KEY } });
    const p = policy();
    await w.run((scope) => runSecretsSync(w.deps, scope, p));
    // Act
    const again = await w.run((scope) => runSecretsSync(w.deps, scope, p));
    w.reader.secrets.set('camunda/payments/PAYMENT_KEY', { value: PAY_KEY_ROTATED });
    const rotated = await w.run((scope) => runSecretsSync(w.deps, scope, p));
    // Assess
    const digestOf = await deploymentDigest(w.stores.managedSecrets);
    expect(outcome(again, 'prod-a')).toMatchObject({ status: 'skipped', reason: IN_SYNC });
    expect(outcome(rotated, 'prod-a')).toMatchObject({
      status: 'done',
      detail: { changes: [{ change: 'update', name: 'PAYMENT_KEY', digest: digestOf(PAY_KEY_ROTATED) }] },
    });
    expect(w.console.secrets.get(w.idOf('prod-a'))).toEqual({ PAYMENT_KEY: PAY_KEY_ROTATED });
    expectNoValues(w, [again, rotated], [PAY_KEY, PAY_KEY_ROTATED]);
  });

  it('never touches a secret created by hand: a differing value is reported, others are never deleted', async () => {
    // Prepare
    const w = world(
      [cluster('prod-a')],
      { 'prod-a': { PAYMENT_KEY: 'typed-by-hand-value', MANUAL_TOKEN: 'manual-token-value' } },
      { 'camunda/payments/PAYMENT_KEY': { value: PAY_KEY } },
    );
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    // Assess
    expect(outcome(summary, 'prod-a')).toMatchObject({
      status: 'failed',
      detail: { untouched: ['PAYMENT_KEY'] },
    });
    expect(w.console.secrets.get(w.idOf('prod-a'))).toEqual({
      PAYMENT_KEY: 'typed-by-hand-value',
      MANUAL_TOKEN: 'manual-token-value',
    });
    expect(w.console.writes).toEqual([]);
    expectNoValues(w, [summary], [PAY_KEY, 'typed-by-hand-value', 'manual-token-value']);
  });

  it('deletes a managed secret its source no longer provides, and forgets it', async () => {
    // Prepare
    const w = world(
      [cluster('prod-a')],
      { 'prod-a': { MANUAL_TOKEN: 'manual-token-value' } },
      {
        'camunda/payments/PAYMENT_KEY': { value: PAY_KEY },
        'camunda/payments/OLD_KEY': { value: 'old-key-value-000' },
      },
    );
    const p = policy();
    await w.run((scope) => runSecretsSync(w.deps, scope, p));
    w.reader.secrets.delete('camunda/payments/OLD_KEY');
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, p));
    // Assess
    expect(outcome(summary, 'prod-a')).toMatchObject({
      status: 'done',
      detail: { changes: [{ change: 'delete', name: 'OLD_KEY' }] },
    });
    expect(w.console.secrets.get(w.idOf('prod-a'))).toEqual({
      MANUAL_TOKEN: 'manual-token-value',
      PAYMENT_KEY: PAY_KEY,
    });
    expect((await w.stores.managedSecrets.list(w.idOf('prod-a'))).map((r) => r.name)).toEqual([
      'PAYMENT_KEY',
    ]);
  });

  it('keeps managed secrets when their source secret is scheduled for deletion or the source selects nothing', async () => {
    // Prepare
    const w = world(
      [cluster('prod-a')],
      {},
      {
        'camunda/payments/PAYMENT_KEY': { value: PAY_KEY },
        'camunda/orders/ORDERS_KEY': { value: 'orders-key-value' },
      },
    );
    const p = policy({
      sources: { payments: { prefix: 'camunda/payments/' }, orders: { prefix: 'camunda/orders/' } },
    });
    await w.run((scope) => runSecretsSync(w.deps, scope, p));
    w.reader.secrets.set('camunda/payments/PAYMENT_KEY', { deleted: true });
    w.reader.secrets.delete('camunda/orders/ORDERS_KEY');
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, p));
    // Assess
    expect(w.console.secrets.get(w.idOf('prod-a'))).toEqual({
      PAYMENT_KEY: PAY_KEY,
      ORDERS_KEY: 'orders-key-value',
    });
    expect(outcome(summary, 'prod-a')).toMatchObject({
      status: 'skipped',
      detail: { kept: [{ name: 'ORDERS_KEY' }, { name: 'PAYMENT_KEY' }] },
    });
    expect(summary.notes.join('\n')).toContain("source 'orders' selects no secret");
  });

  it('with exclusive, adopts and overwrites secrets set by hand and deletes the ones not desired', async () => {
    // Prepare
    const w = world(
      [cluster('prod-a')],
      { 'prod-a': { PAYMENT_KEY: 'typed-by-hand-value', MANUAL_TOKEN: 'manual-token-value' } },
      { 'camunda/payments/PAYMENT_KEY': { value: PAY_KEY } },
    );
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy({ exclusive: true })));
    // Assess
    expect(summary.failed).toBe(false);
    expect(w.console.secrets.get(w.idOf('prod-a'))).toEqual({ PAYMENT_KEY: PAY_KEY });
    expect((await w.stores.managedSecrets.list(w.idOf('prod-a'))).map((r) => r.name)).toEqual([
      'PAYMENT_KEY',
    ]);
  });

  it('refuses a cluster whole when two sources set one name, naming both, and writes nothing there', async () => {
    // Prepare
    const w = world(
      [cluster('prod-a')],
      {},
      {
        'camunda/payments/API_KEY': { value: 'payments-api-key' },
        'camunda/shared/keys': { value: JSON.stringify({ API_KEY: 'shared-api-key', OTHER: 'other-value' }) },
      },
    );
    const p = policy({
      sources: { payments: { prefix: 'camunda/payments/' }, shared: { prefix: 'camunda/shared/' } },
    });
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, p));
    // Assess
    const failed = outcome(summary, 'prod-a');
    expect(failed.status).toBe('failed');
    expect(failed.status === 'failed' && failed.error).toContain(
      "connector secret 'API_KEY' is set by source 'payments' (secret 'camunda/payments/API_KEY') and by source 'shared' (secret 'camunda/shared/keys')",
    );
    expect(w.console.writes).toEqual([]);
    expectNoValues(w, [summary], ['payments-api-key', 'shared-api-key', 'other-value']);
  });

  it('fails the run and changes nothing when a source cannot be read', async () => {
    // Prepare
    const w = world([cluster('prod-a')], {}, { 'camunda/payments/PAYMENT_KEY': { value: PAY_KEY } });
    w.reader.fail(new Error('AccessDeniedException: not authorized to perform secretsmanager:ListSecrets'));
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    // Assess
    expect(summary.failed).toBe(true);
    expect(summary.notes.join('\n')).toContain("source 'payments' could not be read");
    expect(w.console.writes).toEqual([]);
    expect(SecretSourceError.name).toBe('SecretSourceError');
  });

  it('retries a 409 "change in progress" with growing backoff, then succeeds', async () => {
    // Prepare
    const w = world([cluster('prod-a')], {}, { 'camunda/payments/PAYMENT_KEY': { value: PAY_KEY } });
    let conflicts = 3;
    w.console.fault = () => (conflicts-- > 0 ? '409' : undefined);
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    // Assess
    expect(outcome(summary, 'prod-a').status).toBe('done');
    expect(w.console.secrets.get(w.idOf('prod-a'))).toEqual({ PAYMENT_KEY: PAY_KEY });
    expect(w.sleeps).toHaveLength(3);
    expect(w.sleeps[2]).toBeGreaterThanOrEqual(200);
    expect(w.console.writes).toEqual([`create ${w.idOf('prod-a')} PAYMENT_KEY`]);
  });

  it('fails the cluster, naming the secret, when 409s outlast the retries', async () => {
    // Prepare
    const w = world([cluster('prod-a')], {}, { 'camunda/payments/PAYMENT_KEY': { value: PAY_KEY } });
    w.console.fault = () => '409';
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    // Assess
    const failed = outcome(summary, 'prod-a');
    expect(failed.status === 'failed' && failed.error).toContain(
      "create of connector secret 'PAYMENT_KEY' failed",
    );
    expect(w.sleeps).toHaveLength(4);
  });

  it('never sends a create twice when the first one was applied and its answer lost', async () => {
    // Prepare
    const w = world([cluster('prod-a')], {}, { 'camunda/payments/PAYMENT_KEY': { value: PAY_KEY } });
    let first = true;
    w.console.fault = () => {
      const fault = first ? 'applied-then-timeout' : undefined;
      first = false;
      return fault;
    };
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    // Assess
    expect(outcome(summary, 'prod-a').status).toBe('done');
    expect(w.console.writes).toEqual([`create ${w.idOf('prod-a')} PAYMENT_KEY`]);
    expect((await w.stores.managedSecrets.list(w.idOf('prod-a'))).map((r) => r.name)).toEqual([
      'PAYMENT_KEY',
    ]);
  });

  it('a redelivered trigger does nothing again; a retry of a partly failed run redoes only the failed cluster', async () => {
    // Prepare
    const w = world(
      [cluster('prod-a'), cluster('prod-b')],
      {},
      {
        'camunda/payments/PAYMENT_KEY': { value: PAY_KEY },
      },
    );
    w.console.fault = (_op, clusterId) => (clusterId === w.idOf('prod-b') ? '409' : undefined);
    const p = policy({ conflictRetry: { attempts: 1, baseDelayMs: 100, maxDelayMs: 100 } });
    const first = await w.run((scope) => runSecretsSync(w.deps, scope, p), { key: 'delivery-1' });
    w.console.fault = undefined;
    // Act
    const retry = await w.run((scope) => runSecretsSync(w.deps, scope, p), { key: 'delivery-1' });
    const again = await w.run((scope) => runSecretsSync(w.deps, scope, p), { key: 'delivery-1' });
    // Assess
    expect(first.counts).toMatchObject({ done: 1, failed: 1 });
    expect(retry.counts).toMatchObject({ done: 2, failed: 0 });
    expect(again.replayed).toBe(true);
    expect(w.console.writes).toEqual([
      `create ${w.idOf('prod-a')} PAYMENT_KEY`,
      `create ${w.idOf('prod-b')} PAYMENT_KEY`,
    ]);
  });

  it('in a dry run reports what it would change and writes nothing', async () => {
    // Prepare
    const w = world([cluster('prod-a')], {}, { 'camunda/payments/PAYMENT_KEY': { value: PAY_KEY } });
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()), { dryRun: true });
    // Assess: not even the deployment's digest key is made (the digest is under a one-off key).
    expect(outcome(summary, 'prod-a')).toMatchObject({
      status: 'done',
      action: 'would-sync-secrets',
      detail: {
        changes: [{ change: 'create', name: 'PAYMENT_KEY', digest: expect.stringMatching(/^[0-9a-f]{8}$/) }],
      },
    });
    expect(w.console.writes).toEqual([]);
    expect(await w.stores.managedSecrets.list(w.idOf('prod-a'))).toEqual([]);
    expect(await w.stores.managedSecrets.storedDigestKey()).toBeUndefined();
  });

  it('in a dry run after a live run shows digests under the deployment’s key, comparable with the records', async () => {
    // Prepare
    const w = world([cluster('prod-a')], {}, { 'camunda/payments/PAYMENT_KEY': { value: PAY_KEY } });
    await w.run((scope) => runSecretsSync(w.deps, scope, policy()));
    w.reader.secrets.set('camunda/payments/PAYMENT_KEY', { value: `${PAY_KEY}-rotated` });
    const key = await w.stores.managedSecrets.storedDigestKey();
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()), { dryRun: true });
    // Assess
    const digestOf = await deploymentDigest(w.stores.managedSecrets);
    expect(outcome(summary, 'prod-a')).toMatchObject({
      action: 'would-sync-secrets',
      detail: {
        changes: [{ change: 'update', name: 'PAYMENT_KEY', digest: digestOf(`${PAY_KEY}-rotated`) }],
      },
    });
    expect(await w.stores.managedSecrets.storedDigestKey()).toBe(key);
    expect((await w.stores.managedSecrets.list(w.idOf('prod-a')))[0]?.digest).toBe(digestOf(PAY_KEY));
  });

  it('narrows to the requested clusters, still within the selector', async () => {
    // Prepare
    const w = world(twoClusters(), {}, { 'camunda/payments/PAYMENT_KEY': { value: PAY_KEY } });
    // Act
    const summary = await w.run((scope) => runSecretsSync(w.deps, scope, policy()), {
      request: { clusterIds: [w.idOf('prod-b'), w.idOf('dev-c')] },
    });
    // Assess
    expect(summary.clusters.map((c) => c.clusterName)).toEqual(['prod-b']);
    expect(summary.notes.join('\n')).toContain(`ignored: ${w.idOf('dev-c')}`);
  });
});
