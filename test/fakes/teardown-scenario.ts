// The teardown scenario builder the teardown unit, property and safety tests share: a small Console world
// (reference data, clusters, policy), the shared fake Console client and in-memory state stores, and a
// `run` helper that drives the real `executeRun` for notice, teardown, recreate and keep-alive.

import { setKeepAlive } from '#functions/teardown/keep-alive.ts';
import { runNotice } from '#functions/teardown/notice.ts';
import type { TeardownDeps } from '#functions/teardown/plan.ts';
import { runRecreate } from '#functions/teardown/recreate.ts';
import { runTeardown } from '#functions/teardown/teardown.ts';
import type { TeardownPolicy } from '#lib/config/types.ts';
import type { Cluster, ClusterParameters, IpAllowlistEntry } from '#lib/console/client.ts';
import type { RunBody, RunScope, RunSettings } from '#lib/jobs/engine.ts';
import type { ClusterSnapshot, EventPublisher, KeepAlive, RunMetrics } from '#lib/jobs/ports.ts';
import type { RunSummary, TriggerSource } from '#lib/jobs/types.ts';
import { memoryPublisher as memoryCredentialPublisher } from '#lib/secrets/credentials.ts';
import { localSealer } from '#lib/secrets/sealer.ts';
import { recordingLog } from '#local/recording-log.ts';
import { type ManualClock, manualClock } from '#test/fakes/clock.ts';
import { type FakeConsole, fakeConsole } from '#test/fakes/console.ts';
import { engineRunner, type PublishedEvent } from '#test/fakes/engine.ts';
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

export type { PublishedEvent };

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
  api.parameters = structuredClone(PARAMETERS);
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
  const runner = engineRunner(
    'teardown',
    { stores, clock, log, metrics, events },
    { settings: SETTINGS, source: 'schedule' },
  );
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
    run: (action, p, o = {}) =>
      runner(
        {
          action,
          ...(o.clusterIds ? { clusterIds: o.clusterIds } : {}),
          ...(o.payload !== undefined ? { payload: o.payload } : {}),
        },
        (scope) => BODIES[action](deps, scope, p),
        { dryRun: o.dryRun ?? p.dryRun, key: o.key, source: o.source, at: o.at },
      ),
  };
}

export { outcomeOf } from '#test/helpers/outcomes.ts';

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

/** `outcomes(summary)` of a recreate that recreated exactly these clusters. */
export function recreatedOnly(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, 'done:cluster-recreated']));
}

/**
 * The snapshot a teardown under `night-1` saved of `cluster(name)` at NOW (same reference data, no labels, no
 * allowlist), marked deleted; overrides say what a test cares about (status, note, lineage).
 */
export function snapshotOf(name: string, overrides: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    clusterId: `uuid-${name}`,
    name,
    labels: [],
    planType: { ...REF.starter },
    region: { ...REF.eu },
    channel: { ...REF.stable },
    generation: { ...REF.g872 },
    allowlist: [],
    takenAt: new Date(NOW).toISOString(),
    teardownKey: 'night-1',
    status: 'deleted',
    updatedAt: new Date(NOW).toISOString(),
    ...overrides,
  };
}

/** A keep-alive set at NOW for `cluster` (uuid or exact name), in force for `hours` hours. */
export function keepAliveFor(cluster: string, hours: number, by: string, reason: string): KeepAlive {
  return {
    cluster,
    until: new Date(NOW + hours * HOUR).toISOString(),
    by,
    reason,
    setAt: new Date(NOW).toISOString(),
  };
}
