// The readiness table of a `backup.check` summary: per cluster the target, the newest Complete backup's age,
// the status, and the last drill with its recovery time. Plain text, for `npm run invoke -- backup check` and
// `npm start`; the deployed check carries the same figures per cluster in its summary (outcome `detail`).
import type { DrillRecord } from '#lib/jobs/ports.ts';
import type { ClusterOutcome } from '#lib/jobs/types.ts';
import { formatDuration, formatHours, type RecoveryPoint } from './recovery-point.ts';

export interface ReadinessRow {
  cluster: string;
  target: string;
  newestComplete: string;
  status: string;
  lastDrill: string;
}

function detailOf(o: ClusterOutcome): Record<string, unknown> {
  return 'detail' in o && o.detail ? o.detail : {};
}

function drillText(d: DrillRecord | undefined): string {
  if (!d) return '-';
  if (d.step === 'healthy') {
    return `${(d.healthyAt ?? d.updatedAt).slice(0, 16).replace('T', ' ')} ok, recovery ${formatDuration((d.recoverySeconds ?? 0) * 1000)}`;
  }
  if (d.step === 'failed') return `${d.updatedAt.slice(0, 16).replace('T', ' ')} FAILED`;
  if (d.step === 'not-available') return 'not available';
  return `in progress (${d.step})`;
}

export function readinessRows(outcomes: readonly ClusterOutcome[]): ReadinessRow[] {
  return outcomes.map((o) => {
    const detail = detailOf(o);
    const point = detail.recoveryPoint as RecoveryPoint | undefined;
    const status = point
      ? point.status
      : o.status === 'failed'
        ? `error: ${o.error}`
        : o.status === 'done'
          ? o.action
          : o.reason;
    return {
      cluster: o.clusterName,
      target: point?.targetHours === undefined ? '-' : formatHours(point.targetHours),
      newestComplete:
        point?.newestCompleteAgeSeconds === undefined
          ? 'none'
          : formatDuration(point.newestCompleteAgeSeconds * 1000),
      status,
      lastDrill: drillText(detail.lastDrill as DrillRecord | undefined),
    };
  });
}

/** Fixed-width text lines: a header and one line per row. */
export function readinessTable(rows: readonly ReadinessRow[], indent = '  '): string[] {
  const head: ReadinessRow = {
    cluster: 'cluster',
    target: 'target',
    newestComplete: 'newest Complete',
    status: 'status',
    lastDrill: 'last drill',
  };
  const keys = ['cluster', 'target', 'newestComplete', 'status', 'lastDrill'] as const;
  const all = [head, ...rows];
  const widths = keys.map((k) => Math.min(40, Math.max(...all.map((r) => r[k].length))));
  return all.map(
    (r) =>
      indent +
      keys
        .map((k, i) => (i === keys.length - 1 ? r[k] : r[k].padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
  );
}
