// The Console API routes: spec routing and body validation (local/sim/spec.ts), bearer check, rate limit,
// faults, and the operations the automation jobs use. Error bodies are opaque text/plain, like the real API.
import type { components } from '#lib/console/openapi-types.ts';
import { bump, type SimCore } from '#local/sim/core.ts';
import { type Answer, type Exchange, emptyAnswer, jsonAnswer, textAnswer } from '#local/sim/exchange.ts';
import type { JwtClaims } from '#local/sim/jwt.ts';
import type { TokenBucket } from '#local/sim/limits.ts';
import {
  CLIENT_PERMISSIONS,
  type ClientPermission,
  MIN_BACKUP_GENERATION,
  type SimApiClient,
  type SimCluster,
  uniformStatus,
} from '#local/sim/model.ts';
import {
  type MatchedOperation,
  matchOperation,
  validateRequestBody,
  validateResponseBody,
} from '#local/sim/spec.ts';
import { checkCron, checkIpList, versionAtLeast } from '#local/sim/validation.ts';

type Schemas = components['schemas'];

/** Longest cluster name POST /clusters and PATCH accept (the real limit is not documented). */
export const MAX_CLUSTER_NAME = 50;
export const MAX_DESCRIPTION = 150;
/** The text of the 400 a second manual backup within the interval gets. */
export const BACKUP_ONCE_PER_HOUR = 'a manual backup can be created at most once per hour';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

interface RequestContext {
  core: SimCore;
  op: MatchedOperation;
  body: unknown;
  claims?: JwtClaims;
}

export async function handleConsole(
  core: SimCore,
  bucket: TokenBucket | undefined,
  ex: Exchange,
): Promise<void> {
  const { stats, options } = core;
  stats.console.requests += 1;
  const finish = (answer: Answer): void => {
    bump(stats.console.byStatus, String(answer.status));
    if (answer.json !== undefined) {
      // The simulator is a contract: an answer the spec does not allow is recorded (tests assert none).
      const check = validateResponseBody(ex.method, ex.path, answer.status, answer.json);
      if (!check.ok) stats.console.specViolations.push(check.reason);
    }
    ex.send(answer);
  };
  const fail = (fault: NonNullable<ReturnType<SimCore['faults']['take']>['terminal']>): void => {
    ex.applyFault(fault);
    bump(stats.console.byStatus, String(ex.entry.status));
  };

  const op = matchOperation(ex.method, ex.path);
  if (!op) {
    const allowed = METHODS.filter((m) => matchOperation(m, ex.path));
    if (options.latencyMs > 0) await core.sleep(options.latencyMs);
    finish(
      allowed.length > 0
        ? textAnswer(405, `Method ${ex.method} not allowed`, { allow: allowed.join(', ') })
        : textAnswer(404, `Cannot ${ex.method} ${ex.path}`),
    );
    return;
  }
  const route = `${op.method} ${op.template}`;
  ex.entry.route = route;
  bump(stats.console.byRoute, route);

  const limit = bucket?.take();
  if (limit && !limit.ok) {
    if (options.latencyMs > 0) await core.sleep(options.latencyMs);
    stats.console.rateLimited += 1;
    finish(textAnswer(429, 'Too Many Requests', { 'retry-after': String(limit.retryAfterSec) }));
    return;
  }

  const fault = core.faults.take(route);
  const delay = options.latencyMs + fault.latencyMs;
  if (delay > 0) await core.sleep(delay);
  if (fault.terminal && !fault.terminal.afterCommit) {
    fail(fault.terminal);
    return;
  }

  const answer = respond(core, op, ex);
  if (fault.terminal) {
    // afterCommit: the operation happened, the caller sees a failure instead of its answer.
    fail(fault.terminal);
    return;
  }
  finish(answer);
}

