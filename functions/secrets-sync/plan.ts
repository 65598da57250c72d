// The changes one cluster needs: compare its connector secrets (with values) to the desired set and the
// ownership records, and decide what to create, update, delete, keep or leave alone. Pure: no I/O.
import type { SecretsSyncPolicy } from '#lib/config/schema/secrets-sync.ts';
import type { ManagedSecret } from '#lib/jobs/secrets-sync-ports.ts';
import type { DesiredSecret, DesiredState } from './desired.ts';

export type Change =
  | { kind: 'create'; secret: DesiredSecret }
  | { kind: 'update'; secret: DesiredSecret; adopt: boolean }
  | { kind: 'delete'; name: string; managed: boolean }
  /** Recorded as ours but no longer on the cluster: only the record goes. */
  | { kind: 'forget'; name: string };

export interface SecretsPlan {
  changes: Change[];
  /** Desired names the cluster carries with a value set by hand: not touched (policy not exclusive). */
  untouched: string[];
  /** Managed names kept despite no longer being desired, with why. */
  kept: Array<{ name: string; reason: string }>;
  inSync: number;
}

/** How a summary shows a change: names and a short digest, never a value. */
export function describeChange(change: Change): { name: string; digest?: string; source?: string } {
  switch (change.kind) {
    case 'create':
    case 'update':
      return {
        name: change.secret.name,
        digest: change.secret.digest,
        source: change.secret.source,
      };
    case 'delete':
    case 'forget':
      return { name: change.name };
  }
}

/**
 * The plan for one cluster. `current` is the cluster's secrets (name → value), `managed` its ownership
 * records. Without `exclusive` a secret created by hand is never updated or deleted. A managed secret that is
 * no longer desired is deleted, except when its source secret is scheduled for deletion or its source selected
 * nothing this run (kept, with the reason).
 */
export function planFor(
  desired: DesiredState,
  current: Readonly<Record<string, string>>,
  managed: readonly ManagedSecret[],
  policy: SecretsSyncPolicy,
): SecretsPlan {
  const owned = new Map(managed.map((m) => [m.name, m]));
  const changes: Change[] = [];
  const untouched: string[] = [];
  const kept: SecretsPlan['kept'] = [];
  let inSync = 0;

  for (const secret of [...desired.secrets.values()].sort(byName)) {
    const has = Object.hasOwn(current, secret.name);
    const isOwned = owned.has(secret.name);
    if (!has) changes.push({ kind: 'create', secret });
    else if (current[secret.name] === secret.value) {
      inSync += 1;
      // Same value, recorded from another source secret (a source renamed): the record follows.
      const record = owned.get(secret.name);
      if (record && (record.source !== secret.source || record.from !== secret.from)) {
        changes.push({ kind: 'update', secret, adopt: false });
        inSync -= 1;
      }
    } else if (isOwned || policy.exclusive) changes.push({ kind: 'update', secret, adopt: !isOwned });
    else untouched.push(secret.name);
  }

  const empty = new Set(desired.emptySources);
  for (const record of [...owned.values()].sort(byName)) {
    if (desired.secrets.has(record.name)) continue;
    const has = Object.hasOwn(current, record.name);
    if (desired.plannedDeletion.has(record.from)) {
      kept.push({ name: record.name, reason: `source secret '${record.from}' is scheduled for deletion` });
    } else if (empty.has(record.source)) {
      kept.push({
        name: record.name,
        reason: `source '${record.source}' selected no secret this run (deletions from an empty source are refused)`,
      });
    } else if (has) changes.push({ kind: 'delete', name: record.name, managed: true });
    else changes.push({ kind: 'forget', name: record.name });
  }

  // Exclusive: the cluster carries exactly the desired set, unless some source came back empty (then the
  // desired set is not trusted enough to delete what nobody recorded).
  if (policy.exclusive && desired.emptySources.length === 0 && desired.plannedDeletion.size === 0) {
    for (const name of Object.keys(current).sort()) {
      if (!desired.secrets.has(name) && !owned.has(name))
        changes.push({ kind: 'delete', name, managed: false });
    }
  }
  return { changes, untouched, kept, inSync };
}

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
