// The pure parts of `npm run bench:jobs`: the time bound a Console rate limit sets, the Console calls and
// the duplicate actions read from the simulator's request log, the goals, and the `jobs` section of
// docs/BENCHMARKS.md with a reading written from the figures themselves.

import { sectionOpening } from './machine.ts';
import { formatMs, markdownTable } from './report.ts';
import type { MachineInfo } from './token-report.ts';

/** The simulator's token bucket in front of every Console request. */
export interface ConsoleLimit {
  perSecond: number;
  burst: number;
}

/**
 * The time `calls` Console requests take at the rate limit's sustained rate: calls ÷ rate, in
 * milliseconds. (A bucket that starts full lets a perfect client beat it by at most burst ÷ rate.)
 */
export function rateLimitBoundMs(calls: number, limit: Pick<ConsoleLimit, 'perSecond'>): number {
  if (!(limit.perSecond > 0)) throw new RangeError(`perSecond must be positive, got ${limit.perSecond}`);
  if (!(calls >= 0)) throw new RangeError(`calls must be ≥ 0, got ${calls}`);
  return (calls / limit.perSecond) * 1000;
}

/** The fields of a simulator request log entry these functions read. */
export interface LoggedRequest {
  method: string;
  path: string;
  /** 'oauth' or 'METHOD /template'; absent for a path that matched no operation. */
  route?: string;
  status: number;
}

/** The one call per job that changes a cluster: the call a duplicate would repeat. */
export const ACTION_ROUTES = {
  backup: 'POST /clusters/{clusterUuid}/backups',
  teardown: 'DELETE /clusters/{clusterUuid}',
  'allowlist-sync': 'PUT /clusters/{clusterUuid}/ipallowlist',
  'secrets-sync': 'POST /clusters/{clusterUuid}/secrets',
} as const;

/** `/clusters/<uuid>[/…]` → uuid; undefined for other paths (`/clusters`, `/clusters/parameters`). */
export function clusterIdOf(path: string): string | undefined {
  const id = /^\/clusters\/([^/?]+)/.exec(path)?.[1];
  if (id === undefined || id === 'parameters') return undefined;
  return decodeURIComponent(id);
}

export interface ConsoleCalls {
  /** Every Console request the simulator received (OAuth excluded). */
  total: number;
  /** Answered 429 by the rate limit. */
  throttled: number;
  /** The rest: the calls the job needed, which the rate limit bounds. */
  needed: number;
  /** Every request, by route. */
  byRoute: Record<string, number>;
}

export function consoleCalls(log: readonly LoggedRequest[]): ConsoleCalls {
  const byRoute: Record<string, number> = {};
  let total = 0;
  let throttled = 0;
  for (const r of log) {
    if (r.route === 'oauth') continue;
    total++;
    if (r.status === 429) throttled++;
    const route = r.route ?? `${r.method} (unmatched)`;
    byRoute[route] = (byRoute[route] ?? 0) + 1;
  }
  return { total, throttled, needed: total - throttled, byRoute };
}

export interface ActionAudit {
  route: string;
  /** Requests on the route that the Console applied (2xx). */
  applied: number;
  /** Distinct clusters they applied to. */
  clusters: number;
  /** Applied requests beyond the first for the same cluster. */
  duplicates: number;
  /** The clusters with more than one applied request (at most 10 listed). */
  duplicateClusters: string[];
  /** Requests on the route answered 429 (never applied by the simulator). */
  throttled: number;
  /** Requests on the route answered anything else (4xx/5xx, or no answer). */
  otherFailures: number;
}

/**
 * Reads the request log for one action route: how many requests the Console applied, to how many
 * clusters, and how many of them repeated an action already applied to the same cluster.
 */
export function auditActions(log: readonly LoggedRequest[], route: string): ActionAudit {
  const perCluster = new Map<string, number>();
  let applied = 0;
  let throttled = 0;
  let otherFailures = 0;
  for (const r of log) {
    if (r.route !== route) continue;
    if (r.status >= 200 && r.status < 300) {
      applied++;
      const id = clusterIdOf(r.path) ?? r.path;
      perCluster.set(id, (perCluster.get(id) ?? 0) + 1);
    } else if (r.status === 429) throttled++;
    else otherFailures++;
  }
  const repeated = [...perCluster].filter(([, n]) => n > 1);
  return {
    route,
    applied,
    clusters: perCluster.size,
    duplicates: repeated.reduce((sum, [, n]) => sum + n - 1, 0),
    duplicateClusters: repeated.slice(0, 10).map(([id]) => id),
    throttled,
    otherFailures,
  };
}

