// `npm start`: one night of the automation, run locally against the Console API simulator and an embedded
// DynamoDB, through the REAL Lambda handlers with real event shapes. `runDemo` plays the story and checks
// every step's outcome; `formatReport` turns the report into text. No AWS or Camunda account is needed.

import type { Context } from 'aws-lambda';
import { handler as allowlistHandler } from '#functions/allowlist-sync/handler.ts';
import { handler as backupHandler } from '#functions/backup/handler.ts';
import { readinessRows, readinessTable } from '#functions/backup/readiness.ts';
import { handler as secretsSyncHandler } from '#functions/secrets-sync/handler.ts';
import { handler as teardownHandler } from '#functions/teardown/handler.ts';
import { desiredAllowlistFrom, PLACEHOLDER_ENTRY } from '#functions/teardown/restore.ts';
import { matchesSelector, selectClusters } from '#lib/config/selector.ts';
import type { Cluster } from '#lib/console/client.ts';
import { errorText } from '#lib/jobs/engine.ts';
import { type ClusterOutcome, type OutcomeStatus, RunFailedError, type RunSummary } from '#lib/jobs/types.ts';
import { localCredentials } from '#lib/runtime/container.ts';
import type { JobResult } from '#lib/runtime/job-handler.ts';
import { credentialSecretName } from '#lib/secrets/credentials.ts';
import type { TokenOrigin } from '#lib/token/provider.ts';
import {
  eventBridgeEvent,
  type LocalEnv,
  lambdaContext,
  schedulerEvent,
  startLocalEnv,
  webhookEvent,
} from '#local/env.ts';
import type { RecordedLine } from '#local/recording-log.ts';
import type { Fault, IpRule } from '#local/sim/index.ts';
import { type OutcomeRow, outcomeRows, outcomeTable, type Paint, paint } from './cli.ts';
import { DEMO_FAULTS, type DemoFault } from './demo-faults.ts';
import { carrying, DEMO_VALUES, demoSecretsSource, rotationEvent, valuesLogged } from './demo-secrets.ts';

export { DEMO_FAULTS, type DemoFault, isDemoFault } from './demo-faults.ts';

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

export interface Check {
  ok: boolean;
  text: string;
}

export interface StepReport {
  n: number;
  id: string;
  title: string;
  /** e.g. 'backup/run via EventBridge Scheduler'. */
  via: string;
  idempotencyKey?: string;
  /** The webhook's HTTP answer. */
  httpStatus?: number;
  counts?: Record<OutcomeStatus, number>;
  rows: OutcomeRow[];
  /** Printed instead of `rows` when set (the backup readiness table). */
  table?: string[];
  notes: string[];
  checks: Check[];
  /** The step could not run (an unexpected error); the story stops there. */
  error?: string;
}

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

type Handler = (event: unknown, context: Context) => Promise<JobResult>;

const HANDLERS: Record<'backup' | 'teardown' | 'allowlist-sync' | 'secrets-sync', Handler> = {
  backup: backupHandler,
  teardown: teardownHandler,
  'allowlist-sync': allowlistHandler,
  'secrets-sync': secretsSyncHandler,
};

/** The new entries of the `office-vpn` source the story's webhook sends. */
export const VPN_ENTRIES = [
  { cidr: '198.51.100.0/28', description: 'vpn egress eu' },
  { cidr: '198.51.100.64/28', description: 'vpn egress us' },
] as const;

const HOUR = 3_600_000;

type Delivered =
  | { kind: 'summary'; summary: RunSummary; httpStatus?: number }
  | { kind: 'answer'; httpStatus: number; message: string }
  | { kind: 'ignored'; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Invokes a real handler the way Lambda would; a failed run (RunFailedError) is a summary too. */
async function deliver(job: keyof typeof HANDLERS, event: unknown): Promise<Delivered> {
  let result: JobResult;
  try {
    result = await HANDLERS[job](event, lambdaContext(`local-${job}`));
  } catch (err) {
    if (err instanceof RunFailedError) return { kind: 'summary', summary: err.summary };
    throw err;
  }
  if ('statusCode' in result) {
    let body: unknown;
    try {
      body = JSON.parse(result.body);
    } catch {
      body = undefined;
    }
    if (result.statusCode === 202 && isRecord(body))
      return { kind: 'summary', summary: body as unknown as RunSummary, httpStatus: 202 };
    const message = isRecord(body) && typeof body.message === 'string' ? body.message : result.body;
    return { kind: 'answer', httpStatus: result.statusCode, message };
  }
  if ('ignored' in result) return { kind: 'ignored', reason: result.reason };
  return { kind: 'summary', summary: result };
}

function offsetClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      offset += ms;
    },
  };
}

