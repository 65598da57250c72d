// The one fake Console client the jobs' unit tests share (backup, teardown, allowlist-sync). It keeps the
// Console's state in memory with the real API's semantics the jobs rely on: a create answers with the new id
// and the cluster starts 'Creating', an allowlist PUT replaces `ipallowlist` and drops `ipwhitelist`, a list
// never returns an API client's secret. Faults come two ways: `failNext` queues one failure for an operation
// (optionally for one cluster), and the `fail…` hooks decide per call. Operations no job calls fail the test.
import { randomUUID } from 'node:crypto';
import type {
  ApiClient,
  Backup,
  BackupStatus,
  Cluster,
  ClusterParameters,
  ConsoleClient,
  CreateClusterBody,
  IpAllowlistEntry,
} from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';

/** A ConsoleApiError as the client raises it after one attempt; a timeout when no status is given. */
export function apiError(
  route: string,
  options: { status?: number; body?: string; maybeApplied?: boolean; code?: ConsoleApiError['code'] } = {},
): ConsoleApiError {
  const [method = 'GET', path = '/'] = route.split(' ');
  return new ConsoleApiError({
    method,
    path,
    route,
    status: options.status,
    code: options.code ?? (options.status === undefined ? 'timeout' : 'http'),
    body: options.body,
    attempts: 1,
    maybeApplied: options.maybeApplied ?? false,
  });
}

/** What a fault does: throw `error`, after performing the operation when `applied`. */
export interface FakeFault {
  error: Error;
  applied?: boolean;
}

/** A fault that answers `route` with an HTTP `status` (and `body`) and changes nothing. */
export function refusal(route: string, status: number, body?: string): FakeFault {
  return { error: apiError(route, { status, ...(body === undefined ? {} : { body }) }) };
}

export type ConsoleOperation = keyof ConsoleClient;

/** Plan, regions and channels the fake offers to `getParameters` unless a test sets its own. */
export const EMPTY_PARAMETERS: ClusterParameters = { clusterPlanTypes: [], regions: [], channels: [] };

export interface FakeConsole extends ConsoleClient {
  clusters: Map<string, Cluster>;
  /** Every call as `operation target…` (e.g. `deleteCluster uuid-a`), in order. */
  calls: string[];
  deleted: string[];
  created: CreateClusterBody[];
  puts: Array<{ clusterId: string; entries: IpAllowlistEntry[]; allowEmpty: boolean }>;
  /** Names a create was sent for while a cluster of that name existed: must stay empty. */
  duplicateCreates: string[];
  parameters: ClusterParameters;
  /** Backups per cluster uuid, oldest first. */
  backups: Map<string, Backup[]>;
  /** Native backup schedules (cron) per cluster uuid. */
  schedules: Map<string, string>;
  /** Connector secrets per cluster uuid (name → value). */
  secrets: Map<string, Record<string, string>>;
  /** API clients per cluster uuid, with the secret the create answered (never returned by a list). */
  apiClients: Map<string, Array<ApiClient & { clientSecret: string }>>;
  /** Client names a create was sent for while a client of that name existed: must stay empty. */
  duplicateClients: string[];
  /** Whether a PUT of the allowlist is accepted while the cluster is Creating (default false, like the sim). */
  allowlistWhileCreating: boolean;
  /** Runs before `getCluster` answers (e.g. to change the cluster between planning and the re-read). */
  beforeGet?: (clusterId: string) => void;
  /** Runs before `deleteCluster` acts (e.g. to check a snapshot is already saved). */
  beforeDelete?: (clusterId: string) => Promise<void> | void;
  failDelete?: (clusterId: string) => FakeFault | undefined;
  failCreate?: (body: CreateClusterBody) => FakeFault | undefined;
  failPut?: (clusterId: string) => Error | undefined;
  failSecretWrite?: (clusterId: string, name: string) => FakeFault | undefined;
  failClientCreate?: (clusterId: string, name: string) => FakeFault | undefined;
  /** The next call of `operation` (for `clusterId`, or any cluster) fails this way. */
  failNext(operation: ConsoleOperation, fault: FakeFault, clusterId?: string): void;
  /** How many calls of `operation` were made (for `clusterId`, or for any cluster). */
  count(operation: ConsoleOperation, clusterId?: string): number;
  /** Replaces the listed clusters. */
  setClusters(clusters: Cluster[]): void;
  addBackup(clusterId: string, backup: Backup): void;
  setStatus(clusterId: string, backupId: string, status: BackupStatus, extra?: Partial<Backup>): void;
  /** Sets a cluster Healthy (a created one starts 'Creating'). */
  healthy(clusterId: string): void;
  byName(name: string): Cluster[];
}

