// Recovery-point targets: which target applies to a cluster, and how its newest Complete backup compares.
// Pure functions, shared by `backup.run`, `backup.check` and the readiness table.
//
// - A cluster's target is the STRICTEST (smallest maxAgeHours) of the `backup.targets` whose selector matches
//   it, so adding a broad target can never loosen a cluster's promise.
// - The recovery point is the newest backup whose status is `Complete`, of any kind (taken by this project,
//   by Camunda's schedule or by hand): any Complete backup can be restored. Its age counts from `created`
//   (when the backup was taken), not from when it finished.
// - "At risk": backups keep failing after the newest Complete one. Camunda keeps only a few Complete backups and
//   failed attempts do not count, so the cluster lives on its last good backup until it passes its target. It
//   is called out as soon as two attempts in a row failed, or one failed while a single Complete backup is
//   left, with the time left before the target is breached.
import { matchesSelector } from '#lib/config/selector.ts';
import type { RecoveryPointTarget } from '#lib/config/types.ts';
import type { Backup, Cluster } from '#lib/console/client.ts';

const HOUR_MS = 3_600_000;

export type RecoveryPointStatus = 'ok' | 'at-risk' | 'past-target' | 'no-complete-backup' | 'no-target';

export interface RecoveryPoint {
  status: RecoveryPointStatus;
  /** The target in hours; absent when no target matches. */
  targetHours?: number;
  newestCompleteBackupId?: string;
  /** ISO; when the newest Complete backup was taken. */
  newestCompleteAt?: string;
  newestCompleteAgeSeconds?: number;
  completeBackups: number;
  /** Failed backups taken after the newest Complete one (all of them, when there is none). */
  failedSinceComplete: number;
  /** One line for the summary, e.g. `newest Complete backup 3h 10m old, target 24h`. */
  text: string;
}

/** The strictest target whose selector matches the cluster, or undefined. */
export function targetFor(
  cluster: Cluster,
  targets: readonly RecoveryPointTarget[],
): RecoveryPointTarget | undefined {
  let best: RecoveryPointTarget | undefined;
  for (const t of targets) {
    if (!matchesSelector(cluster, t.selector)) continue;
    if (!best || t.maxAgeHours < best.maxAgeHours) best = t;
  }
  return best;
}

const createdMs = (b: Backup) => Date.parse(b.created);

/** How the cluster's backups measure up to its target at `now`. */
export function assessRecoveryPoint(
  backups: readonly Backup[],
  now: number,
  targetHours: number | undefined,
): RecoveryPoint {
  const complete = backups.filter((b) => b.status === 'Complete' && Number.isFinite(createdMs(b)));
  const newest = complete.reduce<Backup | undefined>(
    (best, b) => (!best || createdMs(b) > createdMs(best) ? b : best),
    undefined,
  );
  const since = newest ? createdMs(newest) : Number.NEGATIVE_INFINITY;
  const failedSinceComplete = backups.filter((b) => b.status === 'Failed' && createdMs(b) > since).length;
  const base = { completeBackups: complete.length, failedSinceComplete };
  const target = targetHours === undefined ? '' : `, target ${formatHours(targetHours)}`;

  if (!newest) {
    return {
      ...base,
      status: targetHours === undefined ? 'no-target' : 'no-complete-backup',
      ...(targetHours !== undefined ? { targetHours } : {}),
      text: `no Complete backup${target}${failedSinceComplete > 0 ? ` (${failedSinceComplete} failed)` : ''}`,
    };
  }
  const ageMs = Math.max(0, now - createdMs(newest));
  const found = {
    ...base,
    newestCompleteBackupId: newest.uuid,
    newestCompleteAt: newest.created,
    newestCompleteAgeSeconds: Math.floor(ageMs / 1000),
  };
  const age = `newest Complete backup ${formatDuration(ageMs)} old`;
  if (targetHours === undefined) return { ...found, status: 'no-target', text: `${age}, no target` };
  const limitMs = targetHours * HOUR_MS;
  if (ageMs > limitMs) {
    return {
      ...found,
      targetHours,
      status: 'past-target',
      text: `${age}, past its ${formatHours(targetHours)} target`,
    };
  }
  const atRisk = failedSinceComplete >= 2 || (failedSinceComplete >= 1 && complete.length <= 1);
  if (atRisk) {
    return {
      ...found,
      targetHours,
      status: 'at-risk',
      text:
        `${age}${target}; ${failedSinceComplete} backup(s) failed since it and ${complete.length} Complete ` +
        `backup(s) left: it passes its target in ${formatDuration(limitMs - ageMs)}`,
    };
  }
  return { ...found, targetHours, status: 'ok', text: `${age}${target}` };
}

/** `40s`, `45m`, `2h 5m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.floor(ms / 1000))}s`;
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** `1h`, `30m`, `1.5h`. */
export function formatHours(hours: number): string {
  return hours < 1 ? `${Math.round(hours * 60)}m` : `${Number(hours.toFixed(2))}h`;
}

/** Fleet figures for the metrics: clusters past target (or without any Complete backup), at risk, the oldest age. */
export function fleetFigures(points: readonly RecoveryPoint[]): {
  pastTarget: number;
  atRisk: number;
  oldestAgeSeconds: number;
} {
  let pastTarget = 0;
  let atRisk = 0;
  let oldest = 0;
  for (const p of points) {
    if (p.targetHours === undefined) continue;
    if (p.status === 'past-target' || p.status === 'no-complete-backup') pastTarget++;
    if (p.status === 'at-risk') atRisk++;
    if (p.newestCompleteAgeSeconds !== undefined && p.newestCompleteAgeSeconds > oldest)
      oldest = p.newestCompleteAgeSeconds;
  }
  return { pastTarget, atRisk, oldestAgeSeconds: oldest };
}
