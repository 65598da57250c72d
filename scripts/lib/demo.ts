// `npm start`: one night of the automation, run locally against the Console API simulator and an embedded
// DynamoDB, through the REAL Lambda handlers with real event shapes. `runDemo` plays the story and checks
// every step's outcome; `formatReport` turns the report into text. No AWS or Camunda account is needed.
import type { TokenOrigin } from '#lib/token/provider.ts';
import { type LocalEnv, startLocalEnv } from '#local/env.ts';
import type { RecordedLine } from '#local/recording-log.ts';
import type { Fault } from '#local/sim/index.ts';
import { outcomeTable, type Paint, paint } from './cli.ts';
import { allowlistSteps } from './demo-allowlist.ts';
import { backupSteps } from './demo-backup.ts';
import { DEMO_FAULTS, type DemoFault } from './demo-faults.ts';
import { secretsSteps } from './demo-secrets.ts';
import {
  type Check,
  type Clock,
  check,
  offsetClock,
  plural,
  type StepReport,
  storyOf,
} from './demo-story.ts';
import { teardownSteps } from './demo-teardown.ts';

export { DEMO_FAULTS, type DemoFault, isDemoFault } from './demo-faults.ts';
export { type Check, type StepReport, VPN_ENTRIES } from './demo-story.ts';

// ---- options ------------------------------------------------------------------------------------------

export interface DemoOptions {
  /** 'org': the simulator's seeded org of a dozen clusters; a number: a generated org of that many. Default 'org'. */
  seed?: 'org' | number;
  /** Added to every Console API answer. Default 0. */
  latencyMs?: number;
  faults?: readonly DemoFault[];
  /** Cold containers started at once at the end, each making one Console call. Default 8. */
  coldStarts?: number;
  /** Further simulator faults, added after the named ones (tests use them to break a step on purpose). */
  simFaults?: readonly Fault[];
}

// ---- the report ---------------------------------------------------------------------------------------

export interface Report {
  ok: boolean;
  seed: 'org' | number;
  clusters: number;
  latencyMs: number;
  faults: Array<{ name: DemoFault; text: string }>;
  /** How the story's policy differs from LOCAL_CONFIG, and why. */
  policy: string[];
  steps: StepReport[];
  tokens: {
    /** Token requests the simulator's auth endpoint received. */
    authRequests: number;
    authRateLimited: number;
    /** 1 warm container plus the cold ones. */
    containers: number;
    /** Tokens handed out to Console calls across all containers, by where they came from. */
    handedOut: Record<TokenOrigin, number>;
    /** Where each cold container got its first token. */
    coldOrigins: Array<TokenOrigin | 'none'>;
  };
  console: { requests: number; retries: number; throttled: number; byStatus: Record<string, number> };
  /** Every failed check, with its step. */
  failures: string[];
  durationMs: number;
  /** What the handlers logged (captured, not printed unless asked). */
  logs: RecordedLine[];
}

// ---- the story ----------------------------------------------------------------------------------------

// ---- the story ----------------------------------------------------------------------------------------

/**
 * Plays one night: scheduled backups, an allowlist source replaced by webhook and synced, the teardown
 * notice, a keep-alive, the nightly teardown, the morning recreate (twice if the new clusters were not
 * Healthy yet), then a herd of cold containers sharing the one token. Never throws for a wrong outcome:
 * `report.ok` is false and `report.failures` says what went wrong.
 */
