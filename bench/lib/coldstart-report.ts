// The pure parts of `npm run bench:coldstart`: byte sizes, medians, what a bundle is made of (from an
// esbuild metafile), the probe a fresh `node` process runs, and the `coldstart` section of
// docs/BENCHMARKS.md with a reading written from the figures themselves.

import { sectionOpening } from './machine.ts';
import { formatMs, markdownTable, percentile } from './report.ts';
import type { MachineInfo } from './token-report.ts';

/** Decimal units, as bundle sizes are usually quoted: 812 B, 48.3 kB, 1.92 MB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`not a byte count: ${bytes}`);
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const kb = bytes / 1000;
  if (kb < 10) return `${kb.toFixed(2)} kB`;
  if (kb < 1000) return `${kb.toFixed(1)} kB`;
  const mb = kb / 1000;
  return mb < 10 ? `${mb.toFixed(2)} MB` : `${mb.toFixed(1)} MB`;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * The package (or project folder) a bundled input belongs to: `node_modules/@aws-sdk/client-dynamodb/…` →
 * `@aws-sdk/client-dynamodb`, `node_modules/zod/…` → `zod` (the innermost node_modules wins), project files
 * → their top two folders (`lib/console`), anything else → its path.
 */
export function packageOf(inputPath: string): string {
  const path = inputPath.replaceAll('\\', '/');
  const marker = 'node_modules/';
  const at = path.lastIndexOf(marker);
  if (at !== -1) {
    const rest = path.slice(at + marker.length).split('/');
    const [first, second] = rest;
    if (first?.startsWith('@') && second) return `${first}/${second}`;
    return first ?? path;
  }
  const parts = path.replace(/^(\.\.\/)+/, '').split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts.join('/');
}

/** The slice of an esbuild metafile these functions read. */
export interface MetafileLike {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

export interface Contributor {
  name: string;
  bytes: number;
  /** Share of the output's JavaScript bytes, 0–1. */
  share: number;
}

/** The JavaScript output of a single-entry build (not its .map). */
export function jsOutput(meta: MetafileLike): { path: string; bytes: number } {
  const found = Object.entries(meta.outputs).find(([path]) => !path.endsWith('.map'));
  if (!found) throw new Error('metafile has no JavaScript output');
  return { path: found[0], bytes: found[1].bytes };
}

/** Bytes in the output per package, largest first; the rest folded into `other (n packages)`. */
export function topContributors(meta: MetafileLike, limit = 8): Contributor[] {
  const out = Object.entries(meta.outputs).find(([path]) => !path.endsWith('.map'))?.[1];
  if (!out) return [];
  const totals = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
    const name = packageOf(input);
    totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
  }
  const sorted = [...totals].sort(([an, a], [bn, b]) => b - a || an.localeCompare(bn));
  const head = sorted.slice(0, limit);
  const tail = sorted.slice(limit);
  const total = out.bytes > 0 ? out.bytes : 1;
  const rows = head.map(([name, bytes]) => ({ name, bytes, share: bytes / total }));
  if (tail.length > 0) {
    const bytes = tail.reduce((sum, [, b]) => sum + b, 0);
    rows.push({ name: `other (${tail.length} packages)`, bytes, share: bytes / total });
  }
  return rows;
}

/**
 * The ES module a fresh `node --input-type=module -e` process runs: times `await import(bundle)` with
 * performance.now(), checks that `handler` is exported, then (when the bundle also exports it) times
 * building the container as the first invocation would, prints one JSON line and exits at once.
 */
export function probeSource(bundleUrl: string): string {
  return [
    'const t0 = performance.now();',
    `const m = await import(${JSON.stringify(bundleUrl)});`,
    'const t1 = performance.now();',
    "if (typeof m.handler !== 'function') throw new Error('the bundle exports no handler function');",
    'let t2 = t1;',
    "if (typeof m.getContainer === 'function') { m.getContainer(); t2 = performance.now(); }",
    'process.stdout.write(JSON.stringify({ initMs: t1 - t0, readyMs: t2 - t0, ' +
      "maxRssKiB: process.resourceUsage().maxRSS }) + '\\n');",
    'process.exit(0);',
  ].join('\n');
}

export interface ProbeResult {
  /** `await import(bundle)` until `handler` is exported. */
  initMs: number;
  /** Import plus building the container (the project's first invocation does that before any I/O). */
  readyMs: number;
  maxRssKiB: number;
}

