// The machinery of `npm start`'s story: the real handlers invoked as Lambda would, the simulated clock, the step
// runner that turns a run into a step report with checks, and the small helpers the steps by job share
// (demo-backup.ts, demo-allowlist.ts, demo-secrets.ts, demo-teardown.ts).
import type { Context } from 'aws-lambda';
import { handler as allowlistHandler } from '#functions/allowlist-sync/handler.ts';
import { handler as backupHandler } from '#functions/backup/handler.ts';
import { handler as secretsSyncHandler } from '#functions/secrets-sync/handler.ts';
import { handler as teardownHandler } from '#functions/teardown/handler.ts';
import type { Cluster } from '#lib/console/client.ts';
import { errorText } from '#lib/jobs/engine.ts';
import { type ClusterOutcome, type OutcomeStatus, RunFailedError, type RunSummary } from '#lib/jobs/types.ts';
import type { JobResult } from '#lib/runtime/job-handler.ts';
import { type LocalEnv, lambdaContext, webhookEvent } from '#local/env.ts';
import type { IpRule } from '#local/sim/index.ts';
import { type OutcomeRow, outcomeRows } from './cli.ts';

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

type Handler = (event: unknown, context: Context) => Promise<JobResult>;

export const HANDLERS: Record<'backup' | 'teardown' | 'allowlist-sync' | 'secrets-sync', Handler> = {
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

export const HOUR = 3_600_000;

export type Delivered =
  | { kind: 'summary'; summary: RunSummary; httpStatus?: number }
  | { kind: 'answer'; httpStatus: number; message: string }
  | { kind: 'ignored'; reason: string };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Invokes a real handler the way Lambda would; a failed run (RunFailedError) is a summary too. */
export async function deliver(job: keyof typeof HANDLERS, event: unknown): Promise<Delivered> {
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

export function offsetClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      offset += ms;
    },
  };
}

export const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
export const check = (ok: boolean, text: string): Check => ({ ok, text });
export const doneWith = (s: RunSummary, action: string) =>
  s.clusters.filter(
    (c): c is Extract<ClusterOutcome, { status: 'done' }> => c.status === 'done' && c.action === action,
  );
export const sameRules = (a: readonly IpRule[], b: readonly IpRule[]) => {
  const key = (rules: readonly IpRule[]) =>
    JSON.stringify(rules.map((r) => `${r.ip}|${r.description}`).sort());
  return key(a) === key(b);
};

export type Clock = ReturnType<typeof offsetClock>;

/** What every step of the story uses: the environment, the clock, the step runner and the redelivery check. */
export function storyOf(local: LocalEnv, clock: Clock, steps: StepReport[]) {
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
  /** A step whose checks read the run's summary: without one they are not run (the step already failed). */
  const summaryStep = (
    head: Pick<StepReport, 'id' | 'title' | 'via'>,
    job: keyof typeof HANDLERS,
    event: unknown,
    assess: (summary: RunSummary, report: StepReport, d: Delivered) => Promise<void> | void,
  ): Promise<boolean> =>
    step(head, job, event, (d, report) => (d.kind === 'summary' ? assess(d.summary, report, d) : undefined));

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
  return {
    local,
    clock,
    steps,
    sim,
    config,
    byRoute,
    simClusters,
    webhook,
    step,
    summaryStep,
    summaryOf,
    redeliver,
  };
}

export type Story = ReturnType<typeof storyOf>;
