import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expectToContainAll } from '#test/helpers/text.ts';
import { ranOn } from '#test/unit/bench/fixtures.ts';
import {
  type ColdstartReport,
  formatBytes,
  jsOutput,
  type MetafileLike,
  median,
  missesGoal,
  packageOf,
  probeSource,
  renderColdstartSection,
  type SubjectResult,
  topContributors,
} from '../../../bench/lib/coldstart-report.ts';

describe('formatBytes', () => {
  it('uses decimal units with a precision that suits the size', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.00 kB');
    expect(formatBytes(48_340)).toBe('48.3 kB');
    expect(formatBytes(970_450)).toBe('970.5 kB');
    expect(formatBytes(2_240_240)).toBe('2.24 MB');
    expect(formatBytes(12_500_000)).toBe('12.5 MB');
  });

  it('refuses what is not a byte count', () => {
    expect(() => formatBytes(-1)).toThrow(RangeError);
    expect(() => formatBytes(Number.NaN)).toThrow(RangeError);
  });
});

describe('median', () => {
  it('is the nearest-rank middle sample', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2);
  });
});

describe('packageOf', () => {
  it('names the package of a dependency, scoped or not, the innermost node_modules winning', () => {
    expect(packageOf('node_modules/zod/v4/core/schemas.js')).toBe('zod');
    expect(packageOf('node_modules/@aws-sdk/client-dynamodb/dist-es/index.js')).toBe(
      '@aws-sdk/client-dynamodb',
    );
    expect(packageOf('node_modules/@smithy/core/node_modules/tslib/tslib.es6.mjs')).toBe('tslib');
    expect(packageOf('node_modules\\@middy\\core\\index.js')).toBe('@middy/core');
  });

  it('groups project files by their top two folders', () => {
    expect(packageOf('lib/console/client.ts')).toBe('lib/console');
    expect(packageOf('functions/backup/handler.ts')).toBe('functions/backup');
    expect(packageOf('../main/lib/state/run-ledger.ts')).toBe('main/lib');
    expect(packageOf('entry.ts')).toBe('entry.ts');
  });
});

describe('topContributors', () => {
  const meta: MetafileLike = {
    outputs: {
      'out/index.mjs.map': { bytes: 999_999, inputs: {} },
      'out/index.mjs': {
        bytes: 1000,
        inputs: {
          'node_modules/zod/a.js': { bytesInOutput: 300 },
          'node_modules/zod/b.js': { bytesInOutput: 200 },
          'node_modules/@aws-sdk/core/x.js': { bytesInOutput: 250 },
          'lib/console/client.ts': { bytesInOutput: 100 },
          'lib/state/keys.ts': { bytesInOutput: 50 },
          'node_modules/tiny/i.js': { bytesInOutput: 10 },
        },
      },
    },
  };

  it('sums the bytes per package, largest first, with their share of the JavaScript output', () => {
    // Act
    const top = topContributors(meta, 3);
    // Assess
    expect(top.map((c) => [c.name, c.bytes])).toEqual([
      ['zod', 500],
      ['@aws-sdk/core', 250],
      ['lib/console', 100],
      ['other (2 packages)', 60],
    ]);
    expect(top[0]?.share).toBeCloseTo(0.5);
  });

  it('reads the .mjs output, never the source map', () => {
    expect(jsOutput(meta)).toEqual({ path: 'out/index.mjs', bytes: 1000 });
  });
});

describe('probeSource', () => {
  const run = (moduleSource: string) => {
    const url = `data:text/javascript,${encodeURIComponent(moduleSource)}`;
    return spawnSync(process.execPath, ['--input-type=module', '-e', probeSource(url)], { encoding: 'utf8' });
  };

  it('prints the import time, the time once the container is built, and the peak RSS', () => {
    // Prepare: a module whose getContainer leaves a trace, so the call can be seen
    const mod =
      'export const handler = async () => 1;' +
      "export const getContainer = () => { process.stderr.write('container built'); return {}; };";
    // Act
    const out = run(mod);
    // Assess
    expect(out.status).toBe(0);
    expect(out.stderr).toBe('container built');
    const result = JSON.parse(out.stdout.trim()) as { initMs: number; readyMs: number; maxRssKiB: number };
    expect(result.initMs).toBeGreaterThan(0);
    expect(result.readyMs).toBeGreaterThanOrEqual(result.initMs);
    expect(result.maxRssKiB).toBeGreaterThan(1000);
  });

  it('reports init and ready alike for a bundle without getContainer', () => {
    const out = run('export const handler = async () => 1;');
    const result = JSON.parse(out.stdout.trim()) as { initMs: number; readyMs: number };
    expect(result.readyMs).toBe(result.initMs);
  });

  it('fails the process when the bundle exports no handler', () => {
    const out = run('export const notAHandler = 1;');
    expect(out.status).not.toBe(0);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('the bundle exports no handler function');
  });
});