export type OutcomeCounts = { done: number; skipped: number; failed: number; deferred: number };

/** What the worker process reports about its run. */
export interface WorkerResult {
  job: keyof typeof ACTION_ROUTES;
  action: string;
  /** The handler invocation, from the worker's own clock. */
  wallMs: number;
  /** Set when the handler threw something other than a failed run. */
  error?: string;
  counts?: OutcomeCounts;
  /** Clusters in the summary (the ones the policy selected). */
  clusters: number;
  notes: string[];
  actions: Record<string, number>;
  /** `<status>: <reason or error>` → clusters. */
  reasons: Record<string, number>;
  /** process.resourceUsage().maxRSS: kilobytes. */
  maxRssKiB: number;
  /**
   * CPU time (user + system) the worker spent during the handler invocation. Near the wall time, the run was
   * bound by its own CPU (a loaded machine), not by the rate limit or the latency.
   */
  cpuMs?: number;
  client: {
    requests: number;
    retries: number;
    throttled: number;
    failures: number;
    gateWaits: number;
    throttledMs: number;
  };
}

export interface JobRun {
  label: string;
  worker: WorkerResult;
  calls: ConsoleCalls;
  audit: ActionAudit;
  boundMs: number;
}

export interface JobsBenchReport {
  machine: MachineInfo;
  date: string;
  command: string;
  durationMs: number;
  /** 1-minute load average when the run started and when it ended: other work on the machine skews timings. */
  load: { start: number; end: number };
  orgClusters: number;
  latencyMs: number;
  limit: ConsoleLimit;
  concurrency: number;
  budgetMs: number;
  /** Per job label, the policy's selector as JSON (and any other setting the bench changed). */
  policies: Record<string, string>;
  runs: JobRun[];
  /** The section's heading (see `jobsSection`); the full run's when absent. */
  title?: string;
}

/**
 * Where a run's figures go in docs/BENCHMARKS.md, and under which heading: the run of every job rewrites
 * `jobs`; a run of some of them (`--jobs`) writes a section of its own named after them, so that measuring
 * one job again never drops the other jobs' figures.
 */
