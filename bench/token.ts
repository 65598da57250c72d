// `npm run bench:token`: how many auth requests a herd of concurrent cold starts makes with the shared
// token provider versus per-instance caching, how many of the baseline's would be refused under
// Camunda's ~1 req/s limit, and what a cold and a warm getToken() cost. Rewrites the `token` section of
// docs/BENCHMARKS.md with the figures of this run. Not a test: it asserts nothing, it measures.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { tokenProviderFromEnv } from '#lib/token/from-env.ts';
import { bundleEntry } from '#local/bundle.ts';
import { startDynalite } from '#local/dynalite.ts';
import { startDynamoProxy } from '#local/dynamo-proxy.ts';
import { type RunningSimulator, startSimulator } from '#local/sim/index.ts';
import { benchCommand, isoSeconds, loadAverage, machineInfo } from './lib/machine.ts';
import { BenchOptionsError, parseTokenBenchOptions, TOKEN_BENCH_USAGE } from './lib/options.ts';
import { summarize, writeSection } from './lib/report.ts';
import {
  type ColdResult,
  type HerdPass,
  type HerdRow,
  renderTokenSection,
  type TokenBenchReport,
  type WarmResult,
} from './lib/token-report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./token-worker.ts', import.meta.url));
/** Camunda's auth server: about one token request per second per source, then a block. */
const CAMUNDA_LIMIT = { perSecond: 1, blockMs: 30_000 };
const PROCESS_TIMEOUT_MS = 180_000;
const WARMUP_CALLS = 1_000;
/**
 * Timeouts of the provider in the herds (unless --production-timeouts): N processes sharing a couple of
 * cores delay one another by seconds, which separate Lambda instances do not, and the production 4 s auth
 * timeout and 15 s wait would then turn the benchmark machine's CPU queue into failures. As long as the
 * lease holder finishes within its lease, who calls the auth server, who waits and who reads do not
 * depend on these values.
 */
const RELAXED_HERD_TUNING = { authTimeoutMs: 30_000, leaseMs: 35_000, maxWaitMs: 90_000 };

interface WorkerOutput {
  ok: boolean;
  tokenHash?: string;
  origin?: string;
  code?: string;
  message?: string;
  ms?: number;
  cpuMs?: number;
  lateMs?: number;
}

// The AWS SDK's Node version notice is noise in a benchmark's output (the workers get the same setting).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let options: ReturnType<typeof parseTokenBenchOptions>;
try {
  options = parseTokenBenchOptions(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof BenchOptionsError)) throw err;
  process.stderr.write(`${err.message}\n${TOKEN_BENCH_USAGE}\n`);
  process.exit(2);
}

const herdTuning = options.productionTimeouts ? undefined : RELAXED_HERD_TUNING;
const startedAt = new Date();
const loadAtStart = loadAverage();
const began = performance.now();
const [db, workerFile] = await Promise.all([startDynalite(), bundleEntry(WORKER)]);
let report: TokenBenchReport;
try {
  const herds: HerdRow[] = [];
  for (const n of options.sizes) {
    const project = await herd(n, { shared: true, limited: false });
    const baseline = await herd(n, { shared: false, limited: false });
    const projectLimited = await herd(n, { shared: true, limited: true });
    const baselineLimited = await herd(n, { shared: false, limited: true });
    herds.push({ n, project, baseline, projectLimited, baselineLimited });
  }
  const cold = await coldSamples(options.coldSamples);
  const warm = await warmCalls(options.warmIterations);
  report = {
    machine: machineInfo(),
    loadAverage: { start: loadAtStart, end: loadAverage() },
    herdTuning: herdTuning ?? 'production',
    date: isoSeconds(startedAt),
    command: benchCommand('bench:token', 'bench/token.ts', process.argv.slice(2)),
    durationMs: performance.now() - began,
    limit: CAMUNDA_LIMIT,
    herds,
    cold,
    warm,
  };
} finally {
  await db.close();
}

const section = renderTokenSection(report);
if (options.write) {
  const out = resolve(ROOT, options.out);
  await writeSection(out, 'token', section);
  log(`\nwrote the token section of ${options.out}`);
  // The same figures as data, beside the markdown: bench/auth-chart.ts draws docs/auth-requests.svg from them.
  const figures = resolve(dirname(out), 'bench-token.json');
  await writeFile(figures, `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${relative(ROOT, figures)}`);
}
process.stdout.write(`\n${section}\n`);

