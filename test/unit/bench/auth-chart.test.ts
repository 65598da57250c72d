import { describe, expect, it } from 'vitest';
import { expectToContainAll } from '#test/helpers/text.ts';
import {
  type AuthChartData,
  authRequestsChart,
  ChartDataError,
  chartDataFrom,
  escapeXml,
  linearTicks,
  niceCeiling,
  renderChartSection,
} from '../../../bench/lib/auth-chart.ts';

const DATA: AuthChartData = {
  points: [
    { n: 1, project: 1, baseline: 1 },
    { n: 10, project: 1, baseline: 10 },
    { n: 50, project: 1, baseline: 50 },
    { n: 200, project: 1, baseline: 185 },
  ],
  limitPerSecond: 1,
  date: '2026-11-27T19:18:48Z',
  command: 'npm run bench:token',
};

/** [x, y] pairs of a polyline with the given class. */
function polyline(svg: string, cls: string): Array<[number, number]> {
  const attr = new RegExp(`<polyline class="${cls}" points="([^"]*)"`).exec(svg)?.[1];
  if (attr === undefined) throw new Error(`no polyline ${cls}`);
  return attr.split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);
}

/** Every element opened is closed, in order (self-closing ones aside). */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) {
      if (stack.pop() !== name) return false;
    } else if (name) stack.push(name);
  }
  return stack.length === 0;
}

describe('niceCeiling and linearTicks', () => {
  it('rounds up to 1, 2 or 5 × 10^k', () => {
    expect(niceCeiling(185)).toBe(200);
    expect(niceCeiling(200)).toBe(200);
    expect(niceCeiling(201)).toBe(500);
    expect(niceCeiling(11)).toBe(20);
    expect(niceCeiling(0.3)).toBe(1);
  });

  it('spaces ticks evenly from 0 to the ceiling', () => {
    expect(linearTicks(185)).toEqual([0, 40, 80, 120, 160, 200]);
    expect(linearTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(linearTicks(1)).toEqual([0, 1]);
  });
});

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
  });
});

describe('chartDataFrom', () => {
  it('takes N and both request counts from the token benchmark figures, sorted by N', () => {
    // Prepare: the shape bench/token.ts writes, extra fields included
    const figures = {
      date: '2026-01-01T00:00:00Z',
      limit: { perSecond: 1, blockMs: 30_000 },
      herds: [
        { n: 50, project: { authRequests: 1, ok: 50 }, baseline: { authRequests: 50 }, projectLimited: {} },
        { n: 1, project: { authRequests: 1 }, baseline: { authRequests: 1 } },
      ],
    };
    // Act
    const data = chartDataFrom(figures);
    // Assess
    expect(data).toEqual({
      points: [
        { n: 1, project: 1, baseline: 1 },
        { n: 50, project: 1, baseline: 50 },
      ],
      limitPerSecond: 1,
      date: '2026-01-01T00:00:00Z',
      command: 'npm run bench:token',
    });
  });

  it('keeps the command that measured the figures', () => {
    const data = chartDataFrom({
      command: 'npm run bench',
      herds: [{ n: 1, project: { authRequests: 1 }, baseline: { authRequests: 1 } }],
    });
    expect(data.command).toBe('npm run bench');
    expect(authRequestsChart(data)).toContain('>npm run bench</text>');
  });

  it('refuses figures without herds or with a herd missing a count', () => {
    expect(() => chartDataFrom({ herds: [] })).toThrow(ChartDataError);
    expect(() => chartDataFrom(null)).toThrow(ChartDataError);
    expect(() => chartDataFrom({ herds: [{ n: 10, project: { authRequests: 1 }, baseline: {} }] })).toThrow(
      /herds\[0\]/,
    );
  });
});

describe('authRequestsChart', () => {
  it('is one well-formed SVG document', () => {
    // Act
    const svg = authRequestsChart(DATA);
    // Assess
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(balanced(svg)).toBe(true);
  });

  it('draws one point per herd for each series, the baseline rising with N and the project flat', () => {
    // Act
    const svg = authRequestsChart(DATA);
    const baseline = polyline(svg, 'series-baseline');
    const project = polyline(svg, 'series-project');
    // Assess
    expect(baseline).toHaveLength(4);
    expect(project).toHaveLength(4);
    expect(svg.match(/class="point-baseline"/g)).toHaveLength(4);
    // SVG y grows downwards: more requests, smaller y
    const ys = baseline.map(([, y]) => y);
    expect([...ys].sort((a, b) => b - a)).toEqual(ys);
    expect(new Set(project.map(([, y]) => y)).size).toBe(1);
    // x grows with N, the same for both series
    expect(project.map(([x]) => x)).toEqual(baseline.map(([x]) => x));
    // at N = 1 both made one request: the points coincide
    expect(project[0]).toEqual(baseline[0]);
  });

  it('places values to scale: 185 requests near the top of a 200 axis, 1 just above the floor', () => {
    // Act
    const svg = authRequestsChart(DATA);
    const [, yBaseline200] = polyline(svg, 'series-baseline')[3] ?? [0, 0];
    const [, yProject200] = polyline(svg, 'series-project')[3] ?? [0, 0];
    const floor = Number(
      /<text x="\d+(?:\.\d+)?" y="([\d.]+)" text-anchor="end" dominant-baseline="middle"[^>]*>0</.exec(
        svg,
      )?.[1],
    );
    const top = Number(
      /<text x="\d+(?:\.\d+)?" y="([\d.]+)" text-anchor="end" dominant-baseline="middle"[^>]*>200</.exec(
        svg,
      )?.[1],
    );
    // Assess
    expect((floor - yBaseline200) / (floor - top)).toBeCloseTo(185 / 200, 2);
    expect((floor - yProject200) / (floor - top)).toBeCloseTo(1 / 200, 2);
  });

  it('labels every baseline value and the project line with its single value', () => {
    // Act
    const svg = authRequestsChart(DATA);
    // Assess
    for (const v of [1, 10, 50, 185]) expect(svg).toMatch(new RegExp(`class="label-baseline"[^>]*>${v}<`));
    expect(svg).toMatch(/class="label-project"[^>]*>1 request for every N</);
    expect(svg).toContain('2026-11-27T19:18:48Z');
  });

  it('lists the project’s counts when they differ between herds', () => {
    const svg = authRequestsChart({
      ...DATA,
      points: [
        { n: 10, project: 1, baseline: 10 },
        { n: 50, project: 2, baseline: 50 },
      ],
    });
    expect(svg).toMatch(/class="label-project"[^>]*>1, 2 requests</);
  });
});

describe('renderChartSection', () => {
  it('embeds the chart and states its source and the largest herd’s figures', () => {
    // Act
    const text = renderChartSection(DATA, 'auth-requests.svg', 'docs/bench-token.json');
    // Assess
    expectToContainAll(text, [
      '](auth-requests.svg)',
      '`docs/bench-token.json`',
      '(`npm run bench:token`, 2026-11-27T19:18:48Z)',
      'at N = 200, 1 auth request(s) with the shared cache against 185 with per-instance caching',
    ]);
  });
});