export interface SubjectResult {
  /** e.g. `backup` or `baseline: @camunda8/sdk`. */
  name: string;
  kind: 'project' | 'baseline';
  bundleBytes: number;
  mapBytes: number;
  /** Median of the samples. */
  initMs: number;
  readyMs: number;
  /** Spawn to exit, measured by the parent. */
  processMs: number;
  /** Fastest and slowest import, for the spread. */
  initMinMs: number;
  initMaxMs: number;
  maxRssKiB: number;
  samples: number;
  contributors: Contributor[];
}

export interface ColdstartReport {
  machine: MachineInfo;
  date: string;
  command: string;
  durationMs: number;
  /** 1-minute load average when the run started and when it ended: other work on the machine skews timings. */
  load: { start: number; end: number };
  runs: number;
  warmup: number;
  sdkVersion: string;
  target: string;
  nodeOptions: string;
  /** `node --version` of the binary that loaded the bundles (the machine's own unless `--node` named another). */
  probeNode: string;
  subjects: SubjectResult[];
}

/**
 * Issue #15: every function's initialisation, container construction included, at most a quarter of the
 * baseline's (which builds its client at import), and its bundle at most 500 kB.
 */
export const COLDSTART_GOAL = { maxShareOfBaseline: 0.25, maxBundleBytes: 500_000 } as const;

/** Init plus container construction above the goal's share of the baseline's. */
export function missesTimeGoal(subject: SubjectResult, baseline: SubjectResult): boolean {
  return subject.readyMs > baseline.readyMs * COLDSTART_GOAL.maxShareOfBaseline;
}

export function missesSizeGoal(subject: SubjectResult): boolean {
  return subject.bundleBytes > COLDSTART_GOAL.maxBundleBytes;
}

/** A project subject that misses the time or the size goal. */
export function missesGoal(subject: SubjectResult, baseline: SubjectResult): boolean {
  return missesTimeGoal(subject, baseline) || missesSizeGoal(subject);
}

function contributorsLine(s: SubjectResult): string {
  return s.contributors
    .map((c) => `${c.name} ${formatBytes(c.bytes)} (${Math.round(c.share * 100)} %)`)
    .join(', ');
}

export function renderColdstartSection(r: ColdstartReport): string {
  const _m = r.machine;
  const baseline = r.subjects.find((s) => s.kind === 'baseline');
  const rows = r.subjects.map((s) => [
    s.kind === 'baseline' ? `${s.name} (baseline)` : `${s.name}`,
    formatBytes(s.bundleBytes),
    formatMs(s.initMs),
    `${formatMs(s.initMinMs)} – ${formatMs(s.initMaxMs)}`,
    s.kind === 'project' ? formatMs(s.readyMs) : `${formatMs(s.readyMs)} (client built at import)`,
    formatMs(s.processMs),
    baseline && s.kind === 'project' ? `${Math.round((s.initMs / baseline.initMs) * 100)} %` : '—',
    baseline && s.kind === 'project' ? `${Math.round((s.readyMs / baseline.readyMs) * 100)} %` : '—',
    `${((s.maxRssKiB * 1024) / 1e6).toFixed(0)} MB`,
  ]);
  const table = markdownTable(
    [
      'function',
      'bundle (.mjs)',
      'init: import → handler exported (median)',
      'init min – max',
      'init + container built (median)',
      'whole process (median)',
      'init vs baseline',
      'init + container vs baseline',
      'RSS after init',
    ],
    rows,
  );
  const makeup = r.subjects.map((s) => `- **${s.name}**: ${contributorsLine(s)}.`);
  return [
    ...sectionOpening('Cold start: bundle size and module initialisation', r, r.load),
    'Each `functions/*/handler.ts` is bundled as the CDK stack bundles it, with the settings the stack takes from ' +
      '`infra/bundling/function-bundle.ts` (esbuild, ESM, minify, platform node, ' +
      `target ${r.target}, main fields module/main, the createRequire banner, source map, no legal comments, ` +
      'nothing external, the SDK’s default credential chain aliased to an environment-only provider and its ' +
      'event-stream codec to a stub, four pure-JavaScript modules (SHA-256, base64, an LRU cache, the SDK’s ' +
      'checksum fallback) to Node built-ins, middy’s stream built-ins to stand-ins that load them on first use, ' +
      '`node:fs` taken through `require`, the resolved `LOCAL_CONFIG` inlined with its digest as the stack inlines ' +
      'it, so that the function takes it as validated). ' +
      `The **baseline** is \`bench/baseline/sdk-handler.ts\`: the same Console call (list clusters) through Camunda’s SDK ` +
      `(\`@camunda8/sdk\` ${r.sdkVersion}, \`new Camunda8().getAdminApiClient()\` at module scope, as its docs show), ` +
      'bundled the same way; it needs two concessions to load from a bundle at all: `win-ca` (a Windows-only native ' +
      'module it requires lazily) is left external, and its `GetPackageVersion` modules, which read ' +
      '`__dirname/../../package.json` at import and crash in an ESM bundle, are replaced by the version string. ' +
      `Each bundle is loaded ${r.runs} times, in turn with the others, by a fresh Node ${r.probeNode.replace(/^v/, '')} process ` +
      `(\`NODE_OPTIONS=${r.nodeOptions}\` as the stack sets it; ${r.warmup} unrecorded warm-up process(es) per bundle ` +
      'first, so that the file is in the page cache) that times `await import(bundle)` with `performance.now()` ' +
      'until `handler` is exported. For the project it then times building the container (`getContainer()`, exported ' +
      'from a second bundle of the same entry for this purpose only), which Lambda pays at the first invocation ' +
      'because the composition root is lazy. **Whole process** is spawn to exit as the parent sees it (Node’s own ' +
      'start-up included). Figures are medians.',
    '',
    table,
    '',
    'What the bundles are made of (bytes in the minified output, by package):',
    '',
    ...makeup,
    '',
    coldstartReading(r),
  ].join('\n');
}

