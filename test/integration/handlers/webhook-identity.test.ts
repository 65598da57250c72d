// A webhook-id names one request: its route and its body. Through the real handlers, dynalite and the
// simulator: the same webhook-id on another route, or with another body, is answered 409 and changes
// nothing (no table write, no Console request, no event); the same id, route and body is a redelivery
// answered with the first summary.
import { createHash } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as backup } from '#functions/backup/handler.ts';
import { handler as teardown } from '#functions/teardown/handler.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { type LocalEnv, lambdaContext, startLocalEnv, webhookEvent } from '#local/env.ts';

let local: LocalEnv;

beforeEach(async () => {
  local = await startLocalEnv();
});
afterEach(async () => {
  await local.close();
});

const ID = 'msg_reused-0001';

function keepAlive(cluster: string, reason = 'load test') {
  const until = new Date(Date.now() + 3 * 3600_000).toISOString();
  return { payload: { cluster, until, by: 'alice@example.com', reason } };
}

async function tableItems(): Promise<string> {
  const out = await local.db.client.send(
    new ScanCommand({ TableName: local.tableName, ConsistentRead: true }),
  );
  return JSON.stringify((out.Items ?? []).map((i) => JSON.stringify(i)).sort());
}

/** Everything a request could change (a keep-alive's precheck may read the cluster list: reads are not counted). */
async function world() {
  const writes = Object.entries(local.sim.stats.console.byRoute)
    .filter(([route]) => !route.startsWith('GET '))
    .reduce((sum, [, n]) => sum + n, 0);
  return { table: await tableItems(), consoleWrites: writes, events: local.events.events.length };
}

const answer = (r: unknown) => {
  const response = r as WebhookResponse;
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
};

/** The teardown's answer to webhook `action` with `body`, sent under the reused webhook-id. */
const sendTeardown = async (action: string, body: unknown) =>
  answer(await teardown(webhookEvent('teardown', action, body, { id: ID }), lambdaContext('teardown')));

describe('webhook-id reuse', () => {
  it('answers 409 for the same webhook-id on another job, and changes nothing', async () => {
    // Prepare
    const first = await sendTeardown('keep-alive', keepAlive('dev-orders'));
    const before = await world();
    // Act
    const reused = answer(
      await backup(webhookEvent('backup', 'run', { dryRun: true }, { id: ID }), lambdaContext('backup')),
    );
    // Assess
    expect(first.status).toBe(202);
    expect(reused).toEqual({
      status: 409,
      body: {
        error: 'conflict',
        message: `webhook-id '${ID}' was already used for teardown.keep-alive; this request is for backup.run: send every new request with a fresh webhook-id`,
      },
    });
    expect(await world()).toEqual(before);
  });

  it('answers 409 for the same webhook-id on another action of the same job, and changes nothing', async () => {
    // Prepare
    await sendTeardown('keep-alive', keepAlive('dev-orders'));
    const before = await world();
    // Act
    const reused = await sendTeardown('run', {});
    // Assess
    expect(reused.status).toBe(409);
    expect(reused.body.message).toMatch(
      /already used for teardown.keep-alive; this request is for teardown.run/,
    );
    expect(await world()).toEqual(before);
  });

  it('answers 409 for the same webhook-id and route with another body, and changes nothing', async () => {
    // Prepare
    await sendTeardown('keep-alive', keepAlive('dev-orders'));
    const before = await world();
    // Act
    const otherCluster = await sendTeardown('keep-alive', keepAlive('dev-payments'));
    // Assess
    expect(otherCluster).toEqual({
      status: 409,
      body: {
        error: 'conflict',
        message: `webhook-id '${ID}' was already used for teardown.keep-alive with another body: send every new request with a fresh webhook-id`,
      },
    });
    expect(await world()).toEqual(before);
    expect((await local.container.keepAlives.active(Date.now())).map((k) => k.cluster)).toEqual([
      'dev-orders',
    ]);
  });

  it('answers a redelivery (same id, route and body) with the first summary, and stores the body digest', async () => {
    // Prepare
    const body = JSON.stringify(keepAlive('dev-orders'));
    const event = webhookEvent('teardown', 'keep-alive', body, { id: ID });
    const first = answer(await teardown(event, lambdaContext('teardown')));
    // Act
    const again = answer(await teardown(event, lambdaContext('teardown')));
    // Assess
    expect([first.status, again.status]).toEqual([202, 202]);
    expect((again.body as unknown as RunSummary).replayed).toBe(true);
    expect(await tableItems()).toContain(createHash('sha256').update(body).digest('hex'));
  });
});
