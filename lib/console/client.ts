// The one small Console API client: one method per operation (the operation table) over one request
// function that owns auth, JSON, timeouts, retries and the throttle gate, modelled on octokit/request.js.
// This file is its public face: the port the jobs depend on, the options, and the factory.
import { setTimeout as delay } from 'node:timers/promises';
import { consoleOperations } from '#lib/console/operations.ts';
import { type ConsoleClientStats, createRequester } from '#lib/console/request.ts';
import { type RetryPolicy, resolveRetryPolicy } from '#lib/console/retry.ts';
import type { TokenSource } from '#lib/console/token-source.ts';
import { createTransport } from '#lib/console/transport.ts';
import type {
  ApiClient,
  Backup,
  BackupSchedule,
  Cluster,
  ClusterParameters,
  ClusterSecrets,
  CreateApiClientBody,
  CreateClusterBody,
  CreatedApiClient,
  CreatedCluster,
  DeleteOutcome,
  IpAllowlistEntry,
  IpRanges,
  Restore,
} from '#lib/console/types.ts';
import { type Log, silentLog } from '#lib/log/log.ts';

export type { ConsoleClientStats, OperationStats } from '#lib/console/request.ts';
export type * from '#lib/console/types.ts';

export const DEFAULT_CONSOLE_BASE_URL = 'https://api.cloud.camunda.io';
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The Console base URL from the environment (`CAMUNDA_CONSOLE_BASE_URL`, as Camunda's SDKs name it). */
export function consoleBaseUrlFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const value = env.CAMUNDA_CONSOLE_BASE_URL?.trim();
  return value ? value : DEFAULT_CONSOLE_BASE_URL;
}

export interface ConsoleClientOptions {
  tokenSource: TokenSource;
  /** Default: `CAMUNDA_CONSOLE_BASE_URL` or {@link DEFAULT_CONSOLE_BASE_URL}. */
  baseUrl?: string;
  /** Default: the global `fetch`, looked up at call time. */
  fetch?: typeof fetch;
  /** Per attempt (connect + headers + body). Default 10 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Waits between attempts and at the throttle gate; must reject (or return early) when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Clock in ms; drives the retry budget and the throttle gate. */
  now?: () => number;
  log?: Log;
}

export interface CallOptions {
  /** Aborts the call at once (in flight or while waiting); never retried. */
  signal?: AbortSignal;
}

