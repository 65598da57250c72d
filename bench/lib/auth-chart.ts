// docs/auth-requests.svg, drawn by hand from the figures `npm run bench:token` writes to docs/bench-token.json:
// auth requests (y) against concurrent cold starts N (x), this project against per-instance caching.
// Plain SVG text, no chart library; pure functions so that the drawing can be tested.

export interface AuthPoint {
  /** Concurrent cold starts. */
  n: number;
  /** Token requests the auth server received with this project's shared cache. */
  project: number;
  /** Token requests with per-instance caching (Camunda's SDK in Lambda). */
  baseline: number;
}

export interface AuthChartData {
  points: AuthPoint[];
  /** Camunda's auth limit, requests per second per source. */
  limitPerSecond: number;
  /** When the figures were measured (ISO). */
  date: string;
  /** The command that measured them. */
  command: string;
}

/** The part of bench/token.ts's report the chart reads. */
export interface TokenFigures {
  date: string;
  command?: string;
  limit: { perSecond: number };
  herds: Array<{ n: number; project: { authRequests: number }; baseline: { authRequests: number } }>;
}

export class ChartDataError extends Error {
  override readonly name = 'ChartDataError';
}

/** The chart's data from the token benchmark's JSON; refuses a file without herds rather than draw nothing. */
export function chartDataFrom(figures: unknown): AuthChartData {
  const f = figures as Partial<TokenFigures> | null;
  if (typeof f !== 'object' || f === null || !Array.isArray(f.herds) || f.herds.length === 0) {
    throw new ChartDataError('the token benchmark figures hold no herds (run `npm run bench:token`)');
  }
  const points = f.herds.map((h, i) => {
    const n = h?.n;
    const project = h?.project?.authRequests;
    const baseline = h?.baseline?.authRequests;
    if (![n, project, baseline].every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new ChartDataError(`herds[${i}] lacks n, project.authRequests or baseline.authRequests`);
    }
    return { n: n as number, project: project as number, baseline: baseline as number };
  });
  points.sort((a, b) => a.n - b.n);
  if (points.some((p) => p.n < 1)) throw new ChartDataError('every herd size must be at least 1');
  return {
    points,
    limitPerSecond: typeof f.limit?.perSecond === 'number' ? f.limit.perSecond : 1,
    date: typeof f.date === 'string' ? f.date : '',
    command: typeof f.command === 'string' && f.command !== '' ? f.command : 'npm run bench:token',
  };
}

/** The smallest 1, 2 or 5 × 10^k that is ≥ v (v > 0); 1 for v ≤ 1. */
export function niceCeiling(v: number): number {
  if (!(v > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= v - 1e-9) return step * power;
  }
  return 10 * power;
}

/** Evenly spaced ticks from 0 to `max` (a nice ceiling): 4 or 5 intervals, whole numbers when possible. */
export function linearTicks(max: number): number[] {
  const top = niceCeiling(max);
  const intervals = [5, 4, 2].find((k) => Number.isInteger(top / k)) ?? 1;
  return Array.from({ length: intervals + 1 }, (_, i) => (top / intervals) * i);
}

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

const W = 720;
const H = 460;
const M = { top: 64, right: 32, bottom: 70, left: 56 };
const COLORS = {
  project: '#0b7a3e',
  baseline: '#c2410c',
  muted: '#6b7280',
  grid: '#e5e7eb',
  axis: '#374151',
};

