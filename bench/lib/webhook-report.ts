// The pure part of the webhook bench: acceptance latency per scenario (a quick job, a slow job behind the same
// ingress) and the docs/BENCHMARKS.md section that shows them side by side.

import { sectionOpening } from './machine.ts';
import { formatMs, markdownTable, percentile } from './report.ts';
import type { MachineInfo } from './token-report.ts';

export interface WebhookScenario {
  label: string;
  /** Milliseconds the simulator adds to every Console answer (what makes the job slow). */
  consoleLatencyMs: number;
  /** Send → 202 received, per recorded request (warm-up excluded). */
  acceptMs: number[];
  /** How long each job's run took (the summary's finishedAt − startedAt). */
  runMs: number[];
  /** Answers other than 202 (none expected). */
  refused: number;
  /** Runs whose summary says failed, and deliveries that ended in an error. */
  runsFailed: number;
}

export interface WebhookBenchReport {
  date: string;
  machine: MachineInfo;
  durationMs: number;
  command: string;
  load: { start: number; end: number };
  warmup: number;
  scenarios: WebhookScenario[];
}

export interface LatencyRow {
  p50: number;
  p99: number;
  max: number;
}

export function latency(values: readonly number[]): LatencyRow {
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: percentile(values, 100) };
}

/** The slow scenario's p99 over the quick one's (first and last scenario): near 1 when the job's length does not matter. */
export function p99Ratio(scenarios: readonly WebhookScenario[]): number {
  const quick = scenarios[0];
  const slow = scenarios[scenarios.length - 1];
  if (!quick || !slow || quick === slow || quick.acceptMs.length === 0 || slow.acceptMs.length === 0)
    return 1;
  return percentile(slow.acceptMs, 99) / percentile(quick.acceptMs, 99);
}

/** The slow scenario's median run duration over the quick one's, as text. */
function runRatio(scenarios: readonly WebhookScenario[]): string {
  const quick = scenarios[0];
  const slow = scenarios[scenarios.length - 1];
  if (!quick?.runMs.length || !slow?.runMs.length) return '—';
  return (percentile(slow.runMs, 50) / Math.max(1, percentile(quick.runMs, 50))).toFixed(1);
}

export function renderWebhookSection(r: WebhookBenchReport): string {
  const rows = r.scenarios.map((s) => {
    const a = latency(s.acceptMs);
    const run = s.runMs.length > 0 ? percentile(s.runMs, 50) : Number.NaN;
    return [
      s.label,
      String(s.acceptMs.length),
      formatMs(a.p50),
      formatMs(a.p99),
      formatMs(a.max),
      Number.isFinite(run) ? formatMs(run) : '—',
      `${s.runMs.length - s.runsFailed} / ${s.acceptMs.length + r.warmup}`,
      String(s.refused),
    ];
  });
  const worstP99 = Math.max(...r.scenarios.map((s) => latency(s.acceptMs).p99));
  const verdict =
    worstP99 < 300
      ? `p99 acceptance latency is at most ${formatMs(worstP99)} in every scenario, under the 300 ms goal`
      : `p99 acceptance latency reaches ${formatMs(worstP99)}, over the 300 ms goal`;
  return [
    ...sectionOpening('Webhooks: acceptance latency of the ingress', r, r.load),
    'Signed `POST /webhooks/teardown/run` (`{"dryRun": true}`, a fresh webhook-id each) over real HTTP to the local stack (`scripts/lib/local-stack.ts`): an API Gateway stand-in that turns each request into a payload-2.0 event for the **real ingress handler** (`functions/webhook-ingress/handler.ts`: signature and scope, static checks, the conditional ledger write in the embedded DynamoDB, the hand-over on the local bus), which answers 202; the local bus then delivers `webhook.accepted` to the **real teardown handler** in the same process, as the stack’s hand-over rule does. Requests are sent one after another (the next once the 202 is in), so the jobs they start run **while** the following requests are accepted: the slow scenario has many teardown runs waiting on a slow Console API in the same process. ' +
      `Acceptance latency is send → 202 received, measured by the client; ${r.warmup} unrecorded warm-up requests per scenario first. ` +
      'Run duration is the median of the runs’ own summaries (finishedAt − startedAt); every run is waited for before the next scenario.',
    '',
    markdownTable(
      [
        'scenario',
        'requests',
        'accept p50',
        'accept p99',
        'accept max',
        'run duration (median)',
        'runs completed',
        'non-202 answers',
      ],
      rows,
    ),
    '',
    `${verdict}. With the slow job behind it, the ingress’s p99 is ${p99Ratio(r.scenarios).toFixed(2)}× the quick job’s while the median run takes ${runRatio(r.scenarios)}× as long: accepting a webhook does not wait for its job. Local figures (one Node process for gateway, ingress, jobs, simulator and DynamoDB); in AWS the ingress is its own function, so a slow job does not even share its CPU.`,
  ].join('\n');
}
