// `npm run bench:jobs`: each job (backup run, teardown run, allowlist sync, secrets sync) over a generated org of 1,000
// clusters behind a rate-limited, slow simulator, driven through the REAL handler in a fresh process per
// job. Reports wall time against the bound the Console rate limit sets, peak RSS, Console calls per
// cluster and duplicate actions, and rewrites the `jobs` section of docs/BENCHMARKS.md (a run of some of
// the jobs, `--jobs`, writes a section of its own: see jobsSection).
// Not a test: it asserts nothing, it measures.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deepMerge, resolveConfig } from '#lib/config/load.ts';
import { METRICS_NAMESPACE } from '#lib/runtime/metrics.ts';
import { bundleEntry } from '#local/bundle.ts';
import { startDynalite } from '#local/dynalite.ts';
import { LOCAL_CONFIG, LOCAL_WEBHOOK_SECRET } from '#local/env.ts';
import { startSimulator } from '#local/sim/index.ts';
import {
  ACTION_ROUTES,
  auditActions,
  boundRatio,
  type ConsoleLimit,
  consoleCalls,
  type JobRun,
  type JobsBenchReport,
  jobsSection,
  rateLimitBoundMs,
  renderJobsSection,
  rssMB,
  type WorkerResult,
} from './lib/jobs-report.ts';
import { benchCommand, isoSeconds, loadAverage, machineInfo } from './lib/machine.ts';
import { formatMs, writeSection } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./jobs-worker.ts', import.meta.url));
const JOBS = [
  { job: 'backup', action: 'run', label: 'backup run' },
  { job: 'teardown', action: 'run', label: 'teardown run' },
  { job: 'allowlist-sync', action: 'sync', label: 'allowlist sync' },
  { job: 'secrets-sync', action: 'sync', label: 'secrets sync' },
] as const;

const USAGE = `usage: npm run bench:jobs -- [options]
  --clusters 1000      clusters in the generated org
  --rate 50            Console rate limit: requests per second (token bucket refill)
  --burst 50           Console rate limit: bucket size
  --latency 100        ms the simulator adds to every Console answer
  --concurrency 10     the config's concurrency (cluster work at once; the schema caps it at 50)
  --jobs backup,teardown,allowlist-sync,secrets-sync
                       (some of them: their figures go to a section of their own, jobs-<job>…)
  --out docs/BENCHMARKS.md
  --no-write           print the section instead of writing the file`;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const args = process.argv.slice(2);
const parsed = (() => {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        clusters: { type: 'string', default: '1000' },
        rate: { type: 'string', default: '50' },
        burst: { type: 'string', default: '50' },
        latency: { type: 'string', default: '100' },
        concurrency: { type: 'string', default: '10' },
        jobs: { type: 'string', default: JOBS.map((j) => j.job).join(',') },
        out: { type: 'string', default: 'docs/BENCHMARKS.md' },
        'no-write': { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
})();

function whole(name: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) {
    process.stderr.write(`--${name}: '${text}' is not a whole number ≥ ${min}\n${USAGE}\n`);
    process.exit(2);
  }
  return Number(text);
}

const orgClusters = whole('clusters', parsed.clusters, 1);
const limit: ConsoleLimit = {
  perSecond: whole('rate', parsed.rate, 1),
  burst: whole('burst', parsed.burst, 1),
};
const latencyMs = whole('latency', parsed.latency, 0);
const concurrency = whole('concurrency', parsed.concurrency, 1);
const selectedJobs = parsed.jobs.split(',').map((j) => j.trim());
const unknownJobs = selectedJobs.filter((j) => !JOBS.some((x) => x.job === j));
if (unknownJobs.length > 0) {
  process.stderr.write(`--jobs: unknown job(s) ${unknownJobs.join(', ')}\n${USAGE}\n`);
  process.exit(2);
}
const target = jobsSection(selectedJobs, JOBS, orgClusters);
/** Lambda's longest timeout: far more than any job here needs, so no cluster is deferred for time. */
const BUDGET_MS = 15 * 60_000;
const PROCESS_TIMEOUT_MS = BUDGET_MS + 60_000;

// LOCAL_CONFIG's selectors fit the generated org too (labels env-<stage>, names <stage>-<team>-<i>,
// Enterprise plans); the bench raises the concurrency and the teardown's deletion cap.
// The secrets sync gives every env-prod cluster one connector secret (one create per cluster: the audit counts
// a second create on a cluster as a duplicate) from a local source file standing in for Secrets Manager.
const config = resolveConfig({
  ...(deepMerge(LOCAL_CONFIG, {
    concurrency,
    teardown: { maxDeletionsPerRun: orgClusters },
  }) as Record<string, unknown>),
  secretsSync: {
    enabled: true,
    selector: { labels: ['env-prod'] },
    sources: { bench: { prefix: 'bench/' } },
  },
});
const BENCH_SECRETS = {
  secrets: [{ name: 'bench/API_KEY', value: 'bench-not-a-real-key' }],
};