export function fakeConsole(clusters: Cluster[], clock: { now(): number }): FakeConsole {
  const byId = new Map<string, Cluster>();
  const queued = new Map<string, FakeFault[]>();
  let seq = 0;
  const unused = (name: string) => async (): Promise<never> => {
    throw new Error(`fake console: ${name} is not expected in this test`);
  };
  /** Records the call and hands back the failure queued for it, if any. */
  const enter = (operation: ConsoleOperation, target?: string, detail?: string): FakeFault | undefined => {
    fake.calls.push([operation, target, detail].filter((part) => part !== undefined).join(' '));
    for (const key of [`${operation}:${target ?? '*'}`, `${operation}:*`]) {
      const list = queued.get(key);
      if (list && list.length > 0) return list.shift();
    }
    return undefined;
  };
  /** Runs `apply` unless the fault says the call failed before acting, then throws the fault. */
  const perform = <T>(fault: FakeFault | undefined, apply: () => T): T => {
    if (fault && !fault.applied) throw fault.error;
    const result = apply();
    if (fault) throw fault.error;
    return structuredClone(result);
  };
  const fake: FakeConsole = {
    clusters: byId,
    calls: [],
    deleted: [],
    created: [],
    puts: [],
    duplicateCreates: [],
    parameters: structuredClone(EMPTY_PARAMETERS),
    backups: new Map(),
    schedules: new Map(),
    secrets: new Map(),
    apiClients: new Map(),
    duplicateClients: [],
    allowlistWhileCreating: false,
    failNext(operation, fault, clusterId) {
      const key = `${operation}:${clusterId ?? '*'}`;
      queued.set(key, [...(queued.get(key) ?? []), fault]);
    },
    count(operation, clusterId) {
      return fake.calls.filter((call) => {
        const [op, target] = call.split(' ');
        return op === operation && (clusterId === undefined || target === clusterId);
      }).length;
    },
    setClusters(list) {
      byId.clear();
      for (const c of list) byId.set(c.uuid, structuredClone(c));
    },
    addBackup(clusterId, backup) {
      fake.backups.set(clusterId, [...(fake.backups.get(clusterId) ?? []), backup]);
    },
    setStatus(clusterId, backupId, status, extra = {}) {
      const list = fake.backups.get(clusterId) ?? [];
      fake.backups.set(
        clusterId,
        list.map((b) => (b.uuid === backupId ? { ...b, status, ...extra } : b)),
      );
    },
    healthy(clusterId) {
      const c = byId.get(clusterId);
      if (!c) throw new Error(`fake console: no cluster ${clusterId}`);
      c.status = { ready: 'Healthy' };
    },
    byName: (name) => [...byId.values()].filter((c) => c.name === name),
    async listClusters() {
      return perform(enter('listClusters'), () => [...byId.values()]);
    },
    async getCluster(clusterId) {
      const fault = enter('getCluster', clusterId);
      fake.beforeGet?.(clusterId);
      return perform(fault, () => byId.get(clusterId));
    },
    async deleteCluster(clusterId) {
      const queuedFault = enter('deleteCluster', clusterId);
      await fake.beforeDelete?.(clusterId);
      return perform(fake.failDelete?.(clusterId) ?? queuedFault, () => {
        const existed = byId.delete(clusterId);
        fake.secrets.delete(clusterId);
        fake.apiClients.delete(clusterId);
        if (existed) fake.deleted.push(clusterId);
        return existed ? 'deleted' : 'not-found';
      });
    },
    async getParameters() {
      return perform(enter('getParameters'), () => fake.parameters);
    },
    async createCluster(body) {
      const queuedFault = enter('createCluster', body.name);
      if (fake.byName(body.name).length > 0) fake.duplicateCreates.push(body.name);
      return perform(fake.failCreate?.(body) ?? queuedFault, () => {
        fake.created.push(structuredClone(body));
        seq += 1;
        const uuid = `new-${body.name}-${seq}`;
        const plan = fake.parameters.clusterPlanTypes.find((p) => p.uuid === body.planTypeId);
        const region = fake.parameters.regions.find((r) => r.uuid === body.regionId);
        const channel = fake.parameters.channels.find((c) => c.uuid === body.channelId);
        const generation = channel?.allowedGenerations.find((g) => g.uuid === body.generationId);
        if (!plan || !region || !channel || !generation) throw apiError('POST /clusters', { status: 400 });
        byId.set(uuid, {
          uuid,
          name: body.name,
          created: new Date(clock.now()).toISOString(),
          status: { ready: 'Creating' },
          planType: { uuid: plan.uuid, name: plan.name },
          region: { uuid: region.uuid, name: region.name },
          channel: { uuid: channel.uuid, name: channel.name },
          generation: { uuid: generation.uuid, name: generation.name },
          ...(body.description !== undefined ? { description: body.description } : {}),
          ipallowlist: [],
        });
        return { clusterId: uuid };
      });
    },
    async putIpAllowlist(clusterId, entries, options) {
      const queuedFault = enter('putIpAllowlist', clusterId);
      if (entries.length === 0 && options?.allowEmpty !== true) throw new RangeError('empty list refused');
      const error = fake.failPut?.(clusterId) ?? queuedFault?.error;
      if (error) throw error;
      if (byId.get(clusterId)?.status?.ready === 'Creating' && !fake.allowlistWhileCreating) {
        throw apiError('PUT /clusters/{clusterUuid}/ipallowlist', { status: 409 });
      }
      fake.puts.push({
        clusterId,
        entries: entries.map((e) => ({ ...e })),
        allowEmpty: options?.allowEmpty ?? false,
      });
      const target = byId.get(clusterId);
      if (target) {
        target.ipallowlist = entries.map((e) => ({ description: e.description, ip: e.ip }));
        delete target.ipwhitelist;
      }
    },
    async listBackups(clusterId) {
      return perform(enter('listBackups', clusterId), () => fake.backups.get(clusterId) ?? []);
    },
    async createBackup(clusterId) {
      return perform(enter('createBackup', clusterId), () => {
        const created: Backup = {
          uuid: randomUUID(),
          name: `manual-${clock.now()}`,
          status: 'In progress',
          created: new Date(clock.now()).toISOString(),
        };
        fake.addBackup(clusterId, created);
        return created;
      });
    },
    async getBackupSchedule(clusterId) {
      return perform(enter('getBackupSchedule', clusterId), () => {
        const schedule = fake.schedules.get(clusterId);
        return schedule === undefined ? undefined : { schedule, name: `${clusterId}-schedule` };
      });
    },
    async putBackupSchedule(clusterId, cron) {
      return perform(enter('putBackupSchedule', clusterId), () => {
        fake.schedules.set(clusterId, cron);
        return { schedule: cron, name: `${clusterId}-schedule` };
      });
    },
    async getSecrets(clusterId) {
      const fault = enter('getSecrets', clusterId);
      if (!byId.has(clusterId)) throw apiError('GET /clusters/{clusterUuid}/secrets', { status: 404 });
      return perform(fault, () => ({ ...(fake.secrets.get(clusterId) ?? {}) }));
    },
    async createSecret(clusterId, name, value) {
      const queuedFault = enter('createSecret', clusterId, name);
      return perform(fake.failSecretWrite?.(clusterId, name) ?? queuedFault, () => {
        const current = fake.secrets.get(clusterId) ?? {};
        if (name in current) throw apiError('POST /clusters/{clusterUuid}/secrets', { status: 409 });
        fake.secrets.set(clusterId, { ...current, [name]: value });
      });
    },
    async updateSecret(clusterId, name, value) {
      const queuedFault = enter('updateSecret', clusterId, name);
      return perform(fake.failSecretWrite?.(clusterId, name) ?? queuedFault, () => {
        fake.secrets.set(clusterId, { ...(fake.secrets.get(clusterId) ?? {}), [name]: value });
      });
    },
    async listApiClients(clusterId) {
      const fault = enter('listApiClients', clusterId);
      if (!byId.has(clusterId)) throw apiError('GET /clusters/{clusterUuid}/clients', { status: 404 });
      return perform(fault, () =>
        (fake.apiClients.get(clusterId) ?? []).map(({ clientSecret: _, ...c }) => c),
      );
    },
    async createApiClient(clusterId, body) {
      const queuedFault = enter('createApiClient', clusterId, body.clientName);
      const list = fake.apiClients.get(clusterId) ?? [];
      if (list.some((c) => c.name === body.clientName)) {
        fake.duplicateClients.push(body.clientName);
        throw apiError('POST /clusters/{clusterUuid}/clients', { status: 400 });
      }
      return perform(fake.failClientCreate?.(clusterId, body.clientName) ?? queuedFault, () => {
        seq += 1;
        const created = {
          name: body.clientName,
          clientId: `client-${body.clientName}-${seq}`,
          clientSecret: `secret-${body.clientName}-${seq}`,
          permissions: [...(body.permissions ?? ['Zeebe', 'Operate', 'Tasklist', 'Optimize', 'Secrets'])],
        };
        fake.apiClients.set(clusterId, [...list, created]);
        return {
          ...created,
          uuid: `uuid-${created.clientId}`,
          audience: 'zeebe.camunda.io',
          links: { zeebe: `${clusterId}.zeebe.example:443`, oauth: 'https://login.example/oauth/token' },
        };
      });
    },
    async deleteApiClient(clusterId, clientId) {
      return perform(enter('deleteApiClient', clusterId, clientId), () => {
        const list = fake.apiClients.get(clusterId) ?? [];
        const rest = list.filter((c) => c.clientId !== clientId);
        fake.apiClients.set(clusterId, rest);
        return rest.length < list.length ? 'deleted' : 'not-found';
      });
    },
    deleteSecret: unused('deleteSecret'),
    wakeCluster: unused('wakeCluster'),
    deleteBackup: unused('deleteBackup'),
    deleteBackupSchedule: unused('deleteBackupSchedule'),
    getIpRanges: unused('getIpRanges'),
    restoreBackup: unused('restoreBackup'),
    getRestore: unused('getRestore'),
  };
  fake.setClusters(clusters);
  return fake;
}
