import { describe, expect, it } from 'vitest';
import { expectToContainAll } from '#test/helpers/text.ts';
import {
  latency,
  p99Ratio,
  renderWebhookSection,
  type WebhookBenchReport,
  type WebhookScenario,
} from '../../../bench/lib/webhook-report.ts';

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

function scenario(overrides: Partial<WebhookScenario> = {}): WebhookScenario {
  return {
    label: 'quick job (Console latency 0 ms)',
    consoleLatencyMs: 0,
    acceptMs: range(1, 200),
    runMs: range(100, 210),
    refused: 0,
    runsFailed: 0,
    ...overrides,
  };
}

function report(scenarios: WebhookScenario[]): WebhookBenchReport {
  return {
    date: '2026-12-01T22:00:00Z',
    machine: { cpu: 'AMD EPYC', cores: 2, memoryGiB: 23.5, os: 'Debian', node: 'v20.20.2' },
    durationMs: 60_000,
    command: 'npm run bench:webhook',
    load: { start: 1, end: 1 },
    warmup: 10,
    scenarios,
  };
}

describe('webhook bench report', () => {
  it('latency: nearest-rank p50, p99 and max of the samples', () => {
    expect(latency(range(1, 200))).toEqual({ p50: 100, p99: 198, max: 200 });
  });

  it('p99Ratio compares the last (slow) scenario with the first (quick) one', () => {
    const quick = scenario();
    const slow = scenario({ acceptMs: range(1, 200).map((v) => v * 2) });
    expect(p99Ratio([quick, slow])).toBe(2);
    expect(p99Ratio([slow, quick])).toBe(0.5);
    expect(p99Ratio([quick])).toBe(1);
  });

  it('the section names the machine, the command, both scenarios and the 300 ms goal it meets', () => {
    // Act
    const text = renderWebhookSection(
      report([
        scenario(),
        scenario({ label: 'slow job (Console latency 2000 ms)', runMs: range(2000, 210) }),
      ]),
    );

    // Assess
    expectToContainAll(text, [
      '## Webhooks: acceptance latency of the ingress',
      'AMD EPYC, 2 cores',
      'npm run bench:webhook',
      '| quick job (Console latency 0 ms) | 200 | 100 ms | 198 ms | 200 ms | 204 ms | 210 / 210 | 0 |',
      '| slow job (Console latency 2000 ms) | 200 | 100 ms | 198 ms |',
      'under the 300 ms goal',
      'p99 is 1.00× the quick job’s while the median run takes 10.3× as long',
    ]);
  });

  it('says so when a p99 misses the goal', () => {
    const text = renderWebhookSection(report([scenario({ acceptMs: range(200, 200) })]));
    expect(text).toContain('over the 300 ms goal');
  });
});
