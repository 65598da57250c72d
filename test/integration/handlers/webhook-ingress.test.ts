// Asynchronous webhooks through the real handlers, dynalite and the simulator: the ingress verifies, records
// the request as accepted, hands it over on the bus and answers 202 with a run id and a status URL without
// touching the Console API; the job function runs the handed-over request under the same ledger key; the
// status URL (signed GET) follows the run to its summary; a redelivery answers the same run id.
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as teardown } from '#functions/teardown/handler.ts';
import { handler as ingress } from '#functions/webhook-ingress/handler.ts';
import type { RunSummary } from '#lib/jobs/types.ts';
import { WEBHOOK_ACCEPTED } from '#lib/triggers/normalize.ts';
import { signWebhook } from '#lib/triggers/sign.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import {
  eventBridgeEvent,
  LOCAL_KEEP_ALIVE_SECRET,
  LOCAL_WEBHOOK_SECRET,
  type LocalEnv,
  lambdaContext,
  startLocalEnv,
  webhookEvent,
} from '#local/env.ts';

let local: LocalEnv;
beforeEach(async () => {
  local = await startLocalEnv();
});
afterEach(async () => {
  await local.close();
});

const answer = (r: unknown) => {
  const response = r as WebhookResponse;
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
};

/** A signed `GET /runs/<runId>` (Standard Webhooks over an empty body). */
function statusEvent(runId: string, secret = LOCAL_WEBHOOK_SECRET) {
  const path = `/runs/${runId}`;
  return {
    version: '2.0',
    rawPath: path,
    headers: signWebhook(secret, `msg_${randomUUID()}`, Math.floor(Date.now() / 1000), ''),
    requestContext: { domainName: 'localhost', stage: '$default', http: { method: 'GET', path } },
    isBase64Encoded: false,
  };
}

/** Delivers every handed-over request to the teardown job, as the bus rule would. */
async function deliverHandovers(): Promise<RunSummary[]> {
  const handovers = local.events.events.filter((e) => e.detailType === WEBHOOK_ACCEPTED);
  const out: RunSummary[] = [];
  for (const h of handovers) {
    out.push(
      (await teardown(eventBridgeEvent(WEBHOOK_ACCEPTED, h.detail), lambdaContext('teardown'))) as RunSummary,
    );
  }
  return out;
}