export function jobsSection(
  selected: readonly string[],
  all: ReadonlyArray<{ job: string; label: string }>,
  orgClusters: number,
): { name: string; title: string } {
  const chosen = all.filter((j) => selected.includes(j.job));
  const clusters = `${orgClusters.toLocaleString('en')} clusters`;
  if (chosen.length === all.length) {
    return { name: 'jobs', title: `Jobs: ${clusters} through the real handlers` };
  }
  const labels = chosen.map((j) => j.label);
  const named = labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}` : labels[0];
  return {
    name: ['jobs', ...chosen.map((j) => j.job)].join('-'),
    title: `Jobs: ${named} alone, ${clusters} through the real handler${chosen.length > 1 ? 's' : ''}`,
  };
}

export const GOALS = { maxBoundRatio: 1.25, maxRssMB: 200, duplicates: 0 } as const;

/** Clusters the summary reports done (each `done` outcome is one action). */
export function reportedActions(run: Pick<JobRun, 'worker'>): number {
  return Object.values(run.worker.actions).reduce((sum, n) => sum + n, 0);
}

export function boundRatio(run: Pick<JobRun, 'boundMs'> & { worker: Pick<WorkerResult, 'wallMs'> }): number {
  return run.boundMs > 0 ? run.worker.wallMs / run.boundMs : Number.POSITIVE_INFINITY;
}

/** maxRSS (kilobytes, as getrusage reports it) in megabytes (10⁶ bytes), the unit of the goal. */
export function rssMB(kib: number): number {
  return (kib * 1024) / 1e6;
}

export interface GoalCheck {
  bound: boolean;
  memory: boolean;
  duplicates: boolean;
  /** No failed, no deferred cluster, no handler error. */
  clean: boolean;
}

export function checkGoals(run: JobRun): GoalCheck {
  const c = run.worker.counts;
  return {
    bound: boundRatio(run) <= GOALS.maxBoundRatio,
    memory: rssMB(run.worker.maxRssKiB) < GOALS.maxRssMB,
    duplicates: run.audit.duplicates === GOALS.duplicates,
    clean: run.worker.error === undefined && c !== undefined && c.failed === 0 && c.deferred === 0,
  };
}

function outcomesText(c: OutcomeCounts | undefined): string {
  return c ? `${c.done} / ${c.skipped} / ${c.failed} / ${c.deferred}` : 'n/a';
}

function perCluster(calls: number, clusters: number): string {
  return clusters > 0 ? (calls / clusters).toFixed(2) : 'n/a';
}

export function renderJobsSection(r: JobsBenchReport): string {
  const _m = r.machine;
  const table = markdownTable(
    [
      'job',
      'clusters selected',
      'done / skipped / failed / deferred',
      'Console calls needed (+ 429)',
      'calls per selected cluster',
      'rate-limit bound',
      'wall time',
      'ratio',
      'peak RSS',
      'applied actions (clusters)',
      'duplicates',
    ],
    r.runs.map((run) => [
      run.label,
      String(run.worker.clusters),
      outcomesText(run.worker.counts),
      `${run.calls.needed} (+ ${run.calls.throttled})`,
      perCluster(run.calls.needed, run.worker.clusters),
      formatMs(run.boundMs),
      formatMs(run.worker.wallMs),
      `${boundRatio(run).toFixed(2)}×`,
      `${rssMB(run.worker.maxRssKiB).toFixed(0)} MB`,
      `${run.audit.applied} (${run.audit.clusters})`,
      String(run.audit.duplicates),
    ]),
  );
  const details = r.runs.map((run) => {
    const routes = Object.entries(run.calls.byRoute)
      .sort(([, a], [, b]) => b - a)
      .map(([route, n]) => `${route} ${n}`)
      .join(', ');
    const reasons = Object.entries(run.worker.reasons)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 6)
      .map(([why, n]) => `${n} × ${why}`)
      .join('; ');
    const c = run.worker.client;
    return (
      `- **${run.label}**: ${routes}. Client: ${c.retries} retries, ${c.throttled} × 429, ` +
      `${c.gateWaits} waits at the throttle gate (closed ${formatMs(c.throttledMs)} in all), ${c.failures} failed calls.` +
      (run.worker.cpuMs === undefined
        ? ''
        : ` Worker CPU ${formatMs(run.worker.cpuMs)} in ${formatMs(run.worker.wallMs)} of wall time ` +
          `(${Math.round((run.worker.cpuMs / run.worker.wallMs) * 100)} %).`) +
      (reasons ? ` Not done: ${reasons}.` : '') +
      (run.worker.error ? ` Handler error: ${run.worker.error}.` : '') +
      (run.audit.duplicateClusters.length > 0
        ? ` Duplicated on: ${run.audit.duplicateClusters.join(', ')}.`
        : '')
    );
  });
  return [
    ...sectionOpening(r.title ?? 'Jobs: 1,000 clusters through the real handlers', r, r.load),
    `Each job runs once against a fresh simulator seeded with \`generateOrg(${r.orgClusters})\` ` +
      `(${r.latencyMs} ms added to every Console answer; Console rate limit: a token bucket of ` +
      `${r.limit.perSecond} requests/s, burst ${r.limit.burst}, answering 429 with Retry-After) and a fresh table ` +
      'in dynalite. The handler (`functions/<job>/handler.ts`, bundled with esbuild by `bench/jobs-worker.ts`) ' +
      'runs in a process of its own, wired by the composition root from the environment as in Lambda, ' +
      `invoked once with EventBridge Scheduler's input and a ${Math.round(r.budgetMs / 60_000)}-minute time budget; ` +
      `config: \`LOCAL_CONFIG\` with \`concurrency: ${r.concurrency}\`; ${policiesText(r.policies)}. ` +
      '**Rate-limit bound** = calls needed ÷ rate, where calls needed are the Console requests the simulator ' +
      'received minus those it refused with 429 (the bucket starts full, so a perfect client could beat the ' +
      `bound by at most burst ÷ rate = ${formatMs((r.limit.burst / r.limit.perSecond) * 1000)}). ` +
      '**Wall time** is the handler invocation; **peak RSS** is `process.resourceUsage().maxRSS` of the worker ' +
      '(Node itself included). **Duplicates** are applied (2xx) action requests beyond the first for one cluster, ' +
      'read from the simulator’s request log.',
    '',
    table,
    '',
    ...details,
    '',
    jobsReading(r),
  ].join('\n');
}

