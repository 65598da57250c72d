// Renders the figures of one `npm run bench:token` run as the `token` section of docs/BENCHMARKS.md,
// including a reading written from the figures themselves (it says what was measured, good or bad).
import { sectionOpening } from './machine.ts';
import { formatMs, formatUs, markdownTable, type Summary } from './report.ts';

/** One herd: `n` cold processes released at one instant against a fresh simulator. */
export interface HerdPass {
  n: number;
  /** Token requests the auth server received during the herd. */
  authRequests: number;
  /** Of those, answered 429 by the auth server. */
  rateLimitedAnswers: number;
  /** Processes whose getToken() returned a token. */
  ok: number;
  /** Processes whose getToken() failed, by error code (`auth-blocked` after a 429). */
  failures: Record<string, number>;
  distinctTokens: number;
  /** getToken() duration in the processes that got a token. */
  getTokenMs?: Summary;
  /** CPU time (user + system) each process spent in its getToken(), failed ones included. */
  getTokenCpuMs?: Summary;
  /** Latest a process began its getToken() after the common release instant. */
  maxLateMs: number;
}

export interface HerdRow {
  n: number;
  /** Shared table, auth rate limit off (counts requests). */
  project: HerdPass;
  /** No table: per-instance caching, auth rate limit off. */
  baseline: HerdPass;
  /** Shared table, auth rate limit on. */
  projectLimited: HerdPass;
  /** No table, auth rate limit on. */
  baselineLimited: HerdPass;
}

export interface ColdResult {
  samples: number;
  /** First getToken() of a cold process, a shared token already in the table. */
  latencyMs?: Summary;
  failed: number;
  origins: Record<string, number>;
  /** DynamoDB requests made by each cold process (its whole life: only getToken() touches the table). */
  dynamoCallsPerProcess?: Summary;
  dynamoCallsByOperation: Record<string, number>;
  /** Token requests the auth server received while the cold samples ran. */
  authRequests: number;
}

export interface WarmResult {
  iterations: number;
  warmup: number;
  latencyMs: Summary;
  /** Calls answered from memory (should be every one). */
  fromMemory: number;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
}

/** Provider timeouts the herds ran with, when not the production ones. */
export interface HerdTuning {
  authTimeoutMs: number;
  leaseMs: number;
  maxWaitMs: number;
}

export interface TokenBenchReport {
  machine: MachineInfo;
  /** 1-minute load average at the start and at the end of the run (other work on the machine shows here). */
  loadAverage: { start: number; end: number };
  herdTuning: HerdTuning | 'production';
  /** ISO timestamp of the run's start. */
  date: string;
  command: string;
  durationMs: number;
  limit: { perSecond: number; blockMs: number };
  herds: HerdRow[];
  cold: ColdResult;
  warm: WarmResult;
}

export const AUTH_BLOCKED = 'auth-blocked';

export function failedCount(pass: HerdPass): number {
  return pass.n - pass.ok;
}

/** Token requests the auth server refused with 429 (each process of a herd makes at most one without the table). */
export function refused429(pass: HerdPass): number {
  return pass.rateLimitedAnswers;
}