// ---------------------------------------------------------------------------------------------------

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The env of a cold process: nothing inherited that could change the wiring (a table, a secret id). */
function workerEnv(sim: RunningSimulator, table: string | undefined, dynamoEndpoint: string) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(CAMUNDA_|AWS_|STATE_TABLE|HERD_|BENCH_)/.test(k)) continue;
    env[k] = v;
  }
  return {
    ...env,
    CAMUNDA_OAUTH_URL: sim.oauthUrl,
    CAMUNDA_CONSOLE_OAUTH_AUDIENCE: sim.audience,
    CAMUNDA_CONSOLE_CLIENT_ID: sim.clientId,
    CAMUNDA_CONSOLE_CLIENT_SECRET: sim.clientSecret,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...(table ? { STATE_TABLE_NAME: table, AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint } : {}),
  };
}

interface Spawned {
  /** Resolves true once the process printed `ready` (false if it exited first). */
  ready: Promise<boolean>;
  /** Tells a herd worker when to call getToken(). */
  release(atEpochMs: number): void;
  /** The worker's JSON line, as soon as it is printed (or what is known when it exits without one). */
  result: Promise<WorkerOutput>;
  /** Lets a herd worker exit (it idles after its result so that exits do not slow the others). */
  finish(): void;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

function spawnWorker(env: Record<string, string>): Spawned {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [workerFile], { env });
  let stdout = '';
  let stderr = '';
  let markReady: (ready: boolean) => void = () => {};
  let markResult: (output: WorkerOutput) => void = () => {};
  const ready = new Promise<boolean>((r) => {
    markReady = r;
  });
  const result = new Promise<WorkerOutput>((r) => {
    markResult = r;
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    if (/^ready$/m.test(stdout)) markReady(true);
    const json = stdout.split('\n').find((line) => line.startsWith('{'));
    if (json !== undefined && stdout.includes(`${json}\n`)) markResult(parseOutput(json));
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.on('error', () => {});
  const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
  const exited = new Promise<void>((resolveExit) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      markReady(false);
      markResult({ ok: false, code: 'worker-crashed', message: `exit ${code}: ${stderr.slice(0, 300)}` });
      resolveExit();
    });
  });
  return {
    ready,
    release(at) {
      child.stdin.write(`go ${at}\n`);
    },
    result,
    finish() {
      child.stdin.end();
    },
    exited,
  };
}

function parseOutput(line: string): WorkerOutput {
  try {
    return JSON.parse(line) as WorkerOutput;
  } catch {
    return { ok: false, code: 'worker-crashed', message: `unreadable output: ${line.slice(0, 300)}` };
  }
}

/** A cold worker run on its own (not in a herd): its result once it has exited. */
async function runAlone(env: Record<string, string>): Promise<WorkerOutput> {
  const worker = spawnWorker(env);
  const [output] = await Promise.all([worker.result, worker.exited]);
  return output;
}

/** N processes, all loaded, then released at one instant; one fresh simulator (and table) per herd. */
async function herd(n: number, mode: { shared: boolean; limited: boolean }): Promise<HerdPass> {
  const sim = await startSimulator({ seed: 'empty', authRateLimit: mode.limited ? CAMUNDA_LIMIT : false });
  try {
    const table = mode.shared ? await db.createTable() : undefined;
    const env: Record<string, string> = { ...workerEnv(sim, table, db.endpoint), BENCH_WAIT_GO: '1' };
    if (herdTuning) env.BENCH_TUNING = JSON.stringify(herdTuning);
    const spawnedAt = performance.now();
    const workers = Array.from({ length: n }, () => spawnWorker(env));
    await Promise.all(workers.map((w) => w.ready));
    const loadedAt = performance.now();
    // Far enough ahead that every process has read its `go` before the instant comes.
    const at = Date.now() + 250 + 2 * n;
    for (const w of workers) w.release(at);
    const outputs = await Promise.all(workers.map((w) => w.result));
    const answeredAt = performance.now();
    for (const w of workers) w.finish();
    await Promise.all(workers.map((w) => w.exited));
    const failures: Record<string, number> = {};
    for (const o of outputs) {
      if (o.ok) continue;
      const key = o.code ?? 'unknown';
      failures[key] = (failures[key] ?? 0) + 1;
    }
    const ok = outputs.filter((o) => o.ok);
    const pass: HerdPass = {
      n,
      authRequests: sim.stats.auth.requests,
      rateLimitedAnswers: sim.stats.auth.rateLimited,
      ok: ok.length,
      failures,
      distinctTokens: new Set(ok.map((o) => o.tokenHash)).size,
      getTokenMs: summarize(ok.map((o) => o.ms ?? 0)),
      getTokenCpuMs: summarize(outputs.flatMap((o) => (o.cpuMs === undefined ? [] : [o.cpuMs]))),
      maxLateMs: Math.max(0, ...outputs.map((o) => o.lateMs ?? 0)),
    };
    log(
      `herd N=${n} ${mode.shared ? 'this project' : 'baseline    '} limit ${mode.limited ? 'on ' : 'off'}: ` +
        `${pass.authRequests} auth request(s), ${pass.rateLimitedAnswers} × 429, ${pass.ok}/${n} got a token, ` +
        `CPU p50 ${pass.getTokenCpuMs?.p50.toFixed(1)} ms, late ≤ ${Math.round(pass.maxLateMs)} ms, ` +
        `loading ${((loadedAt - spawnedAt) / 1000).toFixed(1)} s, herd ${((answeredAt - loadedAt) / 1000).toFixed(1)} s` +
        (Object.keys(failures).length > 0 ? `, failures ${JSON.stringify(failures)}` : ''),
    );
    const other = outputs.find((o) => !o.ok && o.code !== 'auth-blocked');
    if (other) log(`  e.g. ${other.code}: ${other.message}`);
    return pass;
  } finally {
    await sim.close();
  }
}

