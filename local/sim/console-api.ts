// The Console API routes: spec routing and body validation (local/sim/spec.ts), bearer check, rate limit,
// faults, and the operations the automation jobs use. Error bodies are opaque text/plain, like the real API.
import type { components } from '#lib/console/openapi-types.ts';
import {
  createBackup,
  createClient,
  createCluster,
  notFound,
  type RequestContext,
  updateAllowlist,
  updateCluster,
  writeSecret,
} from '#local/sim/console-writes.ts';
import { bump, type SimCore } from '#local/sim/core.ts';
import { type Answer, type Exchange, emptyAnswer, jsonAnswer, textAnswer } from '#local/sim/exchange.ts';
import type { JwtClaims } from '#local/sim/jwt.ts';
import type { TokenBucket } from '#local/sim/limits.ts';
import {
  type MatchedOperation,
  matchOperation,
  validateRequestBody,
  validateResponseBody,
} from '#local/sim/spec.ts';
import { checkCron } from '#local/sim/validation.ts';

type Schemas = components['schemas'];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

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

function notImplemented(op: MatchedOperation): Answer {
  return textAnswer(501, `Not implemented in the simulator: ${op.operationId}`);
}