function round(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/**
 * The SVG document. Both axes linear from 0, so per-instance caching shows as the line y = N it is and the
 * shared cache as the flat line at 1. Each point is labelled with its value.
 */
export function authRequestsChart(data: AuthChartData): string {
  const { points } = data;
  if (points.length === 0) throw new ChartDataError('no points to draw');
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const ns = points.map((p) => p.n);
  const xTicks = linearTicks(Math.max(...ns));
  const xTop = xTicks[xTicks.length - 1] ?? 1;
  const x = (n: number) => M.left + (n / xTop) * plotW;
  const yTicks = linearTicks(Math.max(...points.map((p) => Math.max(p.project, p.baseline, p.n)), 1));
  const yTop = yTicks[yTicks.length - 1] ?? 1;
  const y = (v: number) => M.top + plotH - (v / yTop) * plotH;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12" ' +
      'role="img" aria-labelledby="title desc">',
  );
  out.push('<title id="title">Auth requests against concurrent cold starts</title>');
  out.push(
    `<desc id="desc">${escapeXml(
      points.map((p) => `N=${p.n}: this project ${p.project}, per-instance caching ${p.baseline}`).join('; '),
    )}</desc>`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${M.left}" y="24" font-size="16" font-weight="600" fill="${COLORS.axis}">` +
      'Token requests to Camunda’s auth server for N concurrent cold starts</text>',
  );
  out.push(
    `<text x="${M.left}" y="44" fill="${COLORS.muted}">${escapeXml(
      `Camunda allows ~${data.limitPerSecond} token request/s per source IP; above that it answers 429 and blocks the IP.`,
    )}</text>`,
  );
  out.push(
    `<text x="${W - M.right}" y="${H - 8}" text-anchor="end" font-size="10" fill="${COLORS.muted}">${escapeXml(
      `${data.command}${data.date ? `, ${data.date}` : ''}`,
    )}</text>`,
  );

  // Grid, y axis labels.
  for (const t of yTicks) {
    const ty = round(y(t));
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${ty}" y2="${ty}" stroke="${COLORS.grid}" stroke-width="1"/>`,
    );
    out.push(
      `<text x="${M.left - 8}" y="${ty}" text-anchor="end" dominant-baseline="middle" fill="${COLORS.axis}">${t}</text>`,
    );
  }
  // x axis.
  const baseY = round(y(0));
  out.push(
    `<line x1="${M.left}" x2="${W - M.right}" y1="${baseY}" y2="${baseY}" stroke="${COLORS.axis}" stroke-width="1"/>`,
  );
  for (const t of xTicks) {
    const tx = round(x(t));
    out.push(
      `<line x1="${tx}" x2="${tx}" y1="${baseY}" y2="${round(y(0) + 5)}" stroke="${COLORS.axis}" stroke-width="1"/>`,
    );
    out.push(
      `<text x="${tx}" y="${round(y(0) + 20)}" text-anchor="middle" fill="${COLORS.axis}">${t}</text>`,
    );
  }
  out.push(
    `<text x="${round(M.left + plotW / 2)}" y="${round(y(0) + 40)}" text-anchor="middle" fill="${COLORS.axis}">` +
      'N concurrent cold starts (one source IP, released at one instant)</text>',
  );
  out.push(
    `<text transform="translate(18 ${round(M.top + plotH / 2)}) rotate(-90)" text-anchor="middle" ` +
      `fill="${COLORS.axis}">auth requests</text>`,
  );

  const series = (key: 'project' | 'baseline', color: string): void => {
    const coords = points.map((p) => `${round(x(p.n))},${round(y(p[key]))}`).join(' ');
    out.push(
      `<polyline class="series-${key}" points="${coords}" fill="none" stroke="${color}" stroke-width="2.5"/>`,
    );
    for (const p of points) {
      out.push(
        `<circle class="point-${key}" cx="${round(x(p.n))}" cy="${round(y(p[key]))}" r="4" fill="${color}"/>`,
      );
    }
  };
  series('baseline', COLORS.baseline);
  series('project', COLORS.project);
  // Value labels above per-instance caching's points; the shared cache's line is labelled once, at its end
  // (its points sit at the foot of the other line's first ones).
  for (const p of points) {
    out.push(
      `<text class="label-baseline" x="${round(x(p.n))}" y="${round(y(p.baseline) - 10)}" text-anchor="end" ` +
        `fill="${COLORS.baseline}" font-weight="600">${p.baseline}</text>`,
    );
  }
  const last = points[points.length - 1];
  if (last) {
    const counts = [...new Set(points.map((p) => p.project))].sort((a, b) => a - b);
    const text =
      counts.length === 1
        ? `${counts[0]} request${counts[0] === 1 ? '' : 's'} for every N`
        : `${points.map((p) => p.project).join(', ')} requests`;
    out.push(
      `<text class="label-project" x="${round(x(last.n))}" y="${round(y(last.project) - 10)}" text-anchor="end" ` +
        `fill="${COLORS.project}" font-weight="600">${escapeXml(text)}</text>`,
    );
  }

  // Legend, top left inside the plot (per-instance caching rises to the top right).
  const legend: Array<[string, string]> = [
    ['per-instance caching (Camunda’s SDK in Lambda)', COLORS.baseline],
    ['this project (token shared through DynamoDB)', COLORS.project],
  ];
  legend.forEach(([text, color], i) => {
    const yy = M.top + 14 + i * 20;
    out.push(
      `<line x1="${M.left + 14}" x2="${M.left + 38}" y1="${yy}" y2="${yy}" stroke="${color}" stroke-width="2.5"/>`,
    );
    out.push(
      `<text x="${M.left + 46}" y="${yy}" dominant-baseline="middle" fill="${COLORS.axis}">${escapeXml(text)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The `auth-chart` section of docs/BENCHMARKS.md: the chart, and what it was drawn from. */
export function renderChartSection(data: AuthChartData, chartFile: string, figuresFile: string): string {
  const worst = data.points[data.points.length - 1];
  return [
    '## Auth requests against concurrent cold starts (chart)',
    '',
    `![Token requests for N concurrent cold starts: this project against per-instance caching](${chartFile})`,
    '',
    `Drawn by \`bench/auth-chart.ts\` from \`${figuresFile}\`, the figures of the token benchmark above ` +
      `(\`${data.command}\`, ${data.date || 'date unknown'})` +
      (worst
        ? `: at N = ${worst.n}, ${worst.project} auth request(s) with the shared cache against ${worst.baseline} ` +
          'with per-instance caching.'
        : '.'),
  ].join('\n');
}
