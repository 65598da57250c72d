// The snapshot a cluster leaves behind when the teardown deletes it: everything the morning recreate needs
// to bring it back (spec, allowlist, labels by lineage, sealed connector secrets, API clients).
import type { Cluster } from '#lib/console/client.ts';
import { errorText } from '#lib/jobs/engine.ts';
import type { ClusterSnapshot } from '#lib/jobs/ports.ts';
import { allowlistOf, type TeardownDeps, TeardownError } from './plan.ts';

export const NOTE_DELETE_PENDING = 'saved before the delete; delete not confirmed yet';

const ref = (r: { uuid: string; name: string }) => ({ uuid: r.uuid, name: r.name });

/** The snapshot of a cluster about to be deleted. Throws when the cluster lacks what a recreate needs. */
export function snapshotOf(
  cluster: Cluster,
  teardownKey: string,
  now: number,
  earlier: ClusterSnapshot | undefined,
): ClusterSnapshot {
  const { planType, region, channel, generation } = cluster;
  const missing = Object.entries({ planType, region, channel, generation })
    .filter(([, v]) => typeof v?.uuid !== 'string' || typeof v.name !== 'string')
    .map(([k]) => k);
  if (!planType || !region || !channel || !generation || missing.length > 0) {
    throw new TeardownError(
      `cannot snapshot cluster ${cluster.name}: ${missing.join(', ')} missing; not deleted`,
    );
  }
  const at = new Date(now).toISOString();
  const seen = allowlistOf(cluster);
  // A cluster a recreate brought back has no labels (the API cannot set them) and, until the recreate
  // re-applied it, not its allowlist: keep what the earlier snapshot of its lineage knew. A recreate
  // that crashed before recording the new id counts as the same lineage when the cluster shows no rules.
  const unrecorded =
    earlier !== undefined &&
    earlier.status === 'recreating' &&
    earlier.newClusterId === undefined &&
    earlier.clusterId !== cluster.uuid &&
    seen.entries.length === 0;
  const sameLineage = earlier !== undefined && (earlier.newClusterId === cluster.uuid || unrecorded);
  const allowlistPending = sameLineage && (earlier.status === 'recreating' || earlier.status === 'recreated');
  const labels = cluster.labels?.length ? [...cluster.labels] : sameLineage ? [...earlier.labels] : [];
  const snapshot: ClusterSnapshot = {
    clusterId: cluster.uuid,
    name: cluster.name,
    labels,
    planType: ref(planType),
    region: ref(region),
    channel: ref(channel),
    generation: ref(generation),
    allowlist: allowlistPending ? earlier.allowlist.map((e) => ({ ...e })) : seen.entries,
    takenAt: at,
    teardownKey,
    status: 'deleted',
    note: seen.visible ? NOTE_DELETE_PENDING : `${NOTE_DELETE_PENDING}; allowlist not visible to this client`,
    updatedAt: at,
  };
  if (cluster.description !== undefined) snapshot.description = cluster.description;
  if (cluster.backupRegion) snapshot.backupRegion = ref(cluster.backupRegion);
  return snapshot;
}

/** Connector-secret values are sealed under this purpose (part of the encryption context). */
export const SECRETS_PURPOSE = 'teardown-connector-secrets';

/**
 * What the API lets a recreate bring back besides the create fields: autoUpdate, the encryption type,
 * connector secrets (values sealed at once, never held in a log or an error) and API clients (names and
 * permissions). Throws a TeardownError (the cluster is then not deleted) when any of it cannot be read or
 * kept safely.
 */
export async function restorables(deps: TeardownDeps, cluster: Cluster): Promise<Partial<ClusterSnapshot>> {
  const out: Partial<ClusterSnapshot> = {};
  if (typeof cluster.autoUpdate === 'boolean') out.autoUpdate = cluster.autoUpdate;
  if (typeof cluster.encryption?.type === 'string') out.encryptionType = cluster.encryption.type;
  let values: Record<string, string>;
  let clients: Awaited<ReturnType<TeardownDeps['console']['listApiClients']>>;
  try {
    values = await deps.console.getSecrets(cluster.uuid);
    clients = await deps.console.listApiClients(cluster.uuid);
  } catch (err) {
    throw new TeardownError(
      `cannot read the connector secrets and API clients of ${cluster.name}, so a recreate could not bring them back: not deleted (${errorText(err)})`,
      { cause: err },
    );
  }
  const names = Object.keys(values).sort();
  if (names.length > 0) {
    if (!deps.sealer) {
      throw new TeardownError(
        `${cluster.name} has ${names.length} connector secret(s) and no sealer is configured to keep them encrypted: not deleted`,
      );
    }
    const sealedFor = { clusterId: cluster.uuid, clusterName: cluster.name };
    const sealed = await deps.sealer.seal(JSON.stringify(values), { ...sealedFor, purpose: SECRETS_PURPOSE });
    out.secrets = { names, sealed, sealedFor };
  }
  out.apiClients = clients.map((c) => ({ name: c.name, permissions: [...(c.permissions ?? [])] }));
  return out;
}
