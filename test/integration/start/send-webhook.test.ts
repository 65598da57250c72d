// `npm run webhook`: a signed request over real HTTP to the local stack (an API Gateway stand-in whose every
// route is the real webhook ingress, a local bus handing accepted webhooks to the real job handlers, the
// simulator and an embedded DynamoDB). The answer is 202 with a run id and a status URL at once; `--wait`
// follows the status URL to the run's summary.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_WEBHOOK_SECRET } from '#local/env.ts';
import { type LocalStack, startLocalStack } from '../../../scripts/lib/local-stack.ts';
import {
  acceptedRun,
  getRunStatus,
  runFailed,
  sendWebhook,
  waitForRun,
  webhookTarget,
} from '../../../scripts/lib/send-webhook.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let stack: LocalStack;
let base: string;
let release: () => void = () => undefined;

beforeAll(async () => {
  // Deliveries to the jobs are held until a test releases them: what the ingress answers cannot depend on the job.
  const held = new Promise<void>((r) => {
    release = r;
  });
  stack = await startLocalStack({ holdDeliveries: held });
  base = stack.webhookUrl;
});
afterAll(async () => {
  release();
  await stack.close();
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

  it('a keep-alive is answered 202 with a run id and status URL while the job is held; once it runs, the status shows the summary', async () => {
    // Act
    const sent = await sendWebhook({
      url: base,
      job: 'teardown',
      action: 'keep-alive',
      body: keepAlive('dev-orders'),
      secret: LOCAL_WEBHOOK_SECRET,
    });
    const accepted = acceptedRun(sent.status, sent.body);
    const before = await getRunStatus(accepted?.statusUrl ?? '', LOCAL_WEBHOOK_SECRET);
    const storedBefore = await stack.local.container.keepAlives.active(Date.now());
    release();
    const after = await waitForRun({
      statusUrl: accepted?.statusUrl ?? '',
      secret: LOCAL_WEBHOOK_SECRET,
      intervalMs: 20,
    });

    // Assess
    expect(sent.status).toBe(202);
    expect(accepted).toEqual({
      runId: expect.stringMatching(/^run_/),
      state: 'accepted',
      statusUrl: `${base.replace(/\/webhooks$/, '')}/runs/${accepted?.runId}`,
    });
    expect(before).toMatchObject({ runId: accepted?.runId, state: 'accepted' });
    expect(before.summary).toBeUndefined();
    expect(storedBefore.map((k) => k.cluster)).not.toContain('dev-orders');
    expect(after).toMatchObject({ state: 'completed', summary: { job: 'teardown', action: 'keep-alive' } });
    expect(runFailed(after)).toBe(false);
    const stored = await stack.local.container.keepAlives.active(Date.now());
    expect(stored.map((k) => k.cluster)).toContain('dev-orders');
  });

  it('a wrong secret is answered 401, hands nothing over and stores nothing', async () => {
    const handed = stack.bus.events.length;
    const sent = await sendWebhook({
      url: base,
      job: 'teardown',
      action: 'keep-alive',
      body: keepAlive('dev-payments'),
      secret: `whsec_${Buffer.from('somebody-elses-secret-000').toString('base64')}`,
    });
    await stack.bus.idle();
    expect(sent.status).toBe(401);
    expect(stack.bus.events.length).toBe(handed);
    const stored = await stack.local.container.keepAlives.active(Date.now());
    expect(stored.map((k) => k.cluster)).not.toContain('dev-payments');
  });

  it('the command sends with WEBHOOK_SECRET and exits 0 on 202; a bad command line exits 2', async () => {
    // Act
    const ok = await run([base, 'teardown', 'keep-alive', '--body', keepAlive('dev-sandbox-bob')], {
      WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET,
    });
    const usage = await run([base, 'teardown'], { WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET });
    const noSecret = await run([base, 'teardown', 'keep-alive'], { WEBHOOK_SECRET: '' });
    const latencyRemote = await run([base, 'teardown', 'run', '--latency', '5'], {
      WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET,
    });
    const intervalAlone = await run(['--local', 'teardown', 'run', '--interval', '1'], {});
    // Assess
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('→ 202');
    expect(ok.out).toContain('"statusUrl"');
    expect(usage.code).toBe(2);
    expect(usage.out).toContain('expected <WebhookUrl> <job> <action>');
    expect(noSecret.code).toBe(2);
    expect(noSecret.out).not.toContain(LOCAL_WEBHOOK_SECRET);
    expect(latencyRemote.code).toBe(2);
    expect(latencyRemote.out).toContain('--latency needs --local');
    expect(intervalAlone.code).toBe(2);
    expect(intervalAlone.out).toContain('--interval and --timeout need --wait');
  });

  it('--wait polls the status URL with a progress line, prints the summary and exits 0', async () => {
    // Act
    const waited = await run(
      [base, 'teardown', 'run', '--body', JSON.stringify({ dryRun: true }), '--wait', '--interval', '1'],
      { WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET },
    );

    // Assess
    expect(waited.code).toBe(0);
    expect(waited.out).toMatch(/waiting for run_[A-Za-z0-9_-]+: \w+ \(\d+ s\)/);
    expect(waited.out).toMatch(/run run_[A-Za-z0-9_-]+ \(teardown run\): completed/);
    expect(waited.out).toContain('"dryRun": true');
  });

  it('--local --wait: a slow job (Console latency) is answered 202 first, its progress shows it unfinished, then the summary', async () => {
    // Act: every Console answer takes 1.5 s, so the run takes several seconds after the 202
    const slow = await run(
      [
        '--local',
        'teardown',
        'run',
        '--body',
        JSON.stringify({ dryRun: true }),
        '--wait',
        '--interval',
        '1',
        '--latency',
        '1500',
      ],
      {},
    );

    // Assess: the order of what it printed, not how long anything took
    expect(slow.code).toBe(0);
    const accepted = slow.out.indexOf('→ 202');
    const unfinished = slow.out.search(/waiting for run_[A-Za-z0-9_-]+: (accepted|running) \(\d+ s\)/);
    const completed = slow.out.search(/waiting for run_[A-Za-z0-9_-]+: completed/);
    const summary = slow.out.search(/run run_[A-Za-z0-9_-]+ \(teardown run\): completed/);
    expect(accepted).toBeGreaterThan(-1);
    expect(unfinished).toBeGreaterThan(accepted);
    expect(completed).toBeGreaterThan(unfinished);
    expect(summary).toBeGreaterThan(-1);
    expect(slow.out).toContain('"job": "teardown"');
    expect(slow.out).not.toContain('No application metrics');
  }, 120_000);

  it('--local --wait exits 1 when the run fails (a keep-alive for a cluster that does not exist)', async () => {
    // Act
    const failed = await run(
      ['--local', 'teardown', 'keep-alive', '--body', keepAlive('dev-nope'), '--wait'],
      {},
    );

    // Assess
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/\(teardown keep-alive\): failed/);
    expect(failed.out).toContain("no cluster has the uuid or name 'dev-nope'");
  }, 120_000);
});
