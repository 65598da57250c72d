// `npm run bench:webhook`: acceptance latency (p50/p99) of signed teardown webhooks through the real ingress
// handler against the local stack (embedded DynamoDB, local bus delivering to the real teardown handler), with a
// quick job and with a slow job behind it, and rewrites the `webhook` section of docs/BENCHMARKS.md.
// Not a test: it asserts nothing, it measures.

import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LOCAL_WEBHOOK_SECRET } from '#local/env.ts';
import { startLocalStack } from '../scripts/lib/local-stack.ts';
import { sendWebhook } from '../scripts/lib/send-webhook.ts';
import { benchCommand, isoSeconds, loadAverage, machineInfo } from './lib/machine.ts';
import { formatMs, writeSection } from './lib/report.ts';
import { latency, renderWebhookSection, type WebhookScenario } from './lib/webhook-report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const USAGE = `usage: npm run bench:webhook -- [options]
  --requests 200       recorded requests per scenario (at least 200 for a p99 worth the name)
  --warmup 10          unrecorded requests per scenario first
  --slow-latency 2000  ms the simulator adds to every Console answer in the slow-job scenario
  --out docs/BENCHMARKS.md
  --no-write           print the section instead of writing the file`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_DEV ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const args = process.argv.slice(2);
const parsed = (() => {
  try {
    return parseArgs({
      args,
      options: {
        requests: { type: 'string', default: '200' },
        warmup: { type: 'string', default: '10' },
        'slow-latency': { type: 'string', default: '2000' },
        out: { type: 'string', default: 'docs/BENCHMARKS.md' },
        'no-write': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  }
})();
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}
const whole = (name: string, value: string, min: number, max: number) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}, got '${value}'\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const requests = whole('requests', parsed.requests, 1, 10_000);
const warmup = whole('warmup', parsed.warmup, 0, 1000);
const slowLatency = whole('slow-latency', parsed['slow-latency'], 0, 60_000);

// Powertools' notice after every invocation without application metrics: noise on a bench's stderr.
const write = process.stderr.write.bind(process.stderr) as (chunk: unknown, ...rest: unknown[]) => boolean;
process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
  String(chunk).startsWith('No application metrics')
    ? true
    : write(chunk, ...rest)) as typeof process.stderr.write;

async function scenario(label: string, consoleLatencyMs: number): Promise<WebhookScenario> {
  const stack = await startLocalStack({ sim: { latencyMs: consoleLatencyMs } });
  const acceptMs: number[] = [];
  let refused = 0;
  try {
    for (let i = 0; i < warmup + requests; i++) {
      const started = performance.now();
      const sent = await sendWebhook({
        url: stack.webhookUrl,
        job: 'teardown',
        action: 'run',
        body: JSON.stringify({ dryRun: true }),
        secret: LOCAL_WEBHOOK_SECRET,
      });
      const took = performance.now() - started;
      if (sent.status !== 202) refused++;
      if (i >= warmup) acceptMs.push(took);
    }
    process.stdout.write(`${label}: ${requests} accepted, waiting for the runs… `);
    await stack.bus.idle();
    const runMs: number[] = [];
    let runsFailed = stack.bus.delivered.filter((d) => d.error !== undefined).length;
    for (const e of stack.bus.events) {
      if (e.detailType !== 'teardown.run.result') continue;
      const d = e.detail as { startedAt?: string; finishedAt?: string; failed?: boolean };
      if (d.failed) runsFailed++;
      if (d.startedAt && d.finishedAt) runMs.push(Date.parse(d.finishedAt) - Date.parse(d.startedAt));
    }
    const a = latency(acceptMs);
    console.log(`p50 ${formatMs(a.p50)}, p99 ${formatMs(a.p99)}; ${runMs.length} runs`);
    return { label, consoleLatencyMs, acceptMs, runMs, refused, runsFailed };
  } finally {
    await stack.close();
  }
}

const startedAt = new Date();
const t0 = performance.now();
const loadAtStart = loadAverage();
const scenarios = [
  await scenario('quick job (Console latency 0 ms)', 0),
  await scenario(`slow job (Console latency ${slowLatency} ms)`, slowLatency),
];
const section = renderWebhookSection({
  date: isoSeconds(startedAt),
  machine: machineInfo(),
  durationMs: performance.now() - t0,
  command: benchCommand('bench:webhook', 'bench/webhook.ts', args),
  load: { start: loadAtStart, end: loadAverage() },
  warmup,
  scenarios,
});
if (parsed['no-write']) {
  console.log(section);
} else {
  const out = resolve(ROOT, parsed.out);
  await writeSection(out, 'webhook', section);
  console.log(`wrote the webhook section of ${out}`);
}