/** Cold processes one after another, each finding a token already in the table; DynamoDB calls counted. */
async function coldSamples(samples: number): Promise<ColdResult> {
  // A token lifetime long enough that no sample falls in the refresh-ahead window.
  const sim = await startSimulator({ seed: 'empty', authRateLimit: false, tokenLifetimeSec: 3600 });
  const proxy = await startDynamoProxy(db.endpoint);
  try {
    const table = await db.createTable();
    const env = workerEnv(sim, table, proxy.endpoint);
    const seeded = await runAlone(env);
    if (!seeded.ok || seeded.origin !== 'auth') {
      throw new Error(`seeding the shared token failed: ${JSON.stringify(seeded)}`);
    }
    const authBefore = sim.stats.auth.requests;
    const latencies: number[] = [];
    const callsPerProcess: number[] = [];
    const byOperation: Record<string, number> = {};
    const origins: Record<string, number> = {};
    let failed = 0;
    for (let i = 0; i < samples; i++) {
      const before = { ...proxy.calls };
      const output = await runAlone(env);
      let calls = 0;
      for (const [op, count] of Object.entries(proxy.calls)) {
        const d = count - (before[op] ?? 0);
        if (d > 0) byOperation[op] = (byOperation[op] ?? 0) + d;
        calls += d;
      }
      if (output.ok && output.ms !== undefined) {
        latencies.push(output.ms);
        callsPerProcess.push(calls);
        const origin = output.origin ?? 'unknown';
        origins[origin] = (origins[origin] ?? 0) + 1;
      } else {
        failed++;
      }
    }
    const result: ColdResult = {
      samples,
      latencyMs: summarize(latencies),
      failed,
      origins,
      dynamoCallsPerProcess: summarize(callsPerProcess),
      dynamoCallsByOperation: byOperation,
      authRequests: sim.stats.auth.requests - authBefore,
    };
    log(
      `cold: ${latencies.length}/${samples} ok, p50 ${result.latencyMs?.p50.toFixed(2)} ms, ` +
        `p95 ${result.latencyMs?.p95.toFixed(2)} ms, DynamoDB ${JSON.stringify(byOperation)}`,
    );
    return result;
  } finally {
    await proxy.close();
    await sim.close();
  }
}

/** In this process: one cold call to fill memory, unrecorded warm-up, then timed calls. */
async function warmCalls(iterations: number): Promise<WarmResult> {
  const sim = await startSimulator({ seed: 'empty', authRateLimit: false, tokenLifetimeSec: 3600 });
  try {
    const table = await db.createTable();
    const provider = tokenProviderFromEnv({ env: workerEnv(sim, table, db.endpoint), dynamo: db.client });
    await provider.getToken();
    for (let i = 0; i < WARMUP_CALLS; i++) await provider.getToken();
    const memoryBefore = provider.stats.memory;
    const latencies: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const callStart = performance.now();
      await provider.getToken();
      latencies.push(performance.now() - callStart);
    }
    const summary = summarize(latencies);
    if (!summary) throw new Error('no warm call was timed');
    const result = {
      iterations,
      warmup: WARMUP_CALLS,
      latencyMs: summary,
      fromMemory: provider.stats.memory - memoryBefore,
    };
    log(`warm: p50 ${(summary.p50 * 1000).toFixed(2)} µs, p95 ${(summary.p95 * 1000).toFixed(2)} µs`);
    return result;
  } finally {
    await sim.close();
  }
}