function subject(
  name: string,
  kind: SubjectResult['kind'],
  initMs: number,
  readyMs = initMs,
  bundleBytes = kind === 'baseline' ? 2_240_000 : 470_000,
): SubjectResult {
  return {
    name,
    kind,
    bundleBytes,
    mapBytes: 1_000_000,
    initMs,
    readyMs,
    processMs: initMs + 50,
    initMinMs: initMs - 10,
    initMaxMs: initMs + 30,
    maxRssKiB: 64_000,
    samples: 30,
    contributors: [{ name: 'zod', bytes: 450_000, share: 0.46 }],
  };
}

function report(subjects: SubjectResult[]): ColdstartReport {
  return {
    ...ranOn('npm run bench:coldstart'),
    durationMs: 60_000,
    load: { start: 0.5, end: 1.5 },
    runs: 30,
    warmup: 2,
    sdkVersion: '8.8.13',
    target: 'node24',
    nodeOptions: '--enable-source-maps',
    probeNode: 'v24.22.3',
    subjects,
  };
}

describe('the goal and the section', () => {
  it('meets the time goal at exactly a quarter of the baseline, container included, and misses it just above', () => {
    const baseline = subject('sdk', 'baseline', 600);
    expect(missesGoal(subject('backup', 'project', 100, 150), baseline)).toBe(false);
    expect(missesGoal(subject('backup', 'project', 100, 151), baseline)).toBe(true);
  });

  it('meets the size goal at exactly 500 kB and misses it a byte above', () => {
    const baseline = subject('sdk', 'baseline', 600);
    expect(missesGoal(subject('backup', 'project', 100, 150, 500_000), baseline)).toBe(false);
    expect(missesGoal(subject('backup', 'project', 100, 150, 500_001), baseline)).toBe(true);
  });

  it('shows sizes, medians and the share of the baseline, and says the goal is met', () => {
    // Act
    const text = renderColdstartSection(
      report([subject('backup', 'project', 100, 150), subject('baseline: @camunda8/sdk', 'baseline', 700)]),
    );
    // Assess
    expectToContainAll(text, [
      '| backup | 470.0 kB | 100 ms | 90.0 ms – 130 ms | 150 ms | 150 ms | 14 % | 21 % | 66 MB |',
      '| baseline: @camunda8/sdk (baseline) | 2.24 MB | 700 ms |',
      '(goal ≤ 175 ms): met.',
      'Every bundle is at most 500.0 kB: met.',
      'zod 450.0 kB (46 %)',
    ]);
  });

  it('names the function that misses the goal', () => {
    // Act
    const text = renderColdstartSection(
      report([
        subject('backup', 'project', 100, 150, 620_000),
        subject('teardown', 'project', 100, 200),
        subject('baseline: @camunda8/sdk', 'baseline', 700),
      ]),
    );
    // Assess
    expectToContainAll(text, [
      'teardown miss the time goal',
      'backup (620.0 kB) miss the size goal of 500.0 kB',
    ]);
    expect(text).not.toContain(': met.');
  });

  it('names the Node version that loaded the bundles, which may differ from the one that ran the benchmark', () => {
    // Prepare
    const run = report([subject('backup', 'project', 100, 150), subject('sdk', 'baseline', 700)]);
    // Act
    const text = renderColdstartSection({ ...run, machine: { ...run.machine, node: 'v20.20.2' } });
    // Assess
    expectToContainAll(text, ['by a fresh Node 24.22.3 process', 'Local figures on Node 24.22.3']);
    expect(text).not.toContain('Local figures on Node 20');
  });
});
