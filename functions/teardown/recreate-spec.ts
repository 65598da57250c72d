// The create body of a recreate: a snapshot's spec resolved against what the Console offers today
// (`GET /clusters/parameters`). Refuses (TeardownError) rather than guess where a silent change would
// matter: a plan, region, channel or backup region no longer offered, unsafe text, External encryption.
import { globToRegExp } from '#lib/config/selector.ts';
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { ClusterParameters, CreateClusterBody } from '#lib/console/client.ts';
import type { ClusterSnapshot } from '#lib/jobs/ports.ts';
import { unsafeTextProblem } from '#lib/text/unsafe.ts';
import { TeardownError } from './plan.ts';

export interface ResolvedSpec {
  body: CreateClusterBody;
  detail: {
    generation: string;
    generationFallback?: { snapshot: string; used: string; why: string };
    labelsNotRestorable?: string[];
    encryption?: string;
  };
}

/** The create body for a snapshot, from the current `GET /clusters/parameters`. Throws a TeardownError when it cannot be built. */
export function resolveSpec(
  s: ClusterSnapshot,
  p: ClusterParameters,
  recreate?: TeardownPolicy['recreate'],
): ResolvedSpec {
  const byRef = <T extends { uuid: string; name: string }>(
    list: readonly T[] | undefined,
    r: { uuid: string; name: string },
  ) => (list ?? []).find((x) => x.uuid === r.uuid) ?? (list ?? []).find((x) => x.name === r.name);
  // A name or description with bidi, control or invisible characters is not written to the Console.
  for (const [field, value] of [
    ['name', s.name],
    ['description', s.description ?? ''],
  ] as const) {
    const unsafe = unsafeTextProblem(value);
    if (unsafe !== undefined) throw new TeardownError(`the snapshot's ${field} ${unsafe}: not recreated`);
  }
  const plan = byRef(p.clusterPlanTypes, s.planType);
  if (!plan) throw new TeardownError(`plan type ${s.planType.name} is no longer offered`);
  const region = byRef(p.regions, s.region);
  if (!region) throw new TeardownError(`region ${s.region.name} is no longer offered`);
  const channel = byRef(p.channels, s.channel);
  if (!channel) throw new TeardownError(`channel ${s.channel.name} is no longer offered`);
  const allowed = byRef(channel.allowedGenerations, s.generation);
  const generation = allowed ?? channel.defaultGeneration;
  if (!generation?.uuid) {
    throw new TeardownError(
      `generation ${s.generation.name} is not allowed in ${channel.name}, which has no default`,
    );
  }
  const body: CreateClusterBody = {
    name: s.name,
    planTypeId: plan.uuid,
    channelId: channel.uuid,
    generationId: generation.uuid,
    regionId: region.uuid,
  };
  if (s.description !== undefined && s.description !== '') body.description = s.description;
  if (s.backupRegion) {
    const wanted = s.backupRegion;
    const offered = (region.backups ?? []).flatMap((b) => b.regions ?? []);
    const match = offered.find((r) => r.id === wanted.uuid) ?? offered.find((r) => r.label === wanted.name);
    // Never move backups elsewhere silently (data residency): refuse instead.
    if (!match)
      throw new TeardownError(`backup region ${wanted.name} is no longer offered for ${region.name}`);
    body.backupRegionId = match.id;
  }
  const detail: ResolvedSpec['detail'] = { generation: generation.name };
  if (!allowed) {
    detail.generationFallback = {
      snapshot: s.generation.name,
      used: generation.name,
      why: `${s.generation.name} is no longer allowed in channel ${channel.name}: its default generation is used`,
    };
  }
  if (s.labels.length > 0) detail.labelsNotRestorable = [...s.labels];
  if (typeof s.autoUpdate === 'boolean') body.autoUpdate = s.autoUpdate;
  if (s.encryptionType !== undefined) {
    if (s.encryptionType === 'External') {
      const as = recreate?.externalEncryptionAs;
      if (as === undefined) throw new TeardownError('encryption External cannot be recreated');
      body.encryption = as;
      detail.encryption = `External recreated as ${as} (teardown.recreate.externalEncryptionAs)`;
    } else if (['Software', 'Hardware', 'Provider'].includes(s.encryptionType)) {
      body.encryption = s.encryptionType as 'Software' | 'Hardware' | 'Provider';
    }
  }
  const stage = recreate?.stageLabels.find((e) => e.names.some((g) => globToRegExp(g).test(s.name)));
  if (stage) body.stageLabel = stage.stageLabel;
  return { body, detail };
}
