// Fakes for the teardown unit tests: the Console methods the job uses (with create/delete semantics and
// fault hooks), the in-memory state stores, and a `run` helper that drives the real `executeRun`.

import { setKeepAlive } from '#functions/teardown/keep-alive.ts';
import { runNotice } from '#functions/teardown/notice.ts';
import type { TeardownDeps } from '#functions/teardown/plan.ts';
import { runRecreate } from '#functions/teardown/recreate.ts';
import { runTeardown } from '#functions/teardown/teardown.ts';
import type { TeardownPolicy } from '#lib/config/types.ts';
import type {
  ApiClient,
  Cluster,
  ClusterParameters,
  ConsoleClient,
  CreateClusterBody,
  IpAllowlistEntry,
} from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import { executeRun, type RunBody, type RunScope, type RunSettings } from '#lib/jobs/engine.ts';
import type { EventPublisher, RunMetrics } from '#lib/jobs/ports.ts';
import type { ClusterOutcome, RunSummary, TriggerSource } from '#lib/jobs/types.ts';
import { memoryPublisher as memoryCredentialPublisher } from '#lib/secrets/credentials.ts';
import { localSealer } from '#lib/secrets/sealer.ts';
import { recordingLog } from '#local/recording-log.ts';
import { type ManualClock, manualClock } from '#test/fakes/clock.ts';
import { createMemoryStores, type MemoryStores } from '#test/fakes/state.ts';

export const NOW = Date.parse('2026-03-03T01:00:00.000Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const REF = {
  starter: { uuid: 'plan-starter', name: 'Starter' },
  enterprise: { uuid: 'plan-ent-s', name: 'Enterprise S' },
  eu: { uuid: 'region-eu', name: 'Belgium, Europe (europe-west1)' },
  us: { uuid: 'region-us', name: 'South Carolina (us-east1)' },
  stable: { uuid: 'channel-stable', name: 'Stable' },
  alpha: { uuid: 'channel-alpha', name: 'Alpha' },
  g869: { uuid: 'gen-8.6.9', name: '8.6.9' },
  g872: { uuid: 'gen-8.7.2', name: '8.7.2' },
  g820: { uuid: 'gen-8.2.0', name: '8.2.0' },
  gAlpha: { uuid: 'gen-8.8.0-alpha5', name: '8.8.0-alpha5' },
  euBackups: { uuid: 'backup-eu-nl', name: 'Netherlands, Europe (europe-west4)' },
} as const;

export const PARAMETERS: ClusterParameters = {
  clusterPlanTypes: [{ ...REF.starter }, { ...REF.enterprise }],
  regions: [
    {
      ...REF.eu,
      provider: 'gcp',
      backups: [{ uuid: 'backups-eu', regions: [{ id: REF.euBackups.uuid, label: REF.euBackups.name }] }],
    },
    { ...REF.us, provider: 'gcp', backups: [] },
  ],
  channels: [
    {
      ...REF.stable,
      defaultGeneration: { ...REF.g872 },
      allowedGenerations: [
        { ...REF.g869, classification: 'channel' },
        { ...REF.g872, classification: 'channel' },
      ],
    },
    { ...REF.alpha, defaultGeneration: { ...REF.gAlpha }, allowedGenerations: [{ ...REF.gAlpha }] },
  ],
};

type ClusterInit = Partial<Omit<Cluster, 'status'>> & {
  ready?: Cluster['status']['ready'];
  daysOld?: number;
};

/** A cluster as the Console lists it: 30 days old, Healthy, Starter on Stable 8.7.2, labelled nightly-off. */
export function cluster(name: string, init: ClusterInit = {}): Cluster {
  const { ready = 'Healthy', daysOld = 30, ...rest } = init;
  return {
    uuid: `uuid-${name}`,
    name,
    created: new Date(NOW - daysOld * DAY).toISOString(),
    status: { ready },
    planType: { ...REF.starter },
    region: { ...REF.eu },
    channel: { ...REF.stable },
    generation: { ...REF.g872 },
    labels: ['nightly-off'],
    ...rest,
  };
}

