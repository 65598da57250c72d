// `npm run webhook`: a signed request over real HTTP to a local stand-in for API Gateway (it turns the
// request into a payload-2.0 event) in front of the real teardown handler.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '#functions/teardown/handler.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import {
  LOCAL_WEBHOOK_SECRET,
  type LocalEnv,
  lambdaContext,
  startLocalEnv,
} from '#test/helpers/local-env.ts';
import { sendWebhook, webhookTarget } from '../../../scripts/lib/send-webhook.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let local: LocalEnv;
let server: Server;
let base: string;

beforeAll(async () => {
  local = await startLocalEnv();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [
          k.toLowerCase(),
          Array.isArray(v) ? v.join(',') : (v ?? ''),
        ]),
      );
      const event = {
        version: '2.0',
        routeKey: 'POST /webhooks/{job}/{action}',
        rawPath: url.pathname,
        rawQueryString: '',
        headers,
        requestContext: {
          http: { method: req.method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        },
        body: Buffer.concat(chunks).toString('utf8'),
        isBase64Encoded: false,
      };
      const answer = (await handler(event, lambdaContext('teardown'))) as WebhookResponse;
      res.writeHead(answer.statusCode, answer.headers);
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await local.close();
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/send-webhook.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

const keepAlive = (cluster: string) =>
  JSON.stringify({
    payload: {
      cluster,
      until: new Date(Date.now() + 3_600_000).toISOString(),
      by: 'ci',
      reason: 'e2e tests',
    },
  });

describe('npm run webhook', () => {
  it('builds the route from the WebhookUrl output', () => {
    expect(webhookTarget('https://x.example/prod/webhooks/', 'teardown', 'keep-alive')).toBe(
      'https://x.example/prod/webhooks/teardown/keep-alive',
    );
    expect(webhookTarget('https://x.example/webhooks', 'backup', 'run')).toBe(
      'https://x.example/webhooks/backup/run',
    );
  });

  it('sends a keep-alive the handler verifies and stores', async () => {
    // Act
    const sent = await sendWebhook({
      url: base,
      job: 'teardown',
      action: 'keep-alive',
      body: keepAlive('dev-orders'),
      secret: LOCAL_WEBHOOK_SECRET,
    });
    // Assess
    expect(sent.status).toBe(202);
    expect(JSON.parse(sent.body)).toMatchObject({ job: 'teardown', action: 'keep-alive', failed: false });
    const stored = await local.container.keepAlives.active(Date.now());
    expect(stored.map((k) => k.cluster)).toContain('dev-orders');
  });

  it('a wrong secret is answered 401 and stores nothing', async () => {
    const before = (await local.container.keepAlives.active(Date.now())).length;
    const sent = await sendWebhook({
      url: base,
      job: 'teardown',
      action: 'keep-alive',
      body: keepAlive('dev-payments'),
      secret: `whsec_${Buffer.from('somebody-elses-secret-000').toString('base64')}`,
    });
    expect(sent.status).toBe(401);
    expect((await local.container.keepAlives.active(Date.now())).length).toBe(before);
  });

  it('the command sends with WEBHOOK_SECRET and exits 0 on 202; a bad command line exits 2', async () => {
    // Act
    const ok = await run([base, 'teardown', 'keep-alive', '--body', keepAlive('dev-sandbox-bob')], {
      WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET,
    });
    const usage = await run([base, 'teardown'], { WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET });
    const noSecret = await run([base, 'teardown', 'keep-alive'], { WEBHOOK_SECRET: '' });
    // Assess
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('→ 202');
    expect(usage.code).toBe(2);
    expect(usage.out).toContain('expected <WebhookUrl> <job> <action>');
    expect(noSecret.code).toBe(2);
    expect(noSecret.out).not.toContain(LOCAL_WEBHOOK_SECRET);
  });
});