export function coldstartReading(r: ColdstartReport): string {
  const baseline = r.subjects.find((s) => s.kind === 'baseline');
  const project = r.subjects.filter((s) => s.kind === 'project');
  if (!baseline || project.length === 0)
    return 'No comparison: the baseline or the project bundles are missing.';
  const sentences: string[] = [];
  const share = (ms: number) => `${Math.round((ms / baseline.readyMs) * 100)} %`;
  const list = project.map((s) => `${s.name} ${formatMs(s.readyMs)} (${share(s.readyMs)})`).join(', ');
  const quarter = formatMs(baseline.readyMs * COLDSTART_GOAL.maxShareOfBaseline);
  const slow = project.filter((s) => missesTimeGoal(s, baseline));
  const big = project.filter(missesSizeGoal);
  sentences.push(
    slow.length === 0
      ? `Initialisation plus container construction of every function (${list}) is at most a quarter of the ` +
          `SDK baseline’s ${formatMs(baseline.readyMs)}, whose client is built at import (goal ≤ ${quarter}): met.`
      : `${slow.map((s) => s.name).join(', ')} miss the time goal: initialisation plus container construction ` +
          `${list} against the baseline’s ${formatMs(baseline.readyMs)} (goal ≤ ${quarter}).`,
  );
  const limit = formatBytes(COLDSTART_GOAL.maxBundleBytes);
  sentences.push(
    big.length === 0
      ? `Every bundle is at most ${limit}: met.`
      : `${big.map((s) => `${s.name} (${formatBytes(s.bundleBytes)})`).join(', ')} miss the size goal of ${limit}.`,
  );
  const biggest = project.reduce((a, b) => (b.bundleBytes > a.bundleBytes ? b : a));
  const top = biggest.contributors[0];
  sentences.push(
    `The bundles are ${project.map((s) => formatBytes(s.bundleBytes)).join(', ')} against the baseline’s ` +
      `${formatBytes(baseline.bundleBytes)}` +
      (top
        ? `; the largest part of ${biggest.name}’s is ${top.name} (${Math.round(top.share * 100)} %).`
        : '.'),
  );
  sentences.push(
    'Neither figure includes a network call (no token, no Console request); clients a given invocation may ' +
      'not need (KMS, EventBridge, the Secrets Manager writer) are built by the invocation that first uses them.',
  );
  sentences.push(
    `Local figures on Node ${r.probeNode.replace(/^v/, '')}: Lambda runs Node 24 on arm64 with a CPU share set by ` +
      'the memory size, so absolute times differ there; the ratio to the baseline is the figure to compare.',
  );
  return sentences.join(' ');
}