export async function runDemo(options: DemoOptions = {}): Promise<Report> {
  const started = Date.now();
  const seed = options.seed ?? 'org';
  const faultNames = [...new Set(options.faults ?? [])];
  const coldStarts = options.coldStarts ?? 8;
  const clock = offsetClock();
  const policy = [
    'LOCAL_CONFIG (local/env.ts), with the teardown selecting dev-* and test-* clusters labelled nightly-off, so that an Enterprise cluster with an allowlist is torn down and recreated',
  ];
  const teardownOverride: Record<string, unknown> = {
    selector: { names: ['dev-*', 'test-*'], labels: ['nightly-off'] },
  };
  if (seed !== 'org') {
    teardownOverride.maxDeletionsPerRun = Math.max(5, seed);
    policy.push(
      `teardown.maxDeletionsPerRun raised to ${Math.max(5, seed)} for the generated org, so the blast-radius guard lets the story through`,
    );
    // Many clusters waiting for Healthy in one run would move the shared simulated clock by minutes per
    // cluster; the generated org shows the follow-up run finishing them instead.
    teardownOverride.recreate = { waitForHealthySeconds: 0 };
    policy.push(
      'teardown.recreate.waitForHealthySeconds 0 for the generated org: a follow-up recreate finishes the clusters',
    );
  }
  const local = await startLocalEnv({
    config: { teardown: teardownOverride },
    now: clock.now,
    // The recreate's wait for Healthy moves the simulated clock: creation takes simulated seconds, not real ones.
    sleep: async (ms) => clock.advance(ms),
    sim: {
      seed: seed === 'org' ? 'org' : { clusters: seed },
      now: clock.now,
      clusterCreateMs: 90_000,
      latencyMs: options.latencyMs ?? 0,
    },
  });
  const initialClusters = local.sim.state.clusters.size;
  for (const name of faultNames) for (const f of DEMO_FAULTS[name].faults) local.sim.faults.add({ ...f });
  for (const f of options.simFaults ?? []) local.sim.faults.add({ ...f });

  const steps: StepReport[] = [];
  const cold: LocalEnv['container'][] = [];
  try {
    await playStory(local, clock, steps);
    if (steps.every((s) => s.error === undefined)) {
      for (let i = 0; i < coldStarts; i++) cold.push(local.coldContainer());
      await Promise.all(cold.map((c) => c.console.listClusters()));
    }
  } finally {
    await local.close();
  }

  const containers = [local.container, ...cold];
  const handedOut: Record<TokenOrigin, number> = { memory: 0, shared: 0, auth: 0 };
  for (const c of containers) {
    handedOut.memory += c.tokens.stats.memory;
    handedOut.shared += c.tokens.stats.shared;
    handedOut.auth += c.tokens.stats.auth;
  }
  const coldOrigins = cold.map((c) => c.tokens.lastOrigin ?? 'none');
  const authRequests = local.sim.stats.auth.requests;
  const tokenChecks = [
    check(
      authRequests === 1,
      `the auth server received ${plural(authRequests, 'token request')} (expected 1)`,
    ),
    check(
      coldOrigins.length === coldStarts && coldOrigins.every((o) => o === 'shared'),
      `${plural(coldStarts, 'cold container')} took the shared token (${coldOrigins.filter((o) => o === 'shared').length} from the shared cache)`,
    ),
  ];
  const failures = [
    ...steps.flatMap((s) => [
      ...(s.error ? [`step ${s.n} (${s.title}): ${s.error}`] : []),
      ...s.checks.filter((c) => !c.ok).map((c) => `step ${s.n} (${s.title}): ${c.text}`),
    ]),
    ...tokenChecks.filter((c) => !c.ok).map((c) => `cold starts: ${c.text}`),
  ];
  const stats = local.container.console.stats;
  return {
    ok: failures.length === 0,
    seed,
    clusters: initialClusters,
    latencyMs: options.latencyMs ?? 0,
    faults: faultNames.map((name) => ({ name, text: DEMO_FAULTS[name].text })),
    policy,
    steps,
    tokens: {
      authRequests,
      authRateLimited: local.sim.stats.auth.rateLimited,
      containers: containers.length,
      handedOut,
      coldOrigins,
    },
    console: {
      requests: local.sim.stats.console.requests,
      retries: containers.reduce((n, c) => n + c.console.stats.retries, 0),
      throttled: stats.throttled,
      byStatus: { ...local.sim.stats.console.byStatus },
    },
    failures,
    durationMs: Date.now() - started,
    logs: [...local.log.lines],
  };
}

/** The steps, in order, by job; each appends its reports. Stops at the first part that could not go on. */
async function playStory(local: LocalEnv, clock: Clock, steps: StepReport[]): Promise<void> {
  const story = storyOf(local, clock, steps);
  for (const part of [backupSteps, allowlistSteps, secretsSteps]) if (!(await part(story))) return;
  await teardownSteps(story);
}