export function policy(overrides: Partial<TeardownPolicy> = {}): TeardownPolicy {
  return {
    enabled: true,
    dryRun: false,
    selector: { labels: ['nightly-off'] },
    protect: { ids: [], names: [], labels: [] },
    minAgeHours: 24,
    maxDeletionsPerRun: 10,
    windowStartHour: 12,
    adHoc: 'noticed-only',
    maxLatenessMinutes: 60,
    noticeSchedule: 'cron(0 18 ? * MON-FRI *)',
    schedule: 'cron(0 22 ? * MON-FRI *)',
    recreate: {
      enabled: true,
      stageLabels: [],
      secretPrefix: 'camunda-automation/clusters',
      maxOpenWindowMinutes: 10,
      waitForHealthySeconds: 0,
      maxContinuations: 6,
      schedule: 'cron(0 6 ? * MON-FRI *)',
      followUpSchedule: 'cron(30 6 ? * MON-FRI *)',
    },
    keepAlive: { maxHours: 48 },
    ...overrides,
    // Like the config: the window budget defaults to the per-run guard.
    maxDeletionsPerWindow: overrides.maxDeletionsPerWindow ?? overrides.maxDeletionsPerRun ?? 10,
  };
}

export function apiError(
  route: string,
  options: { status?: number; maybeApplied?: boolean; code?: ConsoleApiError['code'] } = {},
): ConsoleApiError {
  const [method = 'GET', path = '/'] = route.split(' ');
  return new ConsoleApiError({
    method,
    path,
    route,
    status: options.status,
    code: options.code ?? (options.status === undefined ? 'timeout' : 'http'),
    attempts: 1,
    maybeApplied: options.maybeApplied ?? false,
  });
}

/** What a fault hook answers: throw `error`, after performing the operation when `applied`. */
export interface FakeFault {
  error: Error;
  applied: boolean;
}

export interface FakeConsole extends ConsoleClient {
  clusters: Map<string, Cluster>;
  calls: string[];
  deleted: string[];
  created: CreateClusterBody[];
  puts: Array<{ clusterId: string; entries: IpAllowlistEntry[] }>;
  /** Names a create was sent for while a cluster of that name existed: must stay empty. */
  duplicateCreates: string[];
  parameters: ClusterParameters;
  /** Runs before `getCluster` answers (e.g. to change the cluster between planning and the re-read). */
  beforeGet?: (clusterId: string) => void;
  /** Runs before `deleteCluster` acts (e.g. to check a snapshot is already saved). */
  beforeDelete?: (clusterId: string) => Promise<void> | void;
  failDelete?: (clusterId: string) => FakeFault | undefined;
  failCreate?: (body: CreateClusterBody) => FakeFault | undefined;
  failPut?: (clusterId: string) => Error | undefined;
  /** Connector secrets per cluster uuid (name → value). */
  secrets: Map<string, Record<string, string>>;
  /** API clients per cluster uuid, with the secret the create answered (never returned by a list). */
  apiClients: Map<string, Array<ApiClient & { clientSecret: string }>>;
  /** Client names a create was sent for while a client of that name existed: must stay empty. */
  duplicateClients: string[];
  /** Whether a PUT of the allowlist is accepted while the cluster is Creating (default false, like the sim). */
  allowlistWhileCreating: boolean;
  failSecretWrite?: (clusterId: string, name: string) => FakeFault | undefined;
  failClientCreate?: (clusterId: string, name: string) => FakeFault | undefined;
  /** Sets a cluster Healthy (a created one starts 'Creating'). */
  healthy(clusterId: string): void;
  byName(name: string): Cluster[];
}