function policiesText(policies: Record<string, string>): string {
  return Object.entries(policies)
    .map(([label, policy]) => `${label}: ${policy}`)
    .join('; ');
}

/** One paragraph reading the figures against the goals. */
export function jobsReading(r: JobsBenchReport): string {
  const sentences: string[] = [];
  const checks = r.runs.map((run) => ({ run, goals: checkGoals(run) }));
  const slow = checks.filter((c) => !c.goals.bound);
  const heavy = checks.filter((c) => !c.goals.memory);
  const dup = checks.filter((c) => !c.goals.duplicates);
  const unclean = checks.filter((c) => !c.goals.clean);
  const ratios = r.runs.map((run) => `${boundRatio(run).toFixed(2)}× (${run.label})`);
  sentences.push(
    slow.length === 0
      ? `Every job finished within ${GOALS.maxBoundRatio}× of the bound its rate limit sets: ${ratios.join(', ')}.`
      : `${slow.map((c) => c.run.label).join(', ')} missed the ${GOALS.maxBoundRatio}× goal: ${ratios.join(', ')}.`,
  );
  const rss = r.runs.map((run) => `${rssMB(run.worker.maxRssKiB).toFixed(0)} MB`);
  sentences.push(
    heavy.length === 0
      ? `Peak RSS stayed under ${GOALS.maxRssMB} MB in every process (${rss.join(', ')}).`
      : `Peak RSS went over ${GOALS.maxRssMB} MB in ${heavy.map((c) => c.run.label).join(', ')} (${rss.join(', ')}).`,
  );
  const throttled = r.runs.reduce((sum, run) => sum + run.calls.throttled, 0);
  sentences.push(
    dup.length === 0
      ? `No action was applied twice to one cluster (${r.runs.map((run) => `${run.audit.applied} ${run.audit.route} on ${run.audit.clusters} clusters`).join('; ')})` +
          (throttled > 0
            ? `, although ${throttled} requests were answered 429 along the way: they slowed the run instead of ` +
              'failing clusters (replayable calls are retried once the client’s throttle gate reopens; a throttled ' +
              'backup POST is sent again only after re-reading the backups shows it was not applied).'
            : '.')
      : `Duplicate actions: ${dup.map((c) => `${c.run.audit.duplicates} in ${c.run.label}`).join(', ')}.`,
  );
  const mismatched = r.runs.filter((run) => run.audit.applied !== reportedActions(run));
  sentences.push(
    mismatched.length === 0
      ? 'The simulator applied exactly as many actions as the run summaries report done.'
      : `The simulator’s applied actions and the summaries disagree: ${mismatched
          .map((run) => `${run.label} ${run.audit.applied} applied, ${reportedActions(run)} reported`)
          .join('; ')}.`,
  );
  if (unclean.length > 0) {
    sentences.push(
      `Not every cluster came through: ${unclean
        .map(
          (c) =>
            `${c.run.label} ${c.run.worker.error ? `threw (${c.run.worker.error})` : `had ${c.run.worker.counts?.failed ?? '?'} failed and ${c.run.worker.counts?.deferred ?? '?'} deferred cluster(s)`}`,
        )
        .join('; ')}.`,
    );
  } else {
    sentences.push('No cluster failed or was deferred.');
  }
  sentences.push(
    'Local loopback with a simulated latency: a real Console adds its own service time, and the real ' +
      'rate limit is not documented, so the ratio, not the absolute time, is the figure to compare.',
  );
  return sentences.join(' ');
}
