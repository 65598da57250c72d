// The Console operations that change the organization (clusters, allowlists, connector secrets, API clients,
// manual backups): the checks beyond the spec's schemas and the 4xx texts the real API answers. Routing, auth
// and faults stay in console-api.ts, which calls these once the cluster exists.
import type { components } from '#lib/console/openapi-types.ts';
import type { SimCore } from '#local/sim/core.ts';
import { type Answer, emptyAnswer, jsonAnswer, textAnswer } from '#local/sim/exchange.ts';
import type { JwtClaims } from '#local/sim/jwt.ts';
import {
  CLIENT_PERMISSIONS,
  type ClientPermission,
  MIN_BACKUP_GENERATION,
  type SimApiClient,
  type SimCluster,
  uniformStatus,
} from '#local/sim/model.ts';
import type { MatchedOperation } from '#local/sim/spec.ts';
import { checkIpList, versionAtLeast } from '#local/sim/validation.ts';

type Schemas = components['schemas'];

/** Longest cluster name POST /clusters and PATCH accept (the real limit is not documented). */
export const MAX_CLUSTER_NAME = 50;
export const MAX_DESCRIPTION = 150;
/** The text of the 400 a second manual backup within the interval gets. */
export const BACKUP_ONCE_PER_HOUR = 'a manual backup can be created at most once per hour';

/** A routed request: the matched operation, its validated body and the caller's token claims. */
export interface RequestContext {
  core: SimCore;
  op: MatchedOperation;
  body: unknown;
  claims?: JwtClaims;
}

export const notFound = (what: string): Answer => textAnswer(404, `${what} not found`);

/** Longest connector secret name (the spec's 400: 'Secret name must be less than 50 characters'). */
export const MAX_SECRET_NAME = 49;
/** The text of the 409 a secret write gets while another change to the cluster's secrets is in progress. */
export const SECRET_CHANGE_IN_PROGRESS =
  'Another change to the secrets of this cluster is in progress. Try the request again.';

export function writeSecret(ctx: RequestContext, cluster: SimCluster): Answer {
  const { state } = ctx.core;
  const { op } = ctx;
  if (op.operationId === 'CreateSecret') {
    const { secretName, secretValue } = ctx.body as Schemas['CreateSecretBody'];
    if (secretName.length === 0 || secretName.length > MAX_SECRET_NAME)
      return textAnswer(400, 'Secret name must be less than 50 characters');
    if (secretName in cluster.secrets) return textAnswer(409, 'Secret names must be unique');
    if (!state.beginSecretChange(cluster)) return textAnswer(409, SECRET_CHANGE_IN_PROGRESS);
    cluster.secrets[secretName] = secretValue;
    return emptyAnswer(204);
  }
  const name = op.params.secretName ?? '';
  if (op.operationId === 'UpdateSecret') {
    if (!(name in cluster.secrets)) return notFound('Secret');
    if (!state.beginSecretChange(cluster)) return textAnswer(409, SECRET_CHANGE_IN_PROGRESS);
    cluster.secrets[name] = (ctx.body as Schemas['UpdateSecretBody']).secretValue;
    return emptyAnswer(204);
  }
  if (!state.beginSecretChange(cluster)) return textAnswer(409, SECRET_CHANGE_IN_PROGRESS);
  delete cluster.secrets[name];
  return emptyAnswer(204);
}

export function createClient(ctx: RequestContext, cluster: SimCluster): Answer {
  const { state } = ctx.core;
  const body = ctx.body as Schemas['CreateClusterClientBody'];
  if (body.clientName.trim().length === 0) return textAnswer(400, 'Client name must not be empty');
  if (cluster.apiClients.some((c) => c.name === body.clientName))
    return textAnswer(400, 'Client names must be unique');
  // No permissions: every permission available at the time of creation (the spec).
  const permissions: ClientPermission[] =
    body.permissions === undefined ? [...CLIENT_PERMISSIONS] : [...new Set(body.permissions)];
  const client: SimApiClient = state.addApiClient(cluster.uuid, body.clientName, permissions);
  const links = cluster.links;
  return jsonAnswer(200, {
    name: client.name,
    uuid: client.uuid,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    permissions: [...client.permissions],
    audience: 'zeebe.camunda.io',
    links: {
      zeebe: links.zeebe,
      operate: links.operate,
      tasklist: links.tasklist,
      optimize: links.optimize,
      connectors: links.connectors,
      console: links.console,
      oauth: links.oauth,
    },
  });
}

function checkName(name: string): string | undefined {
  if (name.trim().length === 0) return 'Name must not be empty';
  if (name.length > MAX_CLUSTER_NAME) return `Name is too long (max ${MAX_CLUSTER_NAME} characters)`;
  return undefined;
}

function checkDescription(description: string | undefined): string | undefined {
  if (description !== undefined && description.length > MAX_DESCRIPTION) {
    return `Description is too long (max ${MAX_DESCRIPTION} characters)`;
  }
  return undefined;
}