export function renderTokenSection(r: TokenBenchReport): string {
  const _m = r.machine;
  const limitText = `${r.limit.perSecond} request/s per source, ${Math.round(r.limit.blockMs / 1000)} s block`;
  const herdTable = markdownTable(
    [
      'N cold starts',
      'auth requests: this project',
      'auth requests: baseline',
      `this project, limit on: getToken failed`,
      `baseline, limit on: refused (429)`,
      'getToken p50 / max: this project',
      'getToken p50 / max: baseline',
    ],
    r.herds.map((h) => [
      String(h.n),
      String(h.project.authRequests),
      String(h.baseline.authRequests),
      `${failedCount(h.projectLimited)} of ${h.n}`,
      `${refused429(h.baselineLimited)} of ${h.n}`,
      p50max(h.project.getTokenMs),
      p50max(h.baseline.getTokenMs),
    ]),
  );
  const cold = r.cold;
  const latencyRows: string[][] = [
    [
      'cold process, first getToken(), token already shared',
      String(cold.latencyMs?.count ?? 0),
      cold.latencyMs ? formatMs(cold.latencyMs.p50) : 'n/a',
      cold.latencyMs ? formatMs(cold.latencyMs.p95) : 'n/a',
      cold.latencyMs ? formatMs(cold.latencyMs.max) : 'n/a',
    ],
    [
      'warm getToken(), token in memory',
      String(r.warm.latencyMs.count),
      formatUs(r.warm.latencyMs.p50),
      formatUs(r.warm.latencyMs.p95),
      formatUs(r.warm.latencyMs.max),
    ],
  ];
  const latencyTable = markdownTable(['measurement', 'samples', 'p50', 'p95', 'max'], latencyRows);
  const ops = Object.entries(cold.dynamoCallsByOperation)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, count]) => `${op} ${count}`)
    .join(', ');
  const perProcess = cold.dynamoCallsPerProcess;
  const dynamoLine = perProcess
    ? `DynamoDB requests per cold process (counted at a proxy in front of dynalite): min ${perProcess.min}, ` +
      `p50 ${perProcess.p50}, max ${perProcess.max}; over all ${perProcess.count} processes: ${ops || 'none'}. ` +
      `Auth requests during the cold samples: ${cold.authRequests}.`
    : 'DynamoDB requests per cold process: no sample completed.';
  const anomalies = anomalyLines(r);
  return [
    ...sectionOpening('Token provider: auth requests and getToken() latency', r, r.loadAverage),
    'Each cold start is a separate OS process running `bench/token-worker.ts` (bundled with esbuild): it builds ' +
      'the provider with `tokenProviderFromEnv()` as a function does and loads Node’s `fetch` (a `data:` URL, no ' +
      'network); once every process of the herd has loaded, all are released at one instant to call `getToken()` ' +
      'once, and none exits before the whole herd has its answer. **This project**: `STATE_TABLE_NAME` set ' +
      '(memory → shared DynamoDB item with a lease → OAuth), a fresh table per herd in dynalite. **Baseline**: no ' +
      'table, so each process caches its own token, which is what per-instance caching (Camunda’s SDK in Lambda) ' +
      'amounts to. Auth server: the simulator in `local/sim`, rate limit off to count requests, then a second pass ' +
      `with Camunda’s limit on (${limitText}); the 429 column counts the requests it refused. All processes share ` +
      'one source address, as Lambdas behind one NAT gateway do. ' +
      tuningText(r.herdTuning),
    '',
    herdTable,
    '',
    ...(anomalies.length > 0 ? [...anomalies, ''] : []),
    `Latency: ${cold.samples} cold processes run one after another against a table that already holds a ` +
      `token (${cold.failed} failed; origins: ${originText(cold.origins)}); warm calls in one process after ` +
      `${r.warm.warmup} unrecorded warm-up calls (${r.warm.fromMemory} of ${r.warm.iterations} answered from ` +
      'memory). Local loopback only: a real DynamoDB or auth round trip adds network time these figures do not include.',
    '',
    latencyTable,
    '',
    dynamoLine,
    '',
    reading(r),
  ].join('\n');
}

function tuningText(t: HerdTuning | 'production'): string {
  if (t === 'production') return 'The herds ran with the provider’s production timeouts.';
  return (
    `The herds ran with relaxed provider timeouts (auth call ${t.authTimeoutMs / 1000} s, lease ` +
    `${t.leaseMs / 1000} s, wait ${t.maxWaitMs / 1000} s instead of 4 s, 6 s and 15 s): N processes on a few ` +
    'cores hold one another up for seconds, which separate Lambda instances do not, and the production values ' +
    'would turn that queue into timeouts. As long as the process calling the auth server finishes within its ' +
    'lease, which process calls it, waits or reads does not depend on them (`--production-timeouts` runs the ' +
    'herds with the production values).'
  );
}

function p50max(s: Summary | undefined): string {
  return s ? `${formatMs(s.p50)} / ${formatMs(s.max)}` : 'n/a';
}