// ---- text ---------------------------------------------------------------------------------------------

export interface FormatOptions {
  colour?: boolean;
  /** Rows per step table; default 40. */
  maxRows?: number;
  /** Append the handlers' captured log lines. */
  verbose?: boolean;
}

function mark(p: Paint, c: Check): string {
  return c.ok ? `${p.ok('✓')} ${c.text}` : `${p.bad('✗')} ${p.bad(c.text)}`;
}

/** The report as text for a terminal or a pipe. */
export function formatReport(report: Report, options: FormatOptions = {}): string {
  const p = paint(options.colour === true);
  const out: string[] = [];
  const org = report.seed === 'org' ? 'the seeded org' : 'a generated org';
  out.push(p.bold('Camunda Console automation: one night, run locally'));
  out.push(
    p.dim(
      `Console API + OAuth simulator (${org}, ${report.clusters} clusters${report.latencyMs ? `, ${report.latencyMs} ms latency` : ''}) · embedded DynamoDB · the real Lambda handlers`,
    ),
  );
  for (const line of report.policy) out.push(p.dim(`policy: ${line}`));
  for (const f of report.faults) out.push(`fault ${f.name}: ${f.text}`);
  for (const s of report.steps) {
    out.push('');
    const http = s.httpStatus === undefined ? '' : ` → HTTP ${s.httpStatus}`;
    out.push(`${p.bold(`${s.n}. ${s.title}`)}  ${p.dim(`${s.via}${http}`)}`);
    if (s.idempotencyKey) out.push(p.dim(`   idempotency key ${s.idempotencyKey}`));
    if (s.table) out.push(...s.table);
    else if (s.rows.length > 0 || s.counts)
      out.push(...outcomeTable(s.rows, p, '   ', options.maxRows ?? 40));
    for (const n of s.notes) out.push(p.dim(`   note: ${n}`));
    if (s.error) out.push(`   ${p.bad(`✗ could not run: ${s.error}`)}`);
    for (const c of s.checks) out.push(`   ${mark(p, c)}`);
  }
  const t = report.tokens;
  out.push('');
  out.push(p.bold(`${t.containers - 1} cold containers at once, each making one Console call`));
  const authLine = `auth requests received by the simulator: ${t.authRequests}`;
  out.push(
    `   ${t.authRequests === 1 ? p.ok(authLine) : p.bad(authLine)}${t.authRateLimited ? p.bad(` (${t.authRateLimited} rate-limited)`) : ''}`,
  );
  out.push(
    `   tokens handed out across ${t.containers} containers: memory ${t.handedOut.memory} · shared ${t.handedOut.shared} · auth ${t.handedOut.auth}`,
  );
  const origins = new Map<string, number>();
  for (const o of t.coldOrigins) origins.set(o, (origins.get(o) ?? 0) + 1);
  out.push(
    `   cold containers got theirs from: ${[...origins].map(([o, n]) => `${o} ${n}`).join(' · ') || 'none'}`,
  );
  const c = report.console;
  const statuses = Object.entries(c.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  out.push(
    p.dim(
      `   Console API: ${c.requests} requests (${statuses}), ${c.retries} retries, ${c.throttled} throttled`,
    ),
  );
  if (options.verbose) {
    out.push('', p.bold(`handler logs (${report.logs.length} lines)`));
    for (const l of report.logs) {
      out.push(`   ${l.level.padEnd(5)} ${l.message}${l.data ? ` ${JSON.stringify(l.data)}` : ''}`);
    }
  }
  out.push('');
  out.push(verdict(report, p));
  return out.join('\n');
}

/** One line: the story went as expected, or what did not. */
export function verdict(report: Report, p: Paint = paint(false)): string {
  const secs = (report.durationMs / 1000).toFixed(1);
  if (report.ok) {
    return p.ok(
      `✓ every step went as expected (${report.steps.length} steps, ${report.tokens.authRequests} auth request, ${secs} s)`,
    );
  }
  return p.bad(
    [`✗ the story did not go as expected (${secs} s):`, ...report.failures.map((f) => `  - ${f}`)].join('\n'),
  );
}
