// One job run for `npm run bench:jobs`, in a process of its own so that its peak RSS is the job's alone.
// Bundled with esbuild and run with plain `node` (as a Lambda runs its bundle): the REAL handler, wired by
// the composition root from the environment (config JSON, table, simulator URLs) exactly as in Lambda,
// invoked once with the input EventBridge Scheduler sends. Writes one JSON result to BENCH_RESULT_FILE
// (stdout carries the function's own logs and metrics).
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Context } from 'aws-lambda';
import { type JobName, RunFailedError, type RunSummary } from '#lib/jobs/types.ts';
import { getContainer } from '#lib/runtime/container.ts';
import { lambdaContext } from '#local/lambda-context.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Static imports per job, so esbuild bundles all three and only the chosen one is evaluated. */
async function loadHandler(job: JobName): Promise<Handler> {
  if (job === 'backup') return (await import('#functions/backup/handler.ts')).handler as Handler;
  if (job === 'teardown') return (await import('#functions/teardown/handler.ts')).handler as Handler;
  if (job === 'secrets-sync') return (await import('#functions/secrets-sync/handler.ts')).handler as Handler;
  return (await import('#functions/allowlist-sync/handler.ts')).handler as Handler;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`jobs-worker: ${name} is not set`);
  return value;
}

const job = required('BENCH_JOB') as JobName;
const action = required('BENCH_ACTION');
const resultFile = required('BENCH_RESULT_FILE');
const budgetMs = Number(required('BENCH_BUDGET_MS'));

const handler = await loadHandler(job);
const event = { job, action, scheduledTime: new Date().toISOString(), executionId: randomUUID() };
const began = performance.now();
const cpuBefore = process.cpuUsage();
let summary: RunSummary | undefined;
let error: string | undefined;
try {
  const result = await handler(event, lambdaContext(job, budgetMs));
  summary = result as RunSummary;
} catch (err) {
  if (err instanceof RunFailedError) summary = err.summary;
  else error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
const wallMs = performance.now() - began;
const cpu = process.cpuUsage(cpuBefore);

// Why clusters failed or were skipped, grouped (the summary itself can be large).
const reasons: Record<string, number> = {};
const actions: Record<string, number> = {};
for (const c of summary?.clusters ?? []) {
  if (c.status === 'done') actions[c.action] = (actions[c.action] ?? 0) + 1;
  else {
    const why = `${c.status}: ${c.status === 'failed' ? c.error : c.reason}`.slice(0, 160);
    reasons[why] = (reasons[why] ?? 0) + 1;
  }
}

const client = getContainer().console.stats;
writeFileSync(
  resultFile,
  JSON.stringify({
    job,
    action,
    wallMs,
    error,
    counts: summary?.counts,
    clusters: summary?.clusters.length ?? 0,
    notes: summary?.notes ?? [],
    actions,
    reasons,
    // Kilobytes on Linux (getrusage ru_maxrss).
    maxRssKiB: process.resourceUsage().maxRSS,
    // Microseconds → ms: the handler's own CPU, to tell a CPU-starved run from a rate-limited one.
    cpuMs: (cpu.user + cpu.system) / 1000,
    client: {
      requests: client.requests,
      retries: client.retries,
      throttled: client.throttled,
      failures: client.failures,
      gateWaits: client.gateWaits,
      throttledMs: client.throttledMs,
    },
  }),
);
// Open keep-alive sockets (DynamoDB, the Console) would hold the process for seconds: the result is written.
process.exit(0);