function originText(origins: Record<string, number>): string {
  const parts = Object.entries(origins)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** Anything in the herds that the table does not show: failures without the limit, other error codes. */
function anomalyLines(r: TokenBenchReport): string[] {
  const lines: string[] = [];
  if (r.herds.length === 0) return lines;
  const passes: Array<[string, (h: HerdRow) => HerdPass]> = [
    ['this project, limit off', (h) => h.project],
    ['baseline, limit off', (h) => h.baseline],
    ['this project, limit on', (h) => h.projectLimited],
    ['baseline, limit on', (h) => h.baselineLimited],
  ];
  for (const h of r.herds) {
    for (const [label, pick] of passes) {
      const p = pick(h);
      const failures = Object.entries(p.failures).filter(
        ([code]) => !(label === 'baseline, limit on' && code === AUTH_BLOCKED),
      );
      if (failures.length > 0) {
        lines.push(
          `- N = ${h.n}, ${label}: getToken failed in ${failures.map(([c, k]) => `${k} × ${c}`).join(', ')}.`,
        );
      }
    }
    if (h.projectLimited.authRequests !== h.project.authRequests) {
      lines.push(
        `- N = ${h.n}: this project made ${h.projectLimited.authRequests} auth request(s) with the limit on ` +
          `(${h.project.authRequests} with it off).`,
      );
    }
  }
  const late = Math.max(
    0,
    ...r.herds.flatMap((h) =>
      [h.project, h.baseline, h.projectLimited, h.baselineLimited].map((p) => p.maxLateMs),
    ),
  );
  lines.push(
    `- Release: the latest process began its getToken() ${formatMs(late)} after the common instant (CPU scheduling of the herd).`,
  );
  return ['Notes:', '', ...lines];
}

/** One paragraph that reads the figures against the goals (1 auth request per herd, 1 DynamoDB read). */
export function reading(r: TokenBenchReport): string {
  const sentences: string[] = [];
  const sizes = r.herds.map((h) => h.n);
  if (r.herds.length > 0) {
    const projectRequests = r.herds.map((h) => h.project.authRequests);
    const range = sizes.length === 1 ? `N = ${sizes[0]}` : `every N from ${sizes[0]} to ${sizes.at(-1)}`;
    const project = projectRequests.every((c) => c === 1)
      ? `This project made exactly 1 auth request for ${range}, meeting the goal`
      : `This project made ${list(r.herds.map((h) => `${h.project.authRequests} auth request(s) for N = ${h.n}`))}, ` +
        'not the 1 per herd it aims for';
    const baseline = r.herds.every((h) => h.baseline.authRequests === h.n)
      ? 'per-instance caching made one per process (N requests for N cold starts)'
      : `per-instance caching made ${list(r.herds.map((h) => `${h.baseline.authRequests} for N = ${h.n}`))}`;
    sentences.push(`${project}; ${baseline}.`);
    const worst = r.herds.reduce((a, b) => (b.n > a.n ? b : a));
    const refused = refused429(worst.baselineLimited);
    const projectFailed = r.herds.reduce((sum, h) => sum + failedCount(h.projectLimited), 0);
    sentences.push(
      `With Camunda’s ~${r.limit.perSecond} request/s limit on, ${refused} of the baseline’s ${worst.n} ` +
        `cold starts were refused with 429 (${list(r.herds.map((h) => `${refused429(h.baselineLimited)} of ${h.n}`))}), ` +
        'each one an invocation that fails before doing any work while the whole source address stays blocked ' +
        `for ${Math.round(r.limit.blockMs / 1000)} s; ` +
        (projectFailed === 0
          ? 'with the shared table not one getToken() failed in any herd.'
          : `with the shared table ${projectFailed} getToken() call(s) failed across the herds.`),
    );
    const shared = worst.project.getTokenMs;
    const own = worst.baseline.getTokenMs;
    if (shared && own) {
      sentences.push(
        `In the ${worst.n}-process herd getToken() took ${formatMs(shared.p50)} at p50 (${formatMs(shared.max)} at ` +
          'most) with the shared table, where every process but the one calling the auth server polls the table ' +
          `until that one publishes, against ${formatMs(own.p50)} (${formatMs(own.max)}) for per-instance caching ` +
          `with the limit off. All ${worst.n} processes share this machine's ${r.machine.cores} ` +
          'cores, so both figures include the herd competing for the CPU, which separate Lambda instances do not.',
      );
    }
  }
  const cold = r.cold;
  if (cold.latencyMs && cold.dynamoCallsPerProcess) {
    const calls = cold.dynamoCallsPerProcess;
    const onlyGets = Object.keys(cold.dynamoCallsByOperation).every((op) => op === 'GetItem');
    const oneRead = calls.min === 1 && calls.max === 1 && onlyGets;
    const reads = oneRead
      ? `made exactly one DynamoDB read (GetItem) in each of the ${calls.count} processes and ` +
        `${cold.authRequests === 0 ? 'no' : cold.authRequests} auth request${cold.authRequests === 1 ? '' : 's'}` +
        (cold.authRequests === 0 ? ', meeting the goal' : '')
      : `made ${calls.min === calls.max ? calls.min : `${calls.min} to ${calls.max}`} DynamoDB request(s) per process ` +
        `(${Object.entries(cold.dynamoCallsByOperation)
          .map(([op, n]) => `${op} ${n}`)
          .join(', ')}), not the single read aimed for, and ${cold.authRequests} auth request(s)`;
    sentences.push(
      `A cold getToken() with the token already shared took ${formatMs(cold.latencyMs.p50)} at p50 and ` +
        `${formatMs(cold.latencyMs.p95)} at p95 and ${reads}; a warm call costs ` +
        `${formatUs(r.warm.latencyMs.p50)} at p50 (${formatUs(r.warm.latencyMs.p95)} p95).`,
    );
  } else {
    sentences.push(`No cold sample completed (${cold.failed} of ${cold.samples} failed).`);
  }
  return sentences.join(' ');
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
