// Finishing a recreated cluster before anyone may use it: the current desired allowlist (or a deny-all
// placeholder) as soon as the API accepts one, then its connector secrets, then its API clients, whose new
// credentials are published under a stable name per cluster and client. Every step reads the cluster's
// current state first and does only what is missing, so a crash between any two steps is finished by the
// next run without a duplicate (a client is created only when none of that name exists).

import { declaredSource, desiredFor } from '#functions/allowlist-sync/desired.ts';
import { AllowlistValidationError, toConsoleList } from '#lib/allowlist/entries.ts';
import { matchesSelector } from '#lib/config/selector.ts';
import type { AllowlistPolicy, TeardownPolicy } from '#lib/config/types.ts';
import type { Cluster, IpAllowlistEntry } from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { errorText } from '#lib/jobs/engine.ts';
import type { AllowlistSource, ClusterSnapshot, JobDeps } from '#lib/jobs/ports.ts';
import { credentialSecretName } from '#lib/secrets/credentials.ts';
import { type DesiredAllowlist, type TeardownDeps, TeardownError } from './plan.ts';
import { SECRETS_PURPOSE } from './snapshot.ts';

/** Written where the desired list is empty or unknown: one unroutable documentation address (RFC 5737). */
export const PLACEHOLDER_ENTRY: IpAllowlistEntry = {
  ip: '192.0.2.1/32',
  description: 'placeholder: closed until the allowlist is set',
};

/** The desired allowlist of a cluster, computed exactly as the allowlist sync does (same sources, same rules). */
export function desiredAllowlistFrom(
  deps: Pick<JobDeps, 'allowlistSources' | 'log'>,
  policy: AllowlistPolicy,
): DesiredAllowlist {
  return async (cluster) => {
    if (!policy.enabled) return { kind: 'none', reason: 'the allowlist policy is disabled' };
    if (!matchesSelector(cluster, policy.selector))
      return { kind: 'none', reason: 'not selected by the allowlist policy' };
    const sources: AllowlistSource[] = (await deps.allowlistSources.list()).filter(
      (s) => declaredSource(policy, s.name) !== undefined,
    );
    try {
      const entries = desiredFor(cluster, policy, sources, deps.log);
      if (entries.length === 0) return { kind: 'none', reason: 'the desired allowlist is empty' };
      return { kind: 'entries', entries: toConsoleList(entries) };
    } catch (err) {
      if (err instanceof AllowlistValidationError) return { kind: 'refused', reason: err.message };
      throw err;
    }
  };
}

const sameList = (a: readonly IpAllowlistEntry[], b: readonly IpAllowlistEntry[]): boolean =>
  a.length === b.length && a.every((e, i) => e.ip === b[i]?.ip && e.description === b[i]?.description);

export interface AllowlistStep {
  written: boolean;
  kind: 'desired' | 'placeholder' | 'not available';
  entries: number;
  reason?: string;
}

/**
 * Writes the current desired allowlist (labels by lineage: the snapshot's labels stand in for the ones the
 * API cannot set), or the placeholder; false when the API does not accept one yet (Creating).
 */
export async function writeAllowlist(
  deps: TeardownDeps,
  s: ClusterSnapshot,
  cluster: Cluster,
): Promise<AllowlistStep> {
  // No allowlist field: the plan has no allowlists (Enterprise only), nothing to write or to leave open.
  const notAvailable: AllowlistStep = { written: true, kind: 'not available', entries: 0 };
  if (cluster.ipallowlist === undefined && cluster.ipwhitelist === undefined) return notAvailable;
  const lineage: Cluster = { ...cluster, labels: cluster.labels?.length ? cluster.labels : [...s.labels] };
  const desired = deps.desiredAllowlist
    ? await deps.desiredAllowlist(lineage)
    : ({ kind: 'none', reason: 'no desired-state source wired' } as const);
  const entries = desired.kind === 'entries' ? desired.entries : [PLACEHOLDER_ENTRY];
  const step: AllowlistStep = {
    written: false,
    kind: desired.kind === 'entries' ? 'desired' : 'placeholder',
    entries: entries.length,
    ...(desired.kind !== 'entries' ? { reason: desired.reason } : {}),
  };
  const current = cluster.ipallowlist ?? [];
  if (sameList(current, entries)) return { ...step, written: true };
  try {
    await deps.console.putIpAllowlist(cluster.uuid, entries);
  } catch (err) {
    // Not accepted while Creating (409/412): written as soon as the API takes it.
    if (err instanceof ConsoleApiError && (err.status === 409 || err.status === 412)) return step;
    if (err instanceof ConsoleApiError && err.status === 403) return notAvailable;
    throw err;
  }
  return { ...step, written: true };
}

