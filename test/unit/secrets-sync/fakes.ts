// Fakes for the secrets-sync unit tests: a Console holding connector secrets (with 409 "change in progress"
// and "applied, then the answer lost" faults), a source reader over an in-memory set of source secrets, and a
// world that drives the real `executeRun` with the shared in-memory state stores.
import type { SecretsSyncPolicy } from '#lib/config/schema/secrets-sync.ts';
import type { Cluster } from '#lib/console/client.ts';
import type { RunBody, RunScope } from '#lib/jobs/engine.ts';
import type { SecretSourceReader, SourceSecret } from '#lib/jobs/secrets-sync-ports.ts';
import type { JobRequest, RunSummary } from '#lib/jobs/types.ts';
import { recordingLog } from '#local/recording-log.ts';
import { manualClock } from '#test/fakes/clock.ts';
import { apiError, type FakeConsole, fakeConsole } from '#test/fakes/console.ts';
import { type DeliveryOptions, engineFakes, engineRunner } from '#test/fakes/engine.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import { cluster, hourlyForProdAndStage, NOW } from '#test/unit/allowlist-sync/fakes.ts';

export { cluster };

/** What a secret write does before it is applied: nothing, a 409, or apply and then lose the answer. */
export type WriteFault = '409' | 'applied-then-timeout' | undefined;

export interface SecretsConsole extends FakeConsole {
  secrets: Map<string, Record<string, string>>;
  writes: string[];
  /** Called before each secret write: its answer decides the fault of that write. */
  fault?: (op: 'create' | 'update' | 'delete', clusterId: string, name: string) => WriteFault;
}

const CHANGE_IN_PROGRESS = 'Another change to the secrets of this cluster is in progress.';
/** The shared apiError, with the body the Console sends with a 409 on secrets. */
const secretsError = (route: string, status: number | undefined, maybeApplied = false) =>
  apiError(route, {
    status,
    maybeApplied,
    ...(status === 409 ? { body: CHANGE_IN_PROGRESS } : {}),
  });

/** The shared fake Console, with connector secrets per cluster that a test can fault write by write. */
export function secretsConsole(clusters: Cluster[], secrets: Record<string, Record<string, string>> = {}) {
  const base = fakeConsole(clusters, manualClock(NOW));
  const store = new Map(clusters.map((c) => [c.uuid, { ...(secrets[c.name] ?? {}) }]));
  const fake = base as unknown as SecretsConsole;
  fake.secrets = store;
  fake.writes = [];
  const of = (clusterId: string, route: string): Record<string, string> => {
    const found = store.get(clusterId);
    if (!found || !base.clusters.has(clusterId)) throw secretsError(route, 404);
    return found;
  };
  const write = (
    op: 'create' | 'update' | 'delete',
    clusterId: string,
    name: string,
    route: string,
    apply: () => void,
  ) => {
    const fault = fake.fault?.(op, clusterId, name);
    if (fault === '409') throw secretsError(route, 409);
    apply();
    fake.writes.push(`${op} ${clusterId} ${name}`);
    if (fault === 'applied-then-timeout') throw secretsError(route, undefined, op === 'create');
  };
  fake.getSecrets = async (clusterId) => ({ ...of(clusterId, 'GET /clusters/{clusterUuid}/secrets') });
  fake.createSecret = async (clusterId, name, value) => {
    const route = 'POST /clusters/{clusterUuid}/secrets';
    const target = of(clusterId, route);
    if (Object.hasOwn(target, name)) throw secretsError(route, 409);
    write('create', clusterId, name, route, () => {
      target[name] = value;
    });
  };
  fake.updateSecret = async (clusterId, name, value) => {
    const route = 'PUT /clusters/{clusterUuid}/secrets/{secretName}';
    const target = of(clusterId, route);
    if (!Object.hasOwn(target, name)) throw secretsError(route, 404);
    write('update', clusterId, name, route, () => {
      target[name] = value;
    });
  };
  fake.deleteSecret = async (clusterId, name) => {
    const route = 'DELETE /clusters/{clusterUuid}/secrets/{secretName}';
    const target = of(clusterId, route);
    if (!Object.hasOwn(target, name)) return 'not-found';
    write('delete', clusterId, name, route, () => {
      delete target[name];
    });
    return 'deleted';
  };
  return fake;
}

/** Source secrets by Secrets Manager name; a query selects by prefix and tags, as the real adapter does. */
export function sourceReader(
  initial: Record<string, { value?: string; tags?: Record<string, string>; deleted?: boolean }>,
) {
  const secrets = new Map(Object.entries(initial));
  let failing: Error | undefined;
  const reader: SecretSourceReader & {
    secrets: typeof secrets;
    fail(error: Error | undefined): void;
    reads: number;
  } = {
    secrets,
    reads: 0,
    fail(error) {
      failing = error;
    },
    async read(query) {
      reader.reads += 1;
      if (failing) throw failing;
      const out: SourceSecret[] = [];
      for (const [name, s] of [...secrets].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (query.prefix !== undefined && !name.startsWith(query.prefix)) continue;
        if (query.tags && !Object.entries(query.tags).every(([k, v]) => s.tags?.[k] === v)) continue;
        out.push(
          s.deleted
            ? { name, plannedDeletion: true }
            : { name, value: s.value ?? '', plannedDeletion: false },
        );
      }
      return out;
    },
  };
  return reader;
}

/** A policy syncing the `payments` prefix to clusters named `prod-*` and `stage-*`, not exclusive. */
export function policy(overrides: Partial<SecretsSyncPolicy> = {}): SecretsSyncPolicy {
  return {
    ...hourlyForProdAndStage(),
    sources: { payments: { prefix: 'camunda/payments/' } },
    exclusive: false,
    conflictRetry: { attempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 },
    kmsKeyArns: [],
    ...overrides,
  };
}

/** A small world: the fake Console and sources, the in-memory stores, and a runner over the real engine. */
export function world(
  clusters: Cluster[],
  secrets: Record<string, Record<string, string>>,
  sources: Parameters<typeof sourceReader>[0],
) {
  const clock = manualClock(NOW);
  const stores = createMemoryStores(clock);
  const console = secretsConsole(clusters, secrets);
  const reader = sourceReader(sources);
  const log = recordingLog();
  const sleeps: number[] = [];
  const deps = {
    console,
    clock,
    log,
    secretSources: reader,
    managedSecrets: stores.managedSecrets,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
  const { events, published } = engineFakes();
  const runner = engineRunner('secrets-sync', { stores, clock, log, events });
  /** One sync through the real engine (a fresh delivery unless `key` is given). */
  const run = (
    body: (scope: RunScope) => Promise<RunBody>,
    options: DeliveryOptions & { request?: Partial<Omit<JobRequest, 'job'>> } = {},
  ): Promise<RunSummary> => {
    const { request, ...delivery } = options;
    return runner({ action: 'sync', ...request }, body, delivery);
  };
  const idOf = (name: string): string => `uuid-${name}`;
  return { clock, stores, console, reader, log, deps, run, sleeps, published, idOf };
}