const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
const check = (ok: boolean, text: string): Check => ({ ok, text });
const doneWith = (s: RunSummary, action: string) =>
  s.clusters.filter(
    (c): c is Extract<ClusterOutcome, { status: 'done' }> => c.status === 'done' && c.action === action,
  );
const sameRules = (a: readonly IpRule[], b: readonly IpRule[]) => {
  const key = (rules: readonly IpRule[]) =>
    JSON.stringify(rules.map((r) => `${r.ip}|${r.description}`).sort());
  return key(a) === key(b);
};

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

/** The steps, in order; each appends its report. Stops at the first step that could not run. */
async function playStory(
  local: LocalEnv,
  clock: ReturnType<typeof offsetClock>,
  steps: StepReport[],
): Promise<void> {
  const { sim, config } = local;
  const byRoute = (route: string) => sim.stats.console.byRoute[route] ?? 0;
  const simClusters = (): Cluster[] =>
    [...sim.state.clusters.values()].map((c) => sim.state.renderCluster(c));
  const webhook = (job: string, action: string, body: unknown) =>
    webhookEvent(job, action, body, { timestampSeconds: Math.floor(clock.now() / 1000) });

  /** Runs one step; an unexpected error ends the story. */
  const step = async (
    head: Pick<StepReport, 'id' | 'title' | 'via'>,
    job: keyof typeof HANDLERS,
    event: unknown,
    assess: (d: Delivered, s: StepReport) => Promise<void> | void,
  ): Promise<boolean> => {
    const report: StepReport = { n: steps.length + 1, ...head, rows: [], notes: [], checks: [] };
    steps.push(report);
    try {
      const d = await deliver(job, event);
      if (d.kind === 'summary') {
        report.idempotencyKey = d.summary.idempotencyKey;
        report.counts = d.summary.counts;
        report.rows = outcomeRows(d.summary.clusters);
        report.notes = [...d.summary.notes];
        if (d.httpStatus !== undefined) report.httpStatus = d.httpStatus;
        report.checks.push(
          check(!d.summary.failed, d.summary.failed ? 'the run failed' : 'the run succeeded'),
        );
      } else if (d.kind === 'answer') {
        report.httpStatus = d.httpStatus;
        report.checks.push(check(false, `the webhook was answered ${d.httpStatus}: ${d.message}`));
      } else {
        report.checks.push(check(false, `the event was ignored: ${d.reason}`));
      }
      await assess(d, report);
      return true;
    } catch (err) {
      report.error = errorText(err);
      return false;
    }
  };
  const summaryOf = (d: Delivered): RunSummary | undefined => (d.kind === 'summary' ? d.summary : undefined);

  /** Delivers the same event again: it must be answered from the ledger, with no new Console write. */
  const redeliver = async (job: keyof typeof HANDLERS, event: unknown, writeRoute: string, what: string) => {
    const before = byRoute(writeRoute);
    const again = summaryOf(await deliver(job, event));
    const added = byRoute(writeRoute) - before;
    return check(
      again?.replayed === true && added === 0,
      again?.replayed === true && added === 0
        ? `delivered again: answered from the run ledger, no ${what} repeated`
        : `delivered again: replayed=${String(again?.replayed)}, ${added} new ${writeRoute} call(s)`,
    );
  };

  // 1. Scheduled backups of the production-like clusters.
  const backupEvent = schedulerEvent('backup', 'run', isoSeconds(clock.now()));
  const backupSelected = selectClusters(simClusters(), config.backup.selector);
  const postsBefore = byRoute('POST /clusters/{clusterUuid}/backups');
  const backupOk = await step(
    { id: 'backup', title: 'Scheduled backup run', via: 'backup/run via EventBridge Scheduler' },
    'backup',
    backupEvent,
    async (d, r) => {
      const s = summaryOf(d);
      if (!s) return;
      const created = doneWith(s, 'backup-created');
      const posts = byRoute('POST /clusters/{clusterUuid}/backups') - postsBefore;
      const outcomeIds = new Set(s.clusters.map((c) => c.clusterId));
      r.checks.push(
        check(
          backupSelected.every((c) => outcomeIds.has(c.uuid)) && outcomeIds.size === backupSelected.length,
          `every cluster the backup policy selects has an outcome (${backupSelected.length})`,
        ),
        check(
          (backupSelected.length === 0 || created.length > 0) && posts === created.length,
          `${plural(created.length, 'backup')} created on eligible prod/stage clusters, one POST each (${posts})`,
        ),
        check(
          s.clusters.every((c) => {
            const cl = sim.state.clusters.get(c.clusterId);
            return cl !== undefined && matchesSelector(sim.state.renderCluster(cl), config.backup.selector);
          }),
          'only clusters the backup selector picks were touched',
        ),
        await redeliver('backup', backupEvent, 'POST /clusters/{clusterUuid}/backups', 'backup'),
      );
    },
  );
  if (!backupOk) return;

  // 1b. A restore drill, then the readiness check (the seeded org has the drill cluster the policy names).
  if (sim.state.clusterByName(config.backup.drill.cluster ?? '') !== undefined) {
    clock.advance(60_000); // the backups just taken complete
    const drillOk = await step(
      {
        id: 'backup-drill',
        title: `Restore drill on ${config.backup.drill.cluster}`,
        via: 'backup/drill via EventBridge Scheduler',
      },
      'backup',
      schedulerEvent('backup', 'drill', isoSeconds(clock.now())),
      (d, r) => {
        const s = summaryOf(d);
        const o = s?.clusters[0];
        const detail = o && 'detail' in o ? o.detail : undefined;
        const seconds = typeof detail?.recoverySeconds === 'number' ? detail.recoverySeconds : undefined;
        r.checks.push(
          check(
            o?.status === 'done' && o.action === 'drill-succeeded' && seconds !== undefined,
            seconds === undefined
              ? 'the drill did not finish'
              : `backup ${String(detail?.backupId).slice(0, 8)}… restored, cluster Healthy again: recovery time ${seconds} s`,
          ),
          check(
            local.events.events.some((e) => e.detailType === 'backup.drill.result'),
            'a backup.drill.result event was published',
          ),
        );
      },
    );
    if (!drillOk) return;
    const checkOk = await step(
      {
        id: 'backup-check',
        title: 'Backup readiness check',
        via: 'backup/check via EventBridge Scheduler',
      },
      'backup',
      schedulerEvent('backup', 'check', isoSeconds(clock.now())),
      (d, r) => {
        const s = summaryOf(d);
        if (!s) return;
        const rows = readinessRows(s.clusters);
        r.table = readinessTable(rows, '   ');
        const targeted = rows.filter((row) => row.target !== '-');
        const drilled = rows.find((row) => row.cluster === config.backup.drill.cluster);
        r.checks.push(
          check(
            targeted.length > 0 && targeted.every((row) => row.status === 'ok'),
            `${plural(targeted.filter((row) => row.status === 'ok').length, 'cluster')} of ${targeted.length} with a target have a Complete backup younger than it`,
          ),
          check(
            drilled?.lastDrill.includes('recovery') === true,
            `the drill cluster's row shows the last drill (${drilled?.lastDrill ?? 'missing'})`,
          ),
        );
      },
    );
    if (!checkOk) return;
  }

  // 2. The network team replaces the office-vpn source by signed webhook; the sync follows at once.
  const sourceEvent = webhook('allowlist-sync', 'set-source', {
    payload: { source: 'office-vpn', entries: VPN_ENTRIES, updatedBy: 'network-team' },
  });
  const sourceOk = await step(
    {
      id: 'set-source',
      title: 'Allowlist source office-vpn replaced, then synced',
      via: 'allowlist-sync/set-source via signed webhook',
    },
    'allowlist-sync',
    sourceEvent,
    async (d, r) => {
      const s = summaryOf(d);
      if (!s) return;
      const stored = (await local.container.allowlistSources.list()).find((x) => x.name === 'office-vpn');
      r.checks.push(
        check(
          d.kind === 'summary' && d.httpStatus === 202,
          `the webhook was answered ${r.httpStatus ?? '-'} (expected 202 Accepted)`,
        ),
        check(
          stored?.entries.length === VPN_ENTRIES.length,
          `source office-vpn stored in the state table (${stored ? `version ${stored.version}, ${plural(stored.entries.length, 'entry', 'entries')}` : 'missing'})`,
        ),
      );
      const updated = doneWith(s, 'allowlist-updated');
      const carrying = updated.filter((c) => {
        const rules = sim.state.clusters.get(c.clusterId)?.ipallowlist ?? [];
        return VPN_ENTRIES.every((e) => rules.some((rule) => rule.ip.split(',').includes(e.cidr)));
      });
      r.checks.push(
        check(
          updated.length > 0 && carrying.length === updated.length,
          updated.length > 0
            ? `${plural(updated.length, 'cluster allowlist')} synced; ${carrying.length} now carry the new VPN ranges`
            : `no cluster allowlist synced (the org needs an Enterprise cluster: try the seeded org or a larger --seed)`,
        ),
        await redeliver(
          'allowlist-sync',
          sourceEvent,
          'PUT /clusters/{clusterUuid}/ipallowlist',
          'allowlist write',
        ),
      );
    },
  );
  if (!sourceOk) return;

  // 2b. Connector secrets from (local) Secrets Manager, then a rotation that reaches every selected cluster.
  const source = await demoSecretsSource(local);
  // Exactly the clusters both the job's selector and the payments source's own selector pick must carry the
  // value (in the seeded org: the payments and billing production clusters; a generated org may select none),
  // and no other cluster.
  const paymentsSelector = config.secretsSync.sources.payments?.selector;
  const expected = selectClusters(simClusters(), config.secretsSync.selector)
    .filter((c) => paymentsSelector === undefined || matchesSelector(c, paymentsSelector))
    .map((c) => c.name)
    .sort();
  const secretsSelected = expected.length;
  const reached = (got: string[]) => JSON.stringify([...got].sort()) === JSON.stringify(expected);
  try {
    const syncOk = await step(
      {
        id: 'secrets-sync',
        title: 'Connector secrets synced from Secrets Manager',
        via: 'secrets-sync/sync via EventBridge',
      },
      'secrets-sync',
      eventBridgeEvent('secrets-sync.sync', {}),
      (_d, r) => {
        const got = carrying(local, DEMO_VALUES.first);
        r.checks.push(
          check(
            reached(got),
            `${plural(got.length, 'cluster')} of ${secretsSelected} expected carry the connector secret (${got.join(', ')})`,
          ),
        );
      },
    );
    if (!syncOk) return;
    await source.write(DEMO_VALUES.rotated);
    const rotateOk = await step(
      {
        id: 'secrets-rotation',
        title: 'A rotation in Secrets Manager reaches the clusters',
        via: 'RotationSucceeded via CloudTrail on EventBridge',
      },
      'secrets-sync',
      rotationEvent(clock.now()),
      (_d, r) => {
        const got = carrying(local, DEMO_VALUES.rotated);
        const leaked = valuesLogged(local);
        r.checks.push(
          check(
            reached(got),
            `${plural(got.length, 'cluster')} of ${secretsSelected} expected carry the rotated value (${got.join(', ')})`,
          ),
          check(
            leaked.length === 0,
            leaked.length === 0
              ? 'no secret value in any log line'
              : `${leaked.length} secret value(s) logged`,
          ),
        );
      },
    );
    if (!rotateOk) return;
  } finally {
    await source.close();
  }

  // 3. The evening notice: which clusters go tonight.
  let planned: string[] = [];
  const noticeOk = await step(
    { id: 'notice', title: 'Teardown notice', via: 'teardown/notice via EventBridge Scheduler' },
    'teardown',
    schedulerEvent('teardown', 'notice', isoSeconds(clock.now())),
    (d, r) => {
      const s = summaryOf(d);
      if (!s) return;
      planned = doneWith(s, 'teardown-planned').map((c) => c.clusterName);
      const notice = local.events.events.filter((e) => e.detailType === 'teardown.notice.sent').at(-1);
      const listed = Array.isArray(notice?.detail.clusters) ? notice.detail.clusters.length : -1;
      r.checks.push(
        check(
          planned.length >= 2,
          planned.length >= 2
            ? `${plural(planned.length, 'cluster')} planned for tonight (at least 2)`
            : `${plural(planned.length, 'cluster')} planned for tonight: the story needs 2 (try the seeded org or a larger --seed)`,
        ),
        check(listed === planned.length, `a teardown.notice.sent event lists them (${Math.max(0, listed)})`),
      );
    },
  );
  if (!noticeOk) return;

  // 4. An owner keeps one dev cluster for tonight.
  const keep = planned.find((n) => n.startsWith('dev-')) ?? planned[0];
  if (keep === undefined) return;
  const keepOk = await step(
    { id: 'keep-alive', title: `Keep-alive for ${keep}`, via: 'teardown/keep-alive via signed webhook' },
    'teardown',
    webhook('teardown', 'keep-alive', {
      payload: {
        cluster: keep,
        until: new Date(clock.now() + 12 * HOUR).toISOString(),
        by: 'alice@example.com',
        reason: 'customer demo tomorrow morning',
      },
    }),
    (d, r) => {
      const s = summaryOf(d);
      if (!s) return;
      r.checks.push(
        check(
          doneWith(s, 'keep-alive-set').some((c) => c.clusterName === keep),
          `keep-alive stored for ${keep}`,
        ),
      );
    },
  );
  if (!keepOk) return;

  // 5. The nightly teardown.
  const before = new Map(
    planned.map((name) => [name, sim.state.clusterByName(name)] as const).filter(([, c]) => c !== undefined),
  );
  const toDelete = planned.filter((n) => n !== keep);
  const teardownEvent = schedulerEvent('teardown', 'run', isoSeconds(clock.now()));
  const teardownOk = await step(
    { id: 'teardown', title: 'Nightly teardown', via: 'teardown/run via EventBridge Scheduler' },
    'teardown',
    teardownEvent,
    async (d, r) => {
      const s = summaryOf(d);
      if (!s) return;
      const kept = s.clusters.find((c) => c.clusterName === keep);
      const deleted = doneWith(s, 'cluster-deleted').map((c) => c.clusterName);
      const gone = toDelete.filter((n) => {
        const c = before.get(n);
        return c !== undefined && !sim.state.clusters.has(c.uuid);
      });
      r.checks.push(
        check(
          kept?.status === 'skipped' && kept.reason.startsWith('keep-alive'),
          kept?.status === 'skipped' && kept.reason.startsWith('keep-alive')
            ? `${keep} skipped: its keep-alive was honoured`
            : `${keep} not kept alive: ${kept?.status ?? 'no outcome'}`,
        ),
        check(
          toDelete.every((n) => deleted.includes(n)) && gone.length === toDelete.length,
          `${plural(deleted.length, 'cluster')} deleted after a snapshot (${gone.length} of ${toDelete.length} planned gone from the org)`,
        ),
        await redeliver('teardown', teardownEvent, 'DELETE /clusters/{clusterUuid}', 'delete'),
      );
    },
  );
  if (!teardownOk) return;

  // 6. The morning recreate; a second one once the new clusters are Healthy re-applies their allowlists.
  const recreated = new Map<string, string>();
  let pending = 0;
  const windows: Array<{ name: string; s: number }> = [];
  const collectWindows = (s: RunSummary) => {
    for (const c of s.clusters) {
      const w = (c as { detail?: Record<string, unknown> }).detail?.openWindowSeconds;
      if (typeof w === 'number' && !windows.some((x) => x.name === c.clusterName))
        windows.push({ name: c.clusterName, s: w });
    }
  };
  const recreateOk = await step(
    { id: 'recreate', title: 'Morning recreate', via: 'teardown/recreate via EventBridge Scheduler' },
    'teardown',
    schedulerEvent('teardown', 'recreate', isoSeconds(clock.now())),
    (d, r) => {
      const s = summaryOf(d);
      if (!s) return;
      collectWindows(s);
      for (const c of doneWith(s, 'cluster-recreated')) {
        const id = c.detail?.newClusterId;
        if (typeof id === 'string') recreated.set(c.clusterName, id);
      }
      pending = s.clusters.filter((c) => c.status !== 'deferred' && c.detail?.allowlist === 'pending').length;
      r.checks.push(
        check(
          toDelete.every((n) => recreated.has(n) && sim.state.clusters.has(recreated.get(n) ?? '')),
          `${plural(recreated.size, 'cluster')} recreated under their old names (${toDelete.length} deleted)`,
        ),
      );
    },
  );
  if (!recreateOk) return;

  let last = steps[steps.length - 1];
  if (pending > 0) {
    // The run's wait budget ran out before the new clusters were Healthy: the follow-up run finishes them.
    clock.advance(sim.state.timings.clusterCreateMs + 1);
    const againOk = await step(
      {
        id: 'recreate-again',
        title: 'Follow-up recreate, once the new clusters are Healthy',
        via: 'teardown/recreate via EventBridge event',
      },
      'teardown',
      eventBridgeEvent('teardown.recreate', {}),
      (d) => {
        const s = summaryOf(d);
        if (s) collectWindows(s);
      },
    );
    if (!againOk) return;
    last = steps[steps.length - 1];
  }
  if (last) {
    // The allowlist is the CURRENT desired state (the source replaced by webhook earlier tonight counts),
    // computed as the allowlist sync does; a cluster the policy does not manage gets the deny-all placeholder.
    const desiredOf = desiredAllowlistFrom(local.container, local.config.allowlist);
    let current = 0;
    let withAllowlist = 0;
    let secretsBack = 0;
    let withSecrets = 0;
    let clientsBack = 0;
    let withClients = 0;
    for (const n of toDelete) {
      const old = before.get(n);
      const now = sim.state.clusters.get(recreated.get(n) ?? '');
      if (!old || !now) continue;
      if (now.ipallowlist !== undefined) {
        withAllowlist += 1;
        const d = await desiredOf({ ...sim.state.renderCluster(now), labels: old.labels ?? [] });
        const want = d.kind === 'entries' ? d.entries : [PLACEHOLDER_ENTRY];
        if (sameRules(want, now.ipallowlist)) current += 1;
      }
      if (Object.keys(old.secrets).length > 0) {
        withSecrets += 1;
        if (JSON.stringify(old.secrets) === JSON.stringify(now.secrets)) secretsBack += 1;
      }
      if (old.apiClients.length > 0) {
        withClients += 1;
        const published = old.apiClients.every((c) => {
          const made = now.apiClients.find((k) => k.name === c.name);
          const doc = localCredentials.secrets.get(
            credentialSecretName(local.config.teardown.recreate.secretPrefix, n, c.name),
          );
          return made !== undefined && made.clientId !== c.clientId && doc?.ZEEBE_CLIENT_ID === made.clientId;
        });
        if (published) clientsBack += 1;
      }
    }
    last.checks.push(
      check(
        current === withAllowlist,
        `${current} of ${plural(withAllowlist, 'recreated cluster')} with allowlists carry the current desired allowlist (or the deny-all placeholder), never the teardown-time copy`,
      ),
      check(
        secretsBack === withSecrets,
        `${secretsBack} of ${plural(withSecrets, 'recreated cluster')} with connector secrets got every secret back (values sealed overnight, then dropped)`,
      ),
      check(
        clientsBack === withClients,
        `${clientsBack} of ${plural(withClients, 'recreated cluster')} with API clients got them back with new credentials, published under ${local.config.teardown.recreate.secretPrefix}/<cluster>/<client>`,
      ),
      check(
        windows.length > 0,
        `open window (create accepted → allowlist written), simulated: ${windows.map((w) => `${w.name} ${w.s} s`).join(', ') || 'none measured'}`,
      ),
    );
  }
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