export function fakeConsole(clusters: Cluster[], clock: { now(): number }): FakeConsole {
  const byId = new Map(clusters.map((c) => [c.uuid, structuredClone(c)]));
  let seq = 0;
  const unused = (name: string) => async (): Promise<never> => {
    throw new Error(`fake console: ${name} is not expected in the teardown job`);
  };
  const fake: FakeConsole = {
    clusters: byId,
    calls: [],
    deleted: [],
    created: [],
    puts: [],
    duplicateCreates: [],
    secrets: new Map(),
    apiClients: new Map(),
    duplicateClients: [],
    allowlistWhileCreating: false,
    parameters: structuredClone(PARAMETERS),
    healthy(clusterId) {
      const c = byId.get(clusterId);
      if (!c) throw new Error(`fake console: no cluster ${clusterId}`);
      c.status = { ready: 'Healthy' };
    },
    byName: (name) => [...byId.values()].filter((c) => c.name === name),
    async listClusters() {
      fake.calls.push('listClusters');
      return [...byId.values()].map((c) => structuredClone(c));
    },
    async getCluster(clusterId) {
      fake.calls.push(`getCluster ${clusterId}`);
      fake.beforeGet?.(clusterId);
      const found = byId.get(clusterId);
      return found ? structuredClone(found) : undefined;
    },
    async deleteCluster(clusterId) {
      fake.calls.push(`deleteCluster ${clusterId}`);
      await fake.beforeDelete?.(clusterId);
      const fault = fake.failDelete?.(clusterId);
      if (fault && !fault.applied) throw fault.error;
      const existed = byId.delete(clusterId);
      fake.secrets.delete(clusterId);
      fake.apiClients.delete(clusterId);
      if (existed) fake.deleted.push(clusterId);
      if (fault) throw fault.error;
      return existed ? 'deleted' : 'not-found';
    },
    async getParameters() {
      fake.calls.push('getParameters');
      return structuredClone(fake.parameters);
    },
    async createCluster(body) {
      fake.calls.push(`createCluster ${body.name}`);
      if (fake.byName(body.name).length > 0) fake.duplicateCreates.push(body.name);
      const fault = fake.failCreate?.(body);
      if (fault && !fault.applied) throw fault.error;
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
      if (fault) throw fault.error;
      return { clusterId: uuid };
    },
    async putIpAllowlist(clusterId, entries, options) {
      fake.calls.push(`putIpAllowlist ${clusterId}`);
      if (entries.length === 0 && options?.allowEmpty !== true) throw new RangeError('empty list refused');
      const error = fake.failPut?.(clusterId);
      if (error) throw error;
      if (byId.get(clusterId)?.status?.ready === 'Creating' && !fake.allowlistWhileCreating) {
        throw apiError('PUT /clusters/{clusterUuid}/ipallowlist', { status: 409 });
      }
      fake.puts.push({ clusterId, entries: entries.map((e) => ({ ...e })) });
      const target = byId.get(clusterId);
      if (target) {
        target.ipallowlist = entries.map((e) => ({ description: e.description, ip: e.ip }));
        delete target.ipwhitelist;
      }
    },
    async getSecrets(clusterId) {
      fake.calls.push(`getSecrets ${clusterId}`);
      if (!byId.has(clusterId)) throw apiError('GET /clusters/{clusterUuid}/secrets', { status: 404 });
      return { ...(fake.secrets.get(clusterId) ?? {}) };
    },
    async createSecret(clusterId, name, value) {
      fake.calls.push(`createSecret ${clusterId} ${name}`);
      const fault = fake.failSecretWrite?.(clusterId, name);
      if (fault && !fault.applied) throw fault.error;
      const current = fake.secrets.get(clusterId) ?? {};
      if (name in current) throw apiError('POST /clusters/{clusterUuid}/secrets', { status: 409 });
      fake.secrets.set(clusterId, { ...current, [name]: value });
      if (fault) throw fault.error;
    },
    async updateSecret(clusterId, name, value) {
      fake.calls.push(`updateSecret ${clusterId} ${name}`);
      const fault = fake.failSecretWrite?.(clusterId, name);
      if (fault && !fault.applied) throw fault.error;
      fake.secrets.set(clusterId, { ...(fake.secrets.get(clusterId) ?? {}), [name]: value });
      if (fault) throw fault.error;
    },
    async listApiClients(clusterId) {
      fake.calls.push(`listApiClients ${clusterId}`);
      if (!byId.has(clusterId)) throw apiError('GET /clusters/{clusterUuid}/clients', { status: 404 });
      return (fake.apiClients.get(clusterId) ?? []).map(({ clientSecret: _, ...c }) => structuredClone(c));
    },
    async createApiClient(clusterId, body) {
      fake.calls.push(`createApiClient ${clusterId} ${body.clientName}`);
      const list = fake.apiClients.get(clusterId) ?? [];
      if (list.some((c) => c.name === body.clientName)) {
        fake.duplicateClients.push(body.clientName);
        throw apiError('POST /clusters/{clusterUuid}/clients', { status: 400 });
      }
      const fault = fake.failClientCreate?.(clusterId, body.clientName);
      if (fault && !fault.applied) throw fault.error;
      seq += 1;
      const created = {
        name: body.clientName,
        clientId: `client-${body.clientName}-${seq}`,
        clientSecret: `secret-${body.clientName}-${seq}`,
        permissions: [...(body.permissions ?? ['Zeebe', 'Operate', 'Tasklist', 'Optimize', 'Secrets'])],
      };
      fake.apiClients.set(clusterId, [...list, created]);
      if (fault) throw fault.error;
      return {
        ...structuredClone(created),
        uuid: `uuid-${created.clientId}`,
        audience: 'zeebe.camunda.io',
        links: { zeebe: `${clusterId}.zeebe.example:443`, oauth: 'https://login.example/oauth/token' },
      };
    },
    async deleteApiClient(clusterId, clientId) {
      fake.calls.push(`deleteApiClient ${clusterId} ${clientId}`);
      const list = fake.apiClients.get(clusterId) ?? [];
      const rest = list.filter((c) => c.clientId !== clientId);
      fake.apiClients.set(clusterId, rest);
      return rest.length < list.length ? 'deleted' : 'not-found';
    },
    deleteSecret: unused('deleteSecret'),
    wakeCluster: unused('wakeCluster'),
    listBackups: unused('listBackups'),
    createBackup: unused('createBackup'),
    deleteBackup: unused('deleteBackup'),
    getBackupSchedule: unused('getBackupSchedule'),
    putBackupSchedule: unused('putBackupSchedule'),
    deleteBackupSchedule: unused('deleteBackupSchedule'),
    getIpRanges: unused('getIpRanges'),
    restoreBackup: unused('restoreBackup'),
    getRestore: unused('getRestore'),
  };
  return fake;
}