function respond(core: SimCore, op: MatchedOperation, ex: Exchange): Answer {
  let claims: JwtClaims | undefined;
  if (op.needsAuth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(ex.req.headers.authorization ?? '');
    const check = m?.[1] ? core.tokens.check(m[1]) : undefined;
    if (!check?.ok) {
      core.stats.console.unauthorized += 1;
      return textAnswer(401, 'Unauthorized', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    claims = check.claims;
  }

  let body: unknown;
  if (ex.raw.length > 0) {
    if (!/^application\/([\w.+-]+\+)?json$/.test(ex.contentType)) {
      return textAnswer(415, 'Content-Type must be application/json');
    }
    try {
      body = JSON.parse(ex.raw.toString('utf8'));
    } catch {
      return textAnswer(400, 'Malformed JSON in request body');
    }
    ex.entry.body = body;
  }
  const valid = validateRequestBody(op.method, ex.path, body);
  if (!valid.ok) return textAnswer(400, valid.reason);

  return dispatch({ core, op, body, claims });
}

const notFound = (what: string): Answer => textAnswer(404, `${what} not found`);

function dispatch(ctx: RequestContext): Answer {
  const { core, op } = ctx;
  const { state } = core;
  switch (op.operationId) {
    case 'GetMeta':
      return jsonAnswer(200, structuredClone(state.ipRanges));
    case 'GetParameters':
      return jsonAnswer(200, state.parameters);
    case 'GetClusters':
      return jsonAnswer(
        200,
        [...state.clusters.values()].map((c) => state.renderCluster(c)),
      );
    case 'CreateCluster':
      return createCluster(ctx);
  }

  const cluster = state.clusters.get(op.params.clusterUuid ?? '');
  if (!cluster) {
    return IMPLEMENTED.has(op.operationId) ? notFound('Cluster') : notImplemented(op);
  }
  state.settle(cluster.uuid);
  switch (op.operationId) {
    case 'GetCluster':
      return jsonAnswer(200, state.renderCluster(cluster));
    case 'DeleteCluster':
      state.removeCluster(cluster.uuid);
      return emptyAnswer(204);
    case 'UpdateCluster':
      return updateCluster(ctx, cluster);
    case 'Wake':
      if (cluster.status.ready === 'Suspended') {
        state.setStatus(cluster.uuid, 'Resuming', { readyAfterMs: core.options.clusterCreateMs });
      }
      return emptyAnswer(204);
    case 'UpdateIpAllowlist':
      return updateAllowlist(ctx, cluster);
    case 'GetSecrets':
      return jsonAnswer(200, { ...cluster.secrets });
    case 'CreateSecret':
    case 'UpdateSecret':
    case 'DeleteSecret':
      return writeSecret(ctx, cluster);
    case 'GetClients':
      return jsonAnswer(
        200,
        cluster.apiClients.map((c) => ({
          name: c.name,
          clientId: c.clientId,
          permissions: [...c.permissions],
        })),
      );
    case 'CreateClient':
      return createClient(ctx, cluster);
    case 'GetClient': {
      const client = cluster.apiClients.find((c) => c.clientId === op.params.clientId);
      if (!client) return notFound('Client');
      if (cluster.status.ready === 'Creating')
        return textAnswer(412, 'The cluster is not ready; try again later');
      return jsonAnswer(200, {
        name: client.name,
        ZEEBE_ADDRESS: cluster.links.zeebe ?? '',
        ZEEBE_CLIENT_ID: client.clientId,
        ZEEBE_AUTHORIZATION_SERVER_URL: cluster.links.oauth ?? '',
      });
    }
    case 'DeleteClient': {
      const before = cluster.apiClients.length;
      cluster.apiClients = cluster.apiClients.filter((c) => c.clientId !== op.params.clientId);
      return cluster.apiClients.length < before ? emptyAnswer(204) : notFound('Client');
    }
    case 'UpdateIpWhitelist':
      return textAnswer(
        410,
        'The ipwhitelist endpoint has been removed: use PUT /clusters/{clusterUuid}/ipallowlist',
      );
  }

  if (BACKUP_OPERATIONS.has(op.operationId) && !state.isEnterprise(cluster)) {
    return textAnswer(403, 'Backups are not available on this plan');
  }
  switch (op.operationId) {
    case 'GetBackups':
      return jsonAnswer(200, state.backupsOf(cluster.uuid));
    case 'CreateBackup':
      return createBackup(ctx, cluster);
    case 'DeleteBackup': {
      const list = state.backups.get(cluster.uuid) ?? [];
      const backup = list.find((b) => b.uuid === op.params.backupId);
      if (!backup) return notFound('Backup');
      if (state.backupStatus(backup) === 'In progress') return textAnswer(409, 'Backup is still in progress');
      const dto = state.renderBackup(backup);
      state.backups.set(
        cluster.uuid,
        list.filter((b) => b !== backup),
      );
      return jsonAnswer(200, dto);
    }
    case 'GetSchedule': {
      const schedule = state.schedules.get(cluster.uuid);
      return schedule ? jsonAnswer(200, { ...schedule }) : notFound('Backup schedule');
    }
    case 'UpdateSchedule': {
      const { schedule } = ctx.body as Schemas['BackupScheduleBody'];
      const cron = checkCron(schedule);
      if (!cron.ok) return textAnswer(400, cron.reason);
      const dto: Schemas['BackupScheduleDto'] = {
        name: `${cluster.name}-schedule`,
        schedule: schedule.trim(),
      };
      state.schedules.set(cluster.uuid, dto);
      return jsonAnswer(200, { ...dto });
    }
    case 'DeleteSchedule':
      state.schedules.delete(cluster.uuid);
      return emptyAnswer(204);
    case 'RestoreFromBackup':
      return state.restores.restore(cluster, op.params.backupId ?? '');
    case 'GetRestore':
      return state.restores.latest(cluster, op.params.backupId ?? '');
  }
  return notImplemented(op);
}

const BACKUP_OPERATIONS = new Set([
  'GetBackups',
  'CreateBackup',
  'DeleteBackup',
  'GetSchedule',
  'UpdateSchedule',
  'DeleteSchedule',
  'RestoreFromBackup',
  'GetRestore',
]);

/** Operations the simulator implements; every other spec operation answers 501. */
export const IMPLEMENTED = new Set([
  'GetMeta',
  'GetParameters',
  'GetClusters',
  'CreateCluster',
  'GetCluster',
  'DeleteCluster',
  'UpdateCluster',
  'Wake',
  'UpdateIpAllowlist',
  'UpdateIpWhitelist',
  'GetSecrets',
  'CreateSecret',
  'UpdateSecret',
  'DeleteSecret',
  'GetClients',
  'CreateClient',
  'GetClient',
  'DeleteClient',
  ...BACKUP_OPERATIONS,
]);

/** Longest connector secret name (the spec's 400: 'Secret name must be less than 50 characters'). */
export const MAX_SECRET_NAME = 49;
/** The text of the 409 a secret write gets while another change to the cluster's secrets is in progress. */
export const SECRET_CHANGE_IN_PROGRESS =
  'Another change to the secrets of this cluster is in progress. Try the request again.';

function writeSecret(ctx: RequestContext, cluster: SimCluster): Answer {
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

function createClient(ctx: RequestContext, cluster: SimCluster): Answer {
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

function notImplemented(op: MatchedOperation): Answer {
  return textAnswer(501, `Not implemented in the simulator: ${op.operationId}`);
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

function createCluster(ctx: RequestContext): Answer {
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

function updateCluster(ctx: RequestContext, cluster: SimCluster): Answer {
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

function createBackup(ctx: RequestContext, cluster: SimCluster): Answer {
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

function updateAllowlist(ctx: RequestContext, cluster: SimCluster): Answer {
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
