import { describe, expect, it } from 'vitest';
import { expectToContainAll } from '#test/helpers/text.ts';
import { ranOn } from '#test/unit/bench/fixtures.ts';
import { summarize } from '../../../bench/lib/report.ts';
import {
  type HerdPass,
  type HerdRow,
  reading,
  renderTokenSection,
  type TokenBenchReport,
} from '../../../bench/lib/token-report.ts';

function pass(n: number, over: Partial<HerdPass> = {}): HerdPass {
  return {
    n,
    authRequests: 1,
    rateLimitedAnswers: 0,
    ok: n,
    failures: {},
    distinctTokens: 1,
    getTokenMs: summarize([5, 10, 20]),
    maxLateMs: 3,
    ...over,
  };
}

function row(n: number, over: Partial<HerdRow> = {}): HerdRow {
  return {
    n,
    project: pass(n),
    baseline: pass(n, { authRequests: n, distinctTokens: n }),
    projectLimited: pass(n),
    baselineLimited: pass(n, {
      authRequests: n,
      rateLimitedAnswers: n - 1,
      ok: 1,
      failures: n > 1 ? { 'auth-blocked': n - 1 } : {},
    }),
    ...over,
  };
}

function report(over: Partial<TokenBenchReport> = {}): TokenBenchReport {
  return {
    ...ranOn('npm run bench:token'),
    loadAverage: { start: 0.5, end: 1.25 },
    herdTuning: { authTimeoutMs: 30_000, leaseMs: 35_000, maxWaitMs: 90_000 },
    durationMs: 61_000,
    limit: { perSecond: 1, blockMs: 30_000 },
    herds: [row(1), row(10), row(200)],
    cold: {
      samples: 3,
      latencyMs: summarize([4, 5, 9]),
      failed: 0,
      origins: { shared: 3 },
      dynamoCallsPerProcess: summarize([1, 1, 1]),
      dynamoCallsByOperation: { GetItem: 3 },
      authRequests: 0,
    },
    warm: {
      iterations: 3,
      warmup: 10,
      latencyMs: summarize([0.0002, 0.0003, 0.004]) ?? { count: 0, min: 0, p50: 0, p95: 0, max: 0 },
      fromMemory: 3,
    },
    ...over,
  };
}

describe('renderTokenSection', () => {
  it('shows the machine, the date, the exact command and one herd row per N', () => {
    // Act
    const md = renderTokenSection(report());
    // Assess
    expect(md).toContain('Test CPU, 2 cores, 8 GiB, TestOS, Node v20.0.0');
    expect(md).toContain('2026-01-01T00:00:00Z');
    expect(md).toContain('```sh\nnpm run bench:token\n```');
    expect(md).toContain('| 200 | 1 | 200 | 0 of 200 | 199 of 200 | 10.0 ms / 20.0 ms | 10.0 ms / 20.0 ms |');
    expect(md).toContain('| 10 | 1 | 10 | 0 of 10 | 9 of 10 |');
  });

  it('shows the cold and warm latencies and the DynamoDB calls of a cold getToken', () => {
    // Act
    const md = renderTokenSection(report());
    // Assess
    expect(md).toContain(
      '| cold process, first getToken(), token already shared | 3 | 5.00 ms | 9.00 ms | 9.00 ms |',
    );
    expect(md).toContain('| warm getToken(), token in memory | 3 | 0.30 µs | 4.0 µs | 4.0 µs |');
    expect(md).toContain('min 1, p50 1, max 1; over all 3 processes: GetItem 3');
  });

  it('states the load the machine was under and the timeouts the herds ran with', () => {
    // Act
    const relaxed = renderTokenSection(report({ loadAverage: { start: 0.5, end: 7 } }));
    const production = renderTokenSection(report({ herdTuning: 'production' }));
    // Assess
    expect(relaxed).toContain(
      'load average 0.5 at the start, 7.0 at the end on 2 cores: other work competed',
    );
    expect(relaxed).toContain('relaxed provider timeouts (auth call 30 s, lease 35 s, wait 90 s');
    expect(production).toContain('The herds ran with the provider’s production timeouts.');
    expect(production).not.toContain('relaxed');
  });

  it('lists failures the table does not show, such as a failed herd with the limit off', () => {
    // Prepare
    const bad = row(50, { project: pass(50, { ok: 48, failures: { 'wait-timeout': 2 } }) });
    // Act
    const md = renderTokenSection(report({ herds: [bad] }));
    // Assess
    expect(md).toContain('N = 50, this project, limit off: getToken failed in 2 × wait-timeout');
  });
});

describe('reading', () => {
  it('says the goals are met when they are', () => {
    // Act
    const text = reading(report());
    // Assess
    expectToContainAll(text, [
      'exactly 1 auth request for every N from 1 to 200, meeting the goal',
      '199 of the baseline’s 200 cold starts were refused with 429',
      'not one getToken() failed',
      'exactly one DynamoDB read (GetItem) in each of the 3 processes and no auth request',
    ]);
  });

  it('says what was measured when the goals are missed', () => {
    // Prepare
    const r = report({
      herds: [row(10, { project: pass(10, { authRequests: 3 }), projectLimited: pass(10, { ok: 8 }) })],
    });
    r.cold = {
      ...r.cold,
      dynamoCallsPerProcess: summarize([1, 3, 3]),
      dynamoCallsByOperation: { GetItem: 5, UpdateItem: 2 },
    };
    // Act
    const text = reading(r);
    // Assess
    expectToContainAll(text, [
      'made 3 auth request(s) for N = 10, not the 1 per herd it aims for',
      '2 getToken() call(s) failed',
      '1 to 3 DynamoDB request(s) per process (GetItem 5, UpdateItem 2), not the single read',
    ]);
    expect(text).not.toContain('meeting the goal');
  });
});