export interface PublishedEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

export type TeardownAction = 'notice' | 'run' | 'recreate' | 'keep-alive';

const BODIES: Record<
  TeardownAction,
  (deps: TeardownDeps, scope: RunScope, policy: TeardownPolicy) => Promise<RunBody>
> = {
  notice: runNotice,
  run: runTeardown,
  recreate: runRecreate,
  'keep-alive': setKeepAlive,
};

export const SETTINGS: RunSettings = {
  dryRun: false,
  concurrency: 3,
  timeMarginMs: 0,
  leaseMs: 15 * 60_000,
  retryFailed: true,
};

export interface RunOptions {
  /** Default: the policy's dryRun. */
  dryRun?: boolean;
  /** Default: a fresh key per run. */
  key?: string;
  clusterIds?: string[];
  payload?: unknown;
  /** Default 'schedule' (the nightly runs); 'webhook', 'eventbridge', 'direct' are ad-hoc runs. */
  source?: TriggerSource;
  /** The delivery's time (a schedule's scheduled time). Default: the clock's now. */
  at?: string;
}

export interface Harness {
  clock: ManualClock;
  console: FakeConsole;
  stores: MemoryStores;
  events: PublishedEvent[];
  log: ReturnType<typeof recordingLog>;
  deps: TeardownDeps;
  /** The current desired allowlist per cluster name (what the allowlist sync would compute). */
  desired: Map<string, IpAllowlistEntry[]>;
  credentials: ReturnType<typeof memoryCredentialPublisher>;
  counted: Array<{ name: string; value: number }>;
  hooks: { onSleep?: (ms: number) => Promise<void> | void };
  run(action: TeardownAction, policy: TeardownPolicy, options?: RunOptions): Promise<RunSummary>;
}

