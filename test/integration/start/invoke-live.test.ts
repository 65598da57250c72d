// `npm run invoke` against a simulator this test plays as "live Camunda" (the teardown is forced to a dry run
// unless --live-delete is given) and a DynamoDB endpoint shared between two invocations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedDynamo, startDynalite } from '#local/dynalite.ts';
import { type RunningSimulator, startSimulator } from '#local/sim/index.ts';
import { doneWith } from '#test/helpers/run-readers.ts';
import { invoke, KEEP_DEV_PAYMENTS, parsed, summaryOf } from '#test/integration/start/invoke-process.ts';

describe('npm run invoke against "live" Camunda and a DynamoDB endpoint', () => {
  // A simulator started here stands in for real Camunda: the script sees CAMUNDA_* credentials.
  let camunda: RunningSimulator;
  let db: EmbeddedDynamo;
  let live: Record<string, string>;
  beforeAll(async () => {
    [camunda, db] = await Promise.all([
      startSimulator({ seed: 'org', tarPitMs: 50, authRateLimit: false }),
      startDynalite(),
    ]);
    live = {
      CAMUNDA_CONSOLE_CLIENT_ID: camunda.clientId,
      CAMUNDA_CONSOLE_CLIENT_SECRET: camunda.clientSecret,
      CAMUNDA_CONSOLE_BASE_URL: camunda.url,
      CAMUNDA_OAUTH_URL: camunda.oauthUrl,
      CAMUNDA_CONSOLE_OAUTH_AUDIENCE: camunda.audience,
    };
  });
  afterAll(async () => {
    await Promise.all([camunda.close(), db.close()]);
  });

  it('forces the teardown to a dry run against live Camunda unless --live-delete is given', async () => {
    // Act
    const guarded = await invoke(['teardown', 'run', '--config', 'local'], live);
    const stillThere = ['dev-payments', 'dev-orders', 'dev-sandbox-bob'].filter((n) =>
      camunda.state.clusterByName(n),
    );
    const deleting = await invoke(['teardown', 'run', '--config', 'local', '--live-delete'], live);

    // Assess
    expect(guarded.code).toBe(0);
    const first = parsed(guarded);
    expect(first).toMatchObject({ console: 'camunda', forcedDryRun: true });
    expect(summaryOf(first).dryRun).toBe(true);
    expect(doneWith(summaryOf(first), 'would-delete-cluster')).toEqual([
      'dev-orders',
      'dev-payments',
      'dev-sandbox-bob',
    ]);
    expect(first.notes.join(' ')).toContain('forced to a dry run');
    expect(guarded.stderr).toContain('forced to a dry run');
    expect(stillThere).toHaveLength(3);

    const second = parsed(deleting);
    expect(second.forcedDryRun).toBe(false);
    expect(doneWith(summaryOf(second), 'cluster-deleted')).toEqual([
      'dev-orders',
      'dev-payments',
      'dev-sandbox-bob',
    ]);
    expect(camunda.state.clusterByName('dev-payments')).toBeUndefined();
  });

  it('keeps state in the table at AWS_ENDPOINT_URL_DYNAMODB across invocations', async () => {
    // Prepare
    const endpoint = { AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, STATE_TABLE_NAME: 'invoke-test-state' };

    // Act: a keep-alive in one process, the teardown in the next (each with its own simulator).
    const keep = await invoke(
      ['teardown', 'keep-alive', '--payload', KEEP_DEV_PAYMENTS(), '--config', 'local'],
      endpoint,
    );
    const teardown = await invoke(['teardown', 'run', '--config', 'local', '--dry-run'], endpoint);

    // Assess
    expect(parsed(keep)).toMatchObject({ dynamodb: 'endpoint', httpStatus: 202 });
    expect(keep.stderr).toContain(`table invoke-test-state (created)`);
    const summary = summaryOf(parsed(teardown));
    const kept = summary.clusters.find((c) => c.clusterName === 'dev-payments');
    expect(kept).toMatchObject({ status: 'skipped' });
    expect(kept?.status === 'skipped' ? kept.reason : '').toMatch(
      /^keep-alive until .* by alice@example\.com/,
    );
    expect(teardown.stderr).not.toContain('(created)');
  });
});