export function createCluster(ctx: RequestContext): Answer {
  const { state, options } = ctx.core;
  const body = ctx.body as Schemas['CreateClusterBody'];
  if (!state.creationAvailable) return textAnswer(503, 'Cluster creation is not available');
  const problem = checkName(body.name) ?? checkDescription(body.description);
  if (problem) return textAnswer(400, problem);
  const { catalog } = state;
  const plan = catalog.planTypes.find((p) => p.uuid === body.planTypeId);
  if (!plan) return textAnswer(400, `Invalid clusterPlanType: ${body.planTypeId}`);
  const region = catalog.regions.find((r) => r.uuid === body.regionId);
  if (!region) return textAnswer(400, `Invalid region: ${body.regionId}`);
  const channel = catalog.channels.find((c) => c.uuid === body.channelId);
  if (!channel) return textAnswer(400, `Invalid channel: ${body.channelId}`);
  const generation = channel.allowedGenerations.find((g) => g.uuid === body.generationId);
  if (!generation)
    return textAnswer(400, `Invalid generation ${body.generationId} for channel ${channel.name}`);
  let backupRegion: { uuid: string; name: string } | undefined;
  if (body.backupRegionId !== undefined) {
    if (!plan.enterprise) return textAnswer(400, 'A backup region is not available on this plan');
    const found = (region.backups ?? []).flatMap((b) => b.regions).find((r) => r.id === body.backupRegionId);
    if (!found)
      return textAnswer(400, `Invalid backupRegionId ${body.backupRegionId} for region ${region.name}`);
    backupRegion = { uuid: found.id, name: found.label };
  }
  if (state.clusters.size >= state.maxClusters) return textAnswer(400, 'No reservations left');

  const stable = channel.name === 'Stable';
  const encryption = body.encryption ?? 'Provider';
  const cluster = state.addCluster({
    name: body.name,
    planType: { uuid: plan.uuid, name: plan.name },
    region: { uuid: region.uuid, name: region.name },
    channel: { uuid: channel.uuid, name: channel.name },
    generation: { uuid: generation.uuid, name: generation.name },
    backupRegion,
    // The spec: on a non-stable channel autoUpdate is ignored.
    autoUpdate: stable ? (body.autoUpdate ?? true) : false,
    description: body.description,
    stageLabel: body.stageLabel,
    hardwarePackages: body.hardwarePackages,
    encryption:
      encryption === 'External'
        ? { type: encryption, status: 'ExternalEncryptionKeyNotSupplied' }
        : { type: encryption },
    ownerId: ctx.claims?.sub ?? 'sim-owner',
    status: uniformStatus('Creating'),
    readyAt: state.now() + options.clusterCreateMs,
  });
  return jsonAnswer(200, { clusterId: cluster.uuid });
}

export function updateCluster(ctx: RequestContext, cluster: SimCluster): Answer {
  const body = ctx.body as Schemas['UpdateClusterBody'];
  const problem =
    (body.name === undefined ? undefined : checkName(body.name)) ?? checkDescription(body.description);
  if (problem) return textAnswer(400, problem);
  if (body.name !== undefined) cluster.name = body.name;
  if (body.description !== undefined) cluster.description = body.description;
  if (body.stageLabel !== undefined) cluster.stageLabel = body.stageLabel;
  if (body.numberOfAllocatedHwPackages !== undefined)
    cluster.hardwarePackages = body.numberOfAllocatedHwPackages;
  return emptyAnswer(204);
}

export function createBackup(ctx: RequestContext, cluster: SimCluster): Answer {
  const { state } = ctx.core;
  if (!versionAtLeast(cluster.generation.name, MIN_BACKUP_GENERATION)) {
    return textAnswer(
      400,
      `Backups need generation ${MIN_BACKUP_GENERATION.join('.')} or later; cluster runs ${cluster.generation.name}`,
    );
  }
  const ready = cluster.status.ready;
  if (ready === 'Creating' || ready === 'Suspended' || ready === 'Resuming') {
    return textAnswer(409, `Cluster is ${ready}: a backup cannot be created now`);
  }
  // A second manual backup within the hour is a client error here (400 with this text), not a 429: the
  // docs state the limit as a rule, and a 429 would invite a retry of a POST that creates something.
  if (state.manualBackupBlockedUntil(cluster.uuid) !== undefined)
    return textAnswer(400, BACKUP_ONCE_PER_HOUR);
  const backup = state.createManualBackup(cluster);
  return jsonAnswer(200, state.renderBackup(backup));
}

export function updateAllowlist(ctx: RequestContext, cluster: SimCluster): Answer {
  const { state } = ctx.core;
  if (!state.isEnterprise(cluster)) return textAnswer(403, 'IP allowlists are not available on this plan');
  if (cluster.status.ready === 'Creating' && !state.allowlistWhileCreating)
    return textAnswer(409, 'Cluster is Creating: the IP allowlist can be set once it is ready');
  const { ipallowlist } = ctx.body as Schemas['IpAllowListBody'];
  for (const [i, rule] of ipallowlist.entries()) {
    const check = checkIpList(rule.ip);
    if (!check.ok) return textAnswer(400, `ipallowlist[${i}].ip: ${check.reason}`);
  }
  // Full replace; the cluster now reports `ipallowlist` (an empty list: open to every address) and no
  // longer the deprecated `ipwhitelist`.
  cluster.ipallowlist = ipallowlist.map((r) => ({ description: r.description, ip: r.ip }));
  cluster.ipwhitelist = undefined;
  return emptyAnswer(204);
}