const startedAt = new Date();
const began = performance.now();
const loadAtStart = loadAverage();
const [db, workerFile] = await Promise.all([startDynalite(), bundleEntry(WORKER)]);
const scratch = mkdtempSync(join(tmpdir(), 'cca-bench-jobs-'));
const runs: JobRun[] = [];
try {
  for (const spec of JOBS.filter((j) => selectedJobs.includes(j.job))) runs.push(await runJob(spec));
} finally {
  await db.close();
  await rm(scratch, { recursive: true, force: true });
}

const report: JobsBenchReport = {
  machine: machineInfo(),
  date: isoSeconds(startedAt),
  command: benchCommand('bench:jobs', 'bench/jobs.ts', args),
  durationMs: performance.now() - began,
  load: { start: loadAtStart, end: loadAverage() },
  orgClusters,
  latencyMs,
  limit,
  concurrency,
  budgetMs: BUDGET_MS,
  policies: {
    'backup run': `selector \`${JSON.stringify(config.backup.selector)}\`, mode ${config.backup.mode}, minIntervalHours ${config.backup.minIntervalHours}`,
    'teardown run': `selector \`${JSON.stringify(config.teardown.selector)}\`, maxDeletionsPerRun raised to ${config.teardown.maxDeletionsPerRun}`,
    'allowlist sync': `selector \`${JSON.stringify(config.allowlist.selector)}\`, static entries: ${config.allowlist.static.length}, no stored source`,
    'secrets sync': `selector \`${JSON.stringify(config.secretsSync.selector)}\`, ${BENCH_SECRETS.secrets.length} source secret → 1 connector secret per cluster (local source file)`,
  },
  runs,
  title: target.title,
};
const section = renderJobsSection(report);
if (!parsed['no-write']) {
  const out = resolve(ROOT, parsed.out);
  await writeSection(out, target.name, section);
  process.stdout.write(`\nwrote the ${target.name} section of ${parsed.out}\n`);
}
process.stdout.write(`\n${section}\n`);

// ---------------------------------------------------------------------------------------------------

async function runJob(spec: (typeof JOBS)[number]): Promise<JobRun> {
  const sim = await startSimulator({
    seed: { clusters: orgClusters },
    latencyMs,
    consoleRateLimit: limit,
    backupDurationMs: 60_000,
    clusterCreateMs: 60_000,
  });
  try {
    const table = await db.createTable();
    const resultFile = join(scratch, `${spec.job}.json`);
    const secretsFile = join(scratch, 'secrets-source.json');
    writeFileSync(secretsFile, JSON.stringify(BENCH_SECRETS));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      STATE_TABLE_NAME: table,
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      CAMUNDA_CONSOLE_BASE_URL: sim.url,
      CAMUNDA_OAUTH_URL: sim.oauthUrl,
      CAMUNDA_CONSOLE_OAUTH_AUDIENCE: sim.audience,
      CAMUNDA_CONSOLE_CLIENT_ID: sim.clientId,
      CAMUNDA_CONSOLE_CLIENT_SECRET: sim.clientSecret,
      WEBHOOK_SECRETS: LOCAL_WEBHOOK_SECRET,
      AUTOMATION_CONFIG: JSON.stringify(config),
      POWERTOOLS_SERVICE_NAME: spec.job,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      SECRETS_SYNC_LOCAL_FILE: secretsFile,
      BENCH_JOB: spec.job,
      BENCH_ACTION: spec.action,
      BENCH_RESULT_FILE: resultFile,
      BENCH_BUDGET_MS: String(BUDGET_MS),
    };
    const { code, stderr } = await runWorker(env);
    let worker: WorkerResult;
    try {
      worker = JSON.parse(readFileSync(resultFile, 'utf8')) as WorkerResult;
    } catch {
      throw new Error(`${spec.label}: the worker wrote no result (exit ${code}): ${stderr.slice(-2000)}`);
    }
    const calls = consoleCalls(sim.requestLog);
    const audit = auditActions(sim.requestLog, ACTION_ROUTES[spec.job]);
    const run: JobRun = {
      label: spec.label,
      worker,
      calls,
      audit,
      boundMs: rateLimitBoundMs(calls.needed, limit),
    };
    process.stdout.write(
      `${spec.label}: ${worker.clusters} clusters ${JSON.stringify(worker.counts)}, ${calls.needed} calls ` +
        `(+${calls.throttled} × 429), wall ${formatMs(worker.wallMs)} vs bound ${formatMs(run.boundMs)} ` +
        `(${boundRatio(run).toFixed(2)}×), worker CPU ${formatMs(worker.cpuMs ?? Number.NaN)}, ` +
        `RSS ${rssMB(worker.maxRssKiB).toFixed(0)} MB, ` +
        `${audit.applied} applied on ${audit.clusters} clusters, ${audit.duplicates} duplicate(s)\n`,
    );
    return run;
  } finally {
    await sim.close();
  }
}

function runWorker(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    // stdout carries the function's logs and EMF metrics: not needed here.
    const child = spawn(process.execPath, [workerFile], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stderr });
    });
  });
}
