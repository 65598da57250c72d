// Small fakes for the backup use case: the Console methods it calls, and the event bus and metrics the
// real run engine needs. State stores come from test/fakes/state.ts (`createMemoryStores`).
import { randomUUID } from 'node:crypto';
import type { Backup, BackupStatus, Cluster, ConsoleClient } from '#lib/console/client.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import type { EventPublisher, RunMetrics } from '#lib/jobs/ports.ts';

export const HOUR = 60 * 60 * 1000;

export function fakeClock(start = Date.parse('2026-03-01T03:00:00.000Z')) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

export function cluster(
  name: string,
  ready: Cluster['status']['ready'] = 'Healthy',
  labels: string[] = [],
): Cluster {
  return { uuid: `uuid-${name}`, name, status: { ready }, labels };
}

export function backup(
  init: Partial<Backup> & { uuid: string; status: BackupStatus; created: string },
): Backup {
  return { name: `manual-${init.uuid}`, ...init };
}

type Op = 'listClusters' | 'listBackups' | 'createBackup' | 'getBackupSchedule' | 'putBackupSchedule';

/** What a faulty call does: throw before anything happens, or apply the call first and then throw. */
export interface Failure {
  error: ConsoleApiError | Error;
  /** Apply the call (e.g. create the backup) before throwing. */
  applied?: boolean;
}

export function apiError(
  route: string,
  status: number | undefined,
  opts: { body?: string; maybeApplied?: boolean; code?: ConsoleApiError['code'] } = {},
): ConsoleApiError {
  const [method = 'GET', path = '/'] = route.split(' ');
  return new ConsoleApiError({
    method,
    path,
    route,
    status,
    code: opts.code ?? (status === undefined ? 'timeout' : 'http'),
    body: opts.body,
    attempts: 1,
    maybeApplied: opts.maybeApplied ?? false,
  });
}

/** A fake of the Console operations the backup job uses; every other operation throws. */
export class FakeConsole {
  clusters: Cluster[] = [];
  readonly backups = new Map<string, Backup[]>();
  readonly schedules = new Map<string, string>();
  readonly calls: Array<{ op: Op; clusterId?: string; arg?: string }> = [];
  readonly #failures = new Map<string, Failure[]>();

  constructor(private readonly now: () => number) {}

  /** The next call of `op` (for `clusterId`, or any cluster) fails this way. */
  failNext(op: Op, failure: Failure, clusterId?: string): void {
    const key = `${op}:${clusterId ?? '*'}`;
    this.#failures.set(key, [...(this.#failures.get(key) ?? []), failure]);
  }

  addBackup(clusterId: string, b: Backup): void {
    this.backups.set(clusterId, [...(this.backups.get(clusterId) ?? []), b]);
  }

  setStatus(clusterId: string, backupId: string, status: BackupStatus, extra: Partial<Backup> = {}): void {
    const list = this.backups.get(clusterId) ?? [];
    this.backups.set(
      clusterId,
      list.map((b) => (b.uuid === backupId ? { ...b, status, ...extra } : b)),
    );
  }

  count(op: Op, clusterId?: string): number {
    return this.calls.filter((c) => c.op === op && (clusterId === undefined || c.clusterId === clusterId))
      .length;
  }

  #take(op: Op, clusterId?: string): Failure | undefined {
    for (const key of [`${op}:${clusterId ?? '*'}`, `${op}:*`]) {
      const list = this.#failures.get(key);
      if (list && list.length > 0) return list.shift();
    }
    return undefined;
  }

  async #call<T>(op: Op, clusterId: string | undefined, apply: () => T, arg?: string): Promise<T> {
    this.calls.push({
      op,
      ...(clusterId === undefined ? {} : { clusterId }),
      ...(arg === undefined ? {} : { arg }),
    });
    const failure = this.#take(op, clusterId);
    if (failure) {
      if (failure.applied) apply();
      throw failure.error;
    }
    return structuredClone(apply());
  }

  get client(): ConsoleClient {
    const unused = (name: string) => () => Promise.reject(new Error(`fake console: ${name} not expected`));
    return {
      listClusters: () => this.#call('listClusters', undefined, () => this.clusters),
      listBackups: (id) => this.#call('listBackups', id, () => this.backups.get(id) ?? []),
      createBackup: (id) =>
        this.#call('createBackup', id, () => {
          const b: Backup = {
            uuid: randomUUID(),
            name: `manual-${this.now()}`,
            status: 'In progress',
            created: new Date(this.now()).toISOString(),
          };
          this.addBackup(id, b);
          return b;
        }),
      getBackupSchedule: (id) =>
        this.#call('getBackupSchedule', id, () => {
          const schedule = this.schedules.get(id);
          return schedule === undefined ? undefined : { schedule, name: `${id}-schedule` };
        }),
      putBackupSchedule: (id, cron) =>
        this.#call(
          'putBackupSchedule',
          id,
          () => {
            this.schedules.set(id, cron);
            return { schedule: cron, name: `${id}-schedule` };
          },
          cron,
        ),
      getCluster: unused('getCluster'),
      createCluster: unused('createCluster'),
      deleteCluster: unused('deleteCluster'),
      getParameters: unused('getParameters'),
      wakeCluster: unused('wakeCluster'),
      deleteBackup: unused('deleteBackup'),
      deleteBackupSchedule: unused('deleteBackupSchedule'),
      putIpAllowlist: unused('putIpAllowlist'),
      getIpRanges: unused('getIpRanges'),
      restoreBackup: unused('restoreBackup'),
      getRestore: unused('getRestore'),
      getSecrets: unused('getSecrets'),
      createSecret: unused('createSecret'),
      updateSecret: unused('updateSecret'),
      deleteSecret: unused('deleteSecret'),
      listApiClients: unused('listApiClients'),
      createApiClient: unused('createApiClient'),
      deleteApiClient: unused('deleteApiClient'),
    };
  }
}

/** The ports `executeRun` needs besides the state stores: a recording event bus and no-op metrics. */
export function engineFakes() {
  const published: Array<{ detailType: string; detail: Record<string, unknown> }> = [];
  const events: EventPublisher = {
    async publish(detailType, detail) {
      published.push({ detailType, detail });
    },
  };
  const metrics: RunMetrics = { count() {} };
  return { events, metrics, published };
}