describe('webhook ingress', () => {
  it('answers 202 with a run id and status URL at once; the job runs it later; the status URL shows the summary', async () => {
    // Prepare
    const event = webhookEvent('teardown', 'run', { dryRun: true });
    // Act
    const accepted = answer(await ingress(event, lambdaContext('webhook-ingress')));
    const consoleAfterAccept = local.sim.stats.console.requests;
    const before = answer(
      await ingress(statusEvent(String(accepted.body.runId)), lambdaContext('webhook-ingress')),
    );
    const [summary] = await deliverHandovers();
    const after = answer(
      await ingress(statusEvent(String(accepted.body.runId)), lambdaContext('webhook-ingress')),
    );
    // Assess
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({
      runId: expect.stringMatching(/^run_[A-Za-z0-9_-]+$/),
      state: 'accepted',
      statusUrl: `http://localhost/runs/${accepted.body.runId}`,
    });
    expect(consoleAfterAccept).toBe(0);
    expect(before).toEqual({
      status: 200,
      body: { runId: accepted.body.runId, job: 'teardown', action: 'run', state: 'accepted' },
    });
    expect(summary?.idempotencyKey).toBe(
      `webhook:${(event.headers as Record<string, string>)['webhook-id']}`,
    );
    expect(after.status).toBe(200);
    expect(after.body.state).toBe('completed');
    expect(after.body.summary).toEqual(summary);
  });

  it('answers a redelivery with the same run id and hands over nothing new once the job has it', async () => {
    // Prepare
    const event = webhookEvent('teardown', 'run', { dryRun: true });
    const first = answer(await ingress(event, lambdaContext('webhook-ingress')));
    await deliverHandovers();
    const handoversBefore = local.events.events.filter((e) => e.detailType === WEBHOOK_ACCEPTED).length;
    // Act
    const again = answer(await ingress(event, lambdaContext('webhook-ingress')));
    // Assess
    expect(again.status).toBe(202);
    expect(again.body.runId).toBe(first.body.runId);
    expect(again.body.state).toBe('completed');
    expect(local.events.events.filter((e) => e.detailType === WEBHOOK_ACCEPTED)).toHaveLength(
      handoversBefore,
    );
  });

  it('refuses like the job did (401, 403, 409, 422) and stores nothing for a refusal', async () => {
    // Prepare
    const id = `msg_${randomUUID()}`;
    await ingress(
      webhookEvent('teardown', 'run', { dryRun: true }, { id }),
      lambdaContext('webhook-ingress'),
    );
    const scan = async () =>
      JSON.stringify((await local.db.client.send(new ScanCommand({ TableName: local.tableName }))).Items);
    const tableBefore = await scan();
    // Act
    const statuses = [
      answer(
        await ingress(
          webhookEvent(
            'teardown',
            'run',
            {},
            { secret: `whsec_${Buffer.from('x'.repeat(32)).toString('base64')}` },
          ),
          lambdaContext('webhook-ingress'),
        ),
      ).status,
      answer(
        await ingress(
          webhookEvent('teardown', 'run', {}, { secret: LOCAL_KEEP_ALIVE_SECRET }),
          lambdaContext('webhook-ingress'),
        ),
      ).status,
      answer(await ingress(webhookEvent('teardown', 'run', {}, { id }), lambdaContext('webhook-ingress')))
        .status,
      answer(
        await ingress(
          webhookEvent('teardown', 'keep-alive', { payload: { cluster: 'dev-orders' } }),
          lambdaContext('webhook-ingress'),
        ),
      ).status,
    ];
    // Assess
    expect(statuses).toEqual([401, 403, 409, 422]);
    expect(await scan()).toBe(tableBefore);
  });

  it("answers the status only to a sender whose scope includes the run's route", async () => {
    // Prepare
    const accepted = answer(
      await ingress(webhookEvent('teardown', 'run', { dryRun: true }), lambdaContext('webhook-ingress')),
    );
    // Act
    const other = answer(
      await ingress(
        statusEvent(String(accepted.body.runId), LOCAL_KEEP_ALIVE_SECRET),
        lambdaContext('webhook-ingress'),
      ),
    );
    const unknown = answer(await ingress(statusEvent('run_bm9uZQ'), lambdaContext('webhook-ingress')));
    // Assess
    expect(other).toEqual({
      status: 403,
      body: { error: 'forbidden', message: "webhook sender 'keep-alive-bot' may not call teardown.run" },
    });
    expect(unknown.status).toBe(404);
  });

  it('a request the job refuses (unknown cluster) shows as a failed run with the reason', async () => {
    // Prepare
    const until = new Date(Date.now() + 3600_000).toISOString();
    const event = webhookEvent(
      'teardown',
      'keep-alive',
      { payload: { cluster: 'no-such-cluster', until, by: 'alice@example.com', reason: 'test' } },
      { secret: LOCAL_KEEP_ALIVE_SECRET },
    );
    const accepted = answer(await ingress(event, lambdaContext('webhook-ingress')));
    // Act
    await deliverHandovers();
    const status = answer(
      await ingress(
        statusEvent(String(accepted.body.runId), LOCAL_KEEP_ALIVE_SECRET),
        lambdaContext('webhook-ingress'),
      ),
    );
    // Assess
    expect(accepted.status).toBe(202);
    expect(status.body.state).toBe('failed');
    expect((status.body.summary as RunSummary).notes.join(' ')).toMatch(
      /keep-alive refused: no cluster has the uuid or name 'no-such-cluster'/,
    );
  });
});