/** The Console API as the jobs use it: the port their use cases depend on. */
export interface ConsoleClient {
  /** `GET /clusters`. */
  listClusters(options?: CallOptions): Promise<Cluster[]>;
  /** `GET /clusters/{uuid}`; `undefined` when the API answers 404. */
  getCluster(clusterId: string, options?: CallOptions): Promise<Cluster | undefined>;
  /**
   * `POST /clusters`. Never replayed: on a timeout, connection error, 429 or 5xx it throws with
   * `maybeApplied: true`, and the caller must list clusters before trying again.
   */
  createCluster(body: CreateClusterBody, options?: CallOptions): Promise<CreatedCluster>;
  /** `DELETE /clusters/{uuid}` (irreversible; deletes the cluster's backups too). 404 → `'not-found'`. */
  deleteCluster(clusterId: string, options?: CallOptions): Promise<DeleteOutcome>;
  /** `GET /clusters/parameters`: the ids `createCluster` needs. */
  getParameters(options?: CallOptions): Promise<ClusterParameters>;
  /** `PUT /clusters/{uuid}/wake`: resumes a cluster SaaS auto-paused. */
  wakeCluster(clusterId: string, options?: CallOptions): Promise<void>;
  /** `GET /clusters/{uuid}/backups`. A 404 (unknown cluster) throws. */
  listBackups(clusterId: string, options?: CallOptions): Promise<Backup[]>;
  /** `POST /clusters/{uuid}/backups` (no body). Never replayed; see `maybeApplied`. */
  createBackup(clusterId: string, options?: CallOptions): Promise<Backup>;
  /** `DELETE /clusters/{uuid}/backups/{backupId}`. 404 → `'not-found'`. */
  deleteBackup(clusterId: string, backupId: string, options?: CallOptions): Promise<DeleteOutcome>;
  /** `GET /clusters/{uuid}/backups/schedule`; `undefined` when there is no schedule (404). */
  getBackupSchedule(clusterId: string, options?: CallOptions): Promise<BackupSchedule | undefined>;
  /** `PUT /clusters/{uuid}/backups/schedule` with `{schedule: cron}` (5-field cron, UTC). */
  putBackupSchedule(clusterId: string, cron: string, options?: CallOptions): Promise<BackupSchedule>;
  /** `DELETE /clusters/{uuid}/backups/schedule`. 404 → `'not-found'` (there was none). */
  deleteBackupSchedule(clusterId: string, options?: CallOptions): Promise<DeleteOutcome>;
  /**
   * `POST /clusters/{uuid}/backups/{backupId}/restore` (no body): restores the backup onto its own cluster.
   * Never replayed. 409: a restore is in flight (or the generation is unknown); 501: self-service restore is
   * not enabled for the organization.
   */
  restoreBackup(clusterId: string, backupId: string, options?: CallOptions): Promise<Restore>;
  /** `GET /clusters/{uuid}/backups/{backupId}/restore`: the backup's latest restore; `undefined` on 404 (none). */
  getRestore(clusterId: string, backupId: string, options?: CallOptions): Promise<Restore | undefined>;
  /**
   * `PUT /clusters/{uuid}/ipallowlist` with `{ipallowlist: entries}`: a full replace (never the
   * deprecated `/ipwhitelist`). An empty list removes the allowlist and opens the cluster to every
   * address, so it is refused unless `allowEmpty: true` is passed.
   */
  putIpAllowlist(
    clusterId: string,
    entries: readonly IpAllowlistEntry[],
    options?: CallOptions & { allowEmpty?: boolean },
  ): Promise<void>;
  /** `GET /meta/ip-ranges` (sent without a token): Camunda's egress addresses. */
  getIpRanges(options?: CallOptions): Promise<IpRanges>;
  /**
   * `GET /clusters/{uuid}/secrets`: connector secrets with their **values**. An unreadable answer throws
   * without its body (it would carry secret values).
   */
  getSecrets(clusterId: string, options?: CallOptions): Promise<ClusterSecrets>;
  /**
   * `POST /clusters/{uuid}/secrets`. Never replayed (see `maybeApplied`). A 409 means the name exists or
   * another secret change is in progress: the caller re-reads the secrets to tell which, then retries.
   * The value never appears in an error.
   */
  createSecret(clusterId: string, name: string, value: string, options?: CallOptions): Promise<void>;
  /** `PUT /clusters/{uuid}/secrets/{name}`; a 409 "change in progress" is retried like a 5xx. */
  updateSecret(clusterId: string, name: string, value: string, options?: CallOptions): Promise<void>;
  /** `DELETE /clusters/{uuid}/secrets/{name}`; a 409 "change in progress" is retried like a 5xx. 404 → `'not-found'`. */
  deleteSecret(clusterId: string, name: string, options?: CallOptions): Promise<DeleteOutcome>;
  /** `GET /clusters/{uuid}/clients`: names, ids and permissions (never a secret). */
  listApiClients(clusterId: string, options?: CallOptions): Promise<ApiClient[]>;
  /**
   * `POST /clusters/{uuid}/clients`: answers the new client's secret once. Never replayed: on a
   * `maybeApplied` failure the caller lists clients by name (a lost answer means a lost secret: the caller
   * deletes that client and creates it again). The secret never appears in an error.
   */
  createApiClient(
    clusterId: string,
    body: CreateApiClientBody,
    options?: CallOptions,
  ): Promise<CreatedApiClient>;
  /** `DELETE /clusters/{uuid}/clients/{clientId}`. 404 → `'not-found'`. */
  deleteApiClient(clusterId: string, clientId: string, options?: CallOptions): Promise<DeleteOutcome>;
}

/**
 * The concrete client: the port plus its counters, which only scripts and benchmarks read (jobs and
 * their fakes see the port alone).
 */
export interface MeteredConsoleClient extends ConsoleClient {
  /** A snapshot of the counters of this client instance. */
  readonly stats: ConsoleClientStats;
}

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

/** The Console API client. Build it once per container and share it: the throttle gate is per instance. */
export function createConsoleClient(options: ConsoleClientOptions): MeteredConsoleClient {
  const fetchFn: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const requester = createRequester({
    baseUrl: (options.baseUrl ?? consoleBaseUrlFromEnv()).replace(/\/+$/, ''),
    tokenSource: options.tokenSource,
    send: createTransport(fetchFn, timeoutMs),
    timeoutMs,
    policy: resolveRetryPolicy(options.retry),
    sleep: options.sleep ?? defaultSleep,
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
    log: options.log ?? silentLog,
  });
  return {
    ...consoleOperations(requester),
    get stats() {
      return requester.stats();
    },
  };
}