/** Fresh fakes around the given clusters, the clock at NOW. */
export function harness(clusters: Cluster[], options: { events?: EventPublisher } = {}): Harness {
  const clock = manualClock(NOW);
  const api = fakeConsole(clusters, clock);
  const stores = createMemoryStores(clock);
  const published: PublishedEvent[] = [];
  const events: EventPublisher = options.events ?? {
    async publish(detailType, detail) {
      published.push({ detailType, detail: structuredClone(detail) });
    },
  };
  const log = recordingLog();
  const counted: Array<{ name: string; value: number }> = [];
  const metrics: RunMetrics = {
    count(name, value = 1) {
      counted.push({ name, value });
    },
  };
  const desired = new Map<string, IpAllowlistEntry[]>();
  const credentials = memoryCredentialPublisher();
  const deps: TeardownDeps = {
    console: api,
    keepAlives: stores.keepAlives,
    snapshots: stores.snapshots,
    teardownWindows: stores.teardownWindows,
    events,
    clock,
    log,
    metrics,
    sealer: localSealer(Buffer.alloc(32, 7)),
    credentials,
    // Waiting moves the fake clock; `onSleep` lets a test make the cluster Healthy meanwhile.
    sleep: async (ms) => {
      clock.advance(ms);
      await harnessHooks.onSleep?.(ms);
    },
    desiredAllowlist: async (c) => {
      const entries = desired.get(c.name);
      return entries && entries.length > 0
        ? { kind: 'entries', entries: entries.map((e) => ({ ...e })) }
        : { kind: 'none', reason: 'no desired entries in this test' };
    },
  };
  const harnessHooks: { onSleep?: (ms: number) => Promise<void> | void } = {};
  let runs = 0;
  return {
    clock,
    console: api,
    stores,
    desired,
    credentials,
    counted,
    hooks: harnessHooks,
    events: published,
    log,
    deps,
    run(action, p, o = {}) {
      runs += 1;
      return executeRun(
        { ledger: stores.ledger, claims: stores.claims, clock, log, metrics, events },
        {
          job: 'teardown',
          action,
          ...(o.clusterIds ? { clusterIds: o.clusterIds } : {}),
          ...(o.payload !== undefined ? { payload: o.payload } : {}),
        },
        {
          source: o.source ?? 'schedule',
          idempotencyKey: o.key ?? `teardown:${action}:${runs}`,
          at: o.at ?? new Date(clock.now()).toISOString(),
        },
        { ...SETTINGS, dryRun: o.dryRun ?? p.dryRun },
        (scope) => BODIES[action](deps, scope, p),
      );
    },
  };
}

/** The outcome of one cluster by name; fails the test when there is none. */
export function outcomeOf(summary: RunSummary, name: string): ClusterOutcome {
  const found = summary.clusters.find((c) => c.clusterName === name);
  if (!found) throw new Error(`no outcome for ${name}: ${JSON.stringify(summary.clusters)}`);
  return found;
}

/** Outcomes as `name → status:action|reason|error`, for compact assertions. */
export function outcomes(summary: RunSummary): Record<string, string> {
  return Object.fromEntries(
    summary.clusters.map((c) => [
      c.clusterName,
      c.status === 'done'
        ? `done:${c.action}`
        : c.status === 'failed'
          ? `failed:${c.error}`
          : `${c.status}:${c.reason}`,
    ]),
  );
}