/** Restores the sealed connector secrets that are missing or differ; returns how many were written. */
export async function restoreSecrets(
  deps: TeardownDeps,
  s: ClusterSnapshot,
  clusterId: string,
  sleep: (ms: number) => Promise<void>,
): Promise<{ restored: number; total: number }> {
  const names = s.secrets?.names ?? [];
  if (names.length === 0) return { restored: 0, total: 0 };
  const sealed = s.secrets?.sealed;
  if (!sealed) {
    // Already restored (the values were dropped after): check the names are there.
    const present = await deps.console.getSecrets(clusterId);
    const missing = names.filter((n) => !(n in present));
    if (missing.length > 0)
      throw new TeardownError(
        `connector secrets ${missing.join(', ')} are missing and their values are gone`,
      );
    return { restored: 0, total: names.length };
  }
  if (!deps.sealer) throw new TeardownError('no sealer configured: the connector secrets cannot be opened');
  const { clusterId: sealedId, clusterName } = s.secrets?.sealedFor ?? {
    clusterId: s.clusterId,
    clusterName: s.name,
  };
  const wanted = JSON.parse(
    await deps.sealer.open(sealed, { clusterId: sealedId, clusterName, purpose: SECRETS_PURPOSE }),
  ) as Record<string, string>;
  let restored = 0;
  // A 409 on a POST means "name exists" or "another change in progress": re-read and decide again.
  for (let round = 0; round < 8; round += 1) {
    const present = await deps.console.getSecrets(clusterId);
    const todo = Object.keys(wanted).filter((n) => present[n] !== wanted[n]);
    if (todo.length === 0) return { restored, total: names.length };
    let conflict = false;
    for (const name of todo) {
      const value = wanted[name] ?? '';
      try {
        if (name in present) await deps.console.updateSecret(clusterId, name, value);
        else await deps.console.createSecret(clusterId, name, value);
        restored += 1;
      } catch (err) {
        if (err instanceof ConsoleApiError && (err.status === 409 || err.maybeApplied)) {
          conflict = true;
          break;
        }
        throw new TeardownError(`connector secret ${name} not restored: ${errorText(err)}`, { cause: err });
      }
    }
    if (conflict) await sleep(Math.min(500 * 2 ** round, 8_000));
  }
  throw new TeardownError('connector secrets not restored: another change kept being in progress');
}

export interface ClientStep {
  name: string;
  secretName?: string;
  state: 'created' | 'existing' | 'not published';
}

/**
 * Recreates the snapshot's API clients that do not exist yet (same names and permissions) and publishes each
 * new client's credentials. A client that exists but whose published secret names another client id (the
 * run that created it died before publishing: its secret is lost) is deleted and created again.
 */
export async function restoreClients(
  deps: TeardownDeps,
  policy: TeardownPolicy,
  s: ClusterSnapshot,
  cluster: Cluster,
): Promise<ClientStep[]> {
  const wanted = s.apiClients ?? [];
  if (wanted.length === 0) return [];
  const out: ClientStep[] = [];
  const existing = await deps.console.listApiClients(cluster.uuid);
  for (const w of wanted) {
    const secretName = credentialSecretName(policy.recreate.secretPrefix, s.name, w.name);
    const found = existing.find((c) => c.name === w.name);
    if (found) {
      const published = deps.credentials ? await deps.credentials.publishedClientId(secretName) : undefined;
      if (published === found.clientId) {
        out.push({ name: w.name, secretName, state: 'existing' });
        continue;
      }
      // Created by an attempt that never published it: its secret is lost; replace it (never a duplicate).
      await deps.console.deleteApiClient(cluster.uuid, found.clientId);
    }
    let created: Awaited<ReturnType<TeardownDeps['console']['createApiClient']>>;
    try {
      created = await deps.console.createApiClient(cluster.uuid, {
        clientName: w.name,
        permissions: w.permissions as Array<'Zeebe' | 'Operate' | 'Tasklist' | 'Optimize' | 'Secrets'>,
      });
    } catch (err) {
      // Never replayed: the next run lists clients by name and replaces an unpublished one.
      throw new TeardownError(`API client ${w.name} not recreated: ${errorText(err)}`, { cause: err });
    }
    if (!deps.credentials) {
      out.push({ name: w.name, state: 'not published' });
      continue;
    }
    const links = created.links ?? {};
    await deps.credentials.publish(secretName, {
      clusterId: cluster.uuid,
      clusterName: s.name,
      clientName: w.name,
      clientId: created.clientId,
      clientSecret: created.clientSecret,
      ...(links.zeebe ? { zeebeGrpcAddress: links.zeebe } : {}),
      ...(links.oauth ? { oauthUrl: links.oauth } : {}),
      ...(created.audience ? { audience: created.audience } : {}),
      ...(links.operate ? { operateUrl: links.operate } : {}),
      ...(links.tasklist ? { tasklistUrl: links.tasklist } : {}),
      ...(links.connectors ? { connectorsUrl: links.connectors } : {}),
    });
    out.push({ name: w.name, secretName, state: 'created' });
  }
  return out;
}
