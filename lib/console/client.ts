// The one small Console API client: one method per operation over a private request function that owns
// auth (bearer token, one refresh on 401), JSON, per-attempt timeouts, retries with backoff and jitter,
// the shared throttle gate, and lenient response checks. Modelled on octokit/request.js.
import { setTimeout as delay } from 'node:timers/promises';
import { ConsoleApiError, type ConsoleApiErrorCode } from '#lib/console/errors.ts';
import type { components, operations, paths } from '#lib/console/openapi-types.ts';
import {
  backoffDelayMs,
  isReplayable,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  resolveRetryPolicy,
} from '#lib/console/retry.ts';
import type { TokenSource } from '#lib/console/token-source.ts';
import { type Log, silentLog } from '#lib/log/log.ts';

// ---------------------------------------------------------------------------------------------------
// Types derived from the generated spec types (never hand-copied).

type Schemas = components['schemas'];

/**
 * A response object as the client returns it: the fields the client checks are guaranteed, every other
 * field of the schema may be missing (the live API and the spec drift), and unknown extra fields the API
 * sends are kept on the object at run time.
 */
export type Lenient<T, K extends keyof T> = Pick<T, K> & Partial<Omit<T, K>>;

/** A cluster; `uuid`, `name` and `status.ready` are checked. */
export type Cluster = Lenient<Schemas['Cluster'], 'uuid' | 'name' | 'status'>;
/** `status.ready` values the spec lists (the API may add more; compare, don't switch exhaustively). */
export type ClusterStatus = Schemas['ClusterStatus'];
/** A backup (`BackupDto`); `uuid`, `status` and `created` (a parseable date) are checked. */
export type Backup = Lenient<Schemas['BackupDto'], 'uuid' | 'status' | 'created'>;
export type BackupStatus = Schemas['BackupStatus'];
/** The server-side backup schedule; `schedule` (5-field cron, UTC) is checked. */
export type BackupSchedule = Lenient<Schemas['BackupScheduleDto'], 'schedule'>;
/** A restore record (`RestoreDto`); `uuid`, `backupId` and `state` are checked. */
export type Restore = Lenient<Schemas['RestoreDto'], 'uuid' | 'backupId' | 'state'>;
export type RestoreState = Schemas['RestoreState'];
/** `GET /clusters/parameters`; the `channels`, `clusterPlanTypes` and `regions` arrays are checked. */
export type ClusterParameters = Schemas['Parameters'];
export type CreateClusterBody = Schemas['CreateClusterBody'];
/** `POST /clusters` answer; `clusterId` is checked. */
export type CreatedCluster = operations['CreateCluster']['responses'][200]['content']['application/json'];
export type IpAllowlistEntry = Schemas['IpAllowListBody']['ipallowlist'][number];
/** `GET /meta/ip-ranges`: Camunda's egress addresses; `web-modeler` is checked. */
export type IpRanges = Schemas['MetaDto'];
/** `GET /clusters/{uuid}/secrets`: connector secrets, name → **value** (secret material: never log it). */
export type ClusterSecrets = Record<string, string>;
/** `GET /clusters/{uuid}/clients` item: no secret (the API answers it once, on create). */
export type ApiClient = Lenient<Schemas['ClusterClient'], 'name' | 'clientId' | 'permissions'>;
export type ApiClientPermission = Schemas['ClusterClient']['permissions'][number];
export type CreateApiClientBody = Schemas['CreateClusterClientBody'];
/** `POST /clusters/{uuid}/clients` answer: the only time the client's secret is returned. */
export type CreatedApiClient = Lenient<
  Schemas['CreatedClusterClient'],
  'name' | 'clientId' | 'clientSecret' | 'permissions'
>;
/** What a DELETE did: `not-found` when the API answered 404 (already gone, or never there). */
export type DeleteOutcome = 'deleted' | 'not-found';

type Verb = 'get' | 'put' | 'post' | 'delete';

/** Every `METHOD /template` the spec defines for the verbs the client uses, e.g. `GET /clusters/{clusterUuid}`. */
export type ConsoleRoute = {
  [P in keyof paths]: {
    [M in Verb]: paths[P][M] extends undefined ? never : `${Uppercase<M>} ${P}`;
  }[Verb];
}[keyof paths];

type OperationOf<R extends ConsoleRoute> = R extends `${infer M} ${infer P}`
  ? P extends keyof paths
    ? Lowercase<M> extends keyof paths[P]
      ? paths[P][Lowercase<M>]
      : never
    : never
  : never;
type PathParamsOf<R extends ConsoleRoute> =
  OperationOf<R> extends { parameters: { path: infer P } } ? P : undefined;
type RequestBodyOf<R extends ConsoleRoute> =
  OperationOf<R> extends {
    requestBody: { content: { 'application/json': infer B } };
  }
    ? B
    : undefined;

// ---------------------------------------------------------------------------------------------------
// Options, stats and the client's public shape.

export const DEFAULT_CONSOLE_BASE_URL = 'https://api.cloud.camunda.io';
export const DEFAULT_TIMEOUT_MS = 10_000;
/** The longest the shared throttle gate stays closed after one 429, whatever its Retry-After says. */
export const THROTTLE_GATE_MAX_MS = 5 * 60_000;

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

export interface OperationStats {
  /** HTTP requests sent. */
  requests: number;
  /** Backoff retries taken (the re-send after a 401 is counted in `tokenRefreshes`). */
  retries: number;
  /** 429 answers received. */
  throttled: number;
  /** Calls that ended in a ConsoleApiError. */
  failures: number;
}

export interface ConsoleClientStats extends OperationStats {
  /** Fresh tokens fetched after a 401. */
  tokenRefreshes: number;
  /** Total time the shared throttle gate has been closed (overlapping closures counted once). */
  throttledMs: number;
  /** Times a call waited at the closed gate before sending. */
  gateWaits: number;
  /** Keyed by route, e.g. `GET /clusters/{clusterUuid}`. */
  byOperation: Record<string, OperationStats>;
}

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
  /** A snapshot of the counters of this client instance. */
  readonly stats: ConsoleClientStats;
}

// ---------------------------------------------------------------------------------------------------
// Lenient response checks: the fields the project acts on, nothing else.

class ShapeError extends Error {}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ShapeError(`${where} is not an object`);
  }
  return value as Record<string, unknown>;
}

function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(`${where} is not an array`);
  return value;
}

function requireString(object: Record<string, unknown>, key: string, where: string): string {
  const value = object[key];
  if (typeof value !== 'string' || value === '') throw new ShapeError(`${where}.${key} is missing`);
  return value;
}

function checkCluster(value: unknown, where = 'cluster'): Cluster {
  const cluster = asObject(value, where);
  requireString(cluster, 'uuid', where);
  requireString(cluster, 'name', where);
  requireString(asObject(cluster.status, `${where}.status`), 'ready', `${where}.status`);
  return cluster as unknown as Cluster;
}

function checkBackup(value: unknown, where = 'backup'): Backup {
  const backup = asObject(value, where);
  requireString(backup, 'uuid', where);
  requireString(backup, 'status', where);
  if (!Number.isFinite(Date.parse(requireString(backup, 'created', where)))) {
    throw new ShapeError(`${where}.created is not a date`);
  }
  return backup as unknown as Backup;
}

function checkSchedule(value: unknown): BackupSchedule {
  const schedule = asObject(value, 'schedule');
  requireString(schedule, 'schedule', 'schedule');
  return schedule as unknown as BackupSchedule;
}

function checkRestore(value: unknown): Restore {
  const restore = asObject(value, 'restore');
  for (const key of ['uuid', 'backupId', 'state']) requireString(restore, key, 'restore');
  return restore as unknown as Restore;
}

function checkParameters(value: unknown): ClusterParameters {
  const parameters = asObject(value, 'parameters');
  for (const key of ['channels', 'clusterPlanTypes', 'regions'])
    asArray(parameters[key], `parameters.${key}`);
  return parameters as unknown as ClusterParameters;
}

function checkCreatedCluster(value: unknown): CreatedCluster {
  const created = asObject(value, 'created cluster');
  requireString(created, 'clusterId', 'created cluster');
  return created as unknown as CreatedCluster;
}

function checkIpRanges(value: unknown): IpRanges {
  const ranges = asObject(value, 'ip ranges');
  const list = asArray(ranges['web-modeler'], 'ip ranges.web-modeler');
  if (!list.every((item) => typeof item === 'string'))
    throw new ShapeError('ip ranges.web-modeler has a non-string');
  return ranges as unknown as IpRanges;
}

function checkSecrets(value: unknown): ClusterSecrets {
  const secrets = asObject(value, 'secrets');
  for (const [name, v] of Object.entries(secrets)) {
    if (typeof v !== 'string') throw new ShapeError(`secrets.${name} is not a string`);
  }
  return { ...(secrets as ClusterSecrets) };
}

function checkApiClient(value: unknown, where = 'client'): ApiClient {
  const client = asObject(value, where);
  requireString(client, 'name', where);
  requireString(client, 'clientId', where);
  const permissions = asArray(client.permissions, `${where}.permissions`);
  if (!permissions.every((p) => typeof p === 'string'))
    throw new ShapeError(`${where}.permissions has a non-string`);
  return client as unknown as ApiClient;
}

function checkCreatedApiClient(value: unknown): CreatedApiClient {
  const created = asObject(value, 'created client');
  requireString(created, 'clientId', 'created client');
  requireString(created, 'clientSecret', 'created client');
  requireString(created, 'name', 'created client');
  asArray(created.permissions, 'created client.permissions');
  return created as unknown as CreatedApiClient;
}

function checkList<T>(check: (value: unknown, where: string) => T, what: string) {
  return (value: unknown): T[] =>
    asArray(value, `${what} list`).map((item, i) => check(item, `${what}[${i}]`));
}

// ---------------------------------------------------------------------------------------------------
// The request path.

interface Call<R extends ConsoleRoute, T> {
  route: R;
  params: PathParamsOf<R>;
  body?: RequestBodyOf<R>;
  /** Decodes a success body (`undefined` when the body is empty); throws ShapeError when unusable. */
  read: (body: unknown) => T;
  /** When set, a 404 is an answer, not a failure. */
  notFound?: () => T;
  /** The answer carries nothing the client acts on: the body is not even parsed. */
  ignoreBody?: boolean;
  /** Send the bearer token (default true; `GET /meta/ip-ranges` is public). */
  auth?: boolean;
  /** The answer carries secret material: an error never includes its body. */
  sensitiveResponse?: boolean;
  /** Strings of the request that are secret material: redacted from any error. */
  secretValues?: readonly string[];
  /** A 409 is transient ("another change is in progress"): retried like a 5xx (replayable calls only). */
  retryConflict?: boolean;
  signal?: AbortSignal | undefined;
}

type Attempt =
  | { kind: 'response'; status: number; text: string; retryAfter: string | null }
  | { kind: 'timeout'; error: unknown }
  | { kind: 'network'; error: unknown }
  | { kind: 'aborted'; error: unknown };

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  await delay(ms, undefined, signal ? { signal } : undefined);
};

function emptyOperationStats(): OperationStats {
  return { requests: 0, retries: 0, throttled: 0, failures: 0 };
}

/** `: ECONNRESET` and the like, from undici's `fetch failed` error chain; empty when there is none. */
function systemCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return `: ${code}`;
    current = (current as { cause?: unknown }).cause;
  }
  return '';
}

function fillPath(template: string, params: Record<string, string> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === '') throw new TypeError(`path parameter ${name} is required`);
    return encodeURIComponent(value);
  });
}

/** The Console API client. Build it once per container and share it: the throttle gate is per instance. */
export function createConsoleClient(options: ConsoleClientOptions): ConsoleClient {
  const tokenSource = options.tokenSource;
  const baseUrl = (options.baseUrl ?? consoleBaseUrlFromEnv()).replace(/\/+$/, '');
  const fetchFn: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const policy = resolveRetryPolicy(options.retry);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const log = options.log ?? silentLog;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  }

  const stats = {
    requests: 0,
    retries: 0,
    throttled: 0,
    failures: 0,
    tokenRefreshes: 0,
    throttledMs: 0,
    gateWaits: 0,
    byOperation: new Map<string, OperationStats>(),
  };
  /** The shared throttle gate: no call of this client sends before this instant (ms, `now()` clock). */
  let gateOpensAt = 0;

  function closeGate(until: number): void {
    const from = Math.max(gateOpensAt, now());
    if (until <= from) return;
    stats.throttledMs += until - from;
    gateOpensAt = until;
  }

  function operationStats(route: string): OperationStats {
    let entry = stats.byOperation.get(route);
    if (!entry) {
      entry = emptyOperationStats();
      stats.byOperation.set(route, entry);
    }
    return entry;
  }

  async function send(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const failed = (error: unknown): Attempt => {
      if (signal?.aborted) return { kind: 'aborted', error };
      if (timeout.aborted) return { kind: 'timeout', error };
      return { kind: 'network', error };
    };
    try {
      const response = await fetchFn(url, { method, headers, body, signal: combined });
      // Reading the body is part of the attempt: the same signal (and so the same timeout) covers it.
      const text = await response.text();
      return {
        kind: 'response',
        status: response.status,
        text,
        retryAfter: response.headers.get('retry-after'),
      };
    } catch (error) {
      return failed(error);
    }
  }

  async function request<R extends ConsoleRoute, T>(call: Call<R, T>): Promise<T> {
    const space = call.route.indexOf(' ');
    const method = call.route.slice(0, space);
    const template = call.route.slice(space + 1);
    const path = fillPath(template, call.params as Record<string, string> | undefined);
    const url = `${baseUrl}${path}`;
    const needsAuth = call.auth ?? true;
    const replayable = isReplayable(method);
    const signal = call.signal;
    const opStats = operationStats(call.route);
    const started = now();
    const secrets: string[] = [...(call.secretValues ?? [])];
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);

    let attempts = 0;
    let retries = 0;
    let refreshed = false;
    let token: string | undefined;

    /** `reached`: the last request may have been processed by the server (only matters for a POST). */
    const fail = (
      code: ConsoleApiErrorCode,
      reached: boolean,
      extra: { status?: number; body?: string; retryAfterMs?: number; detail?: string; cause?: unknown } = {},
    ): ConsoleApiError => {
      stats.failures += 1;
      opStats.failures += 1;
      if (call.sensitiveResponse && (extra.status ?? 0) >= 200 && (extra.status ?? 0) < 300) {
        extra = { ...extra, body: undefined };
      }
      return new ConsoleApiError({
        method,
        path,
        route: call.route,
        code,
        attempts,
        maybeApplied: !replayable && reached,
        secrets,
        ...extra,
      });
    };
    const aborted = (cause: unknown, reached = false): ConsoleApiError =>
      fail('aborted', reached, { detail: 'aborted by caller', cause });

    const wait = async (ms: number): Promise<void> => {
      if (ms <= 0) return;
      try {
        await sleep(ms, signal);
      } catch (error) {
        if (signal?.aborted) throw aborted(signal.reason ?? error);
        throw error;
      }
      if (signal?.aborted) throw aborted(signal.reason);
    };

    /** Waits until the shared gate opens, unless that would overrun this call's budget. */
    const passGate = async (): Promise<void> => {
      for (;;) {
        const closedFor = gateOpensAt - now();
        if (closedFor <= 0) return;
        if (now() - started + closedFor > policy.maxTotalMs) {
          throw fail('http', false, {
            status: 429,
            retryAfterMs: closedFor,
            detail: `throttled by an earlier 429 for another ${closedFor} ms, beyond the ${policy.maxTotalMs} ms retry budget`,
          });
        }
        stats.gateWaits += 1;
        await wait(closedFor);
      }
    };

    for (;;) {
      if (signal?.aborted) throw aborted(signal.reason);
      await passGate();

      const headers: Record<string, string> = { accept: 'application/json' };
      if (payload !== undefined) headers['content-type'] = 'application/json';
      if (needsAuth) {
        if (token === undefined) {
          try {
            token = await tokenSource.getToken(signal);
          } catch (error) {
            if (signal?.aborted) throw aborted(signal.reason);
            throw error; // a TokenError belongs to the token domain: pass it through untouched
          }
          secrets.push(token);
        }
        headers.authorization = `Bearer ${token}`;
      }

      attempts += 1;
      stats.requests += 1;
      opStats.requests += 1;
      const outcome = await send(url, method, headers, payload, signal);

      let status: number | undefined;
      let text: string | undefined;
      let retryAfterMs: number | undefined;
      if (outcome.kind === 'aborted') {
        throw aborted(outcome.error, true);
      }
      if (outcome.kind === 'response') {
        status = outcome.status;
        text = outcome.text;
        if ((status >= 200 && status < 300) || (status === 404 && call.notFound)) {
          if (status === 404 && call.notFound) return call.notFound();
          if (call.ignoreBody) return call.read(undefined);
          let parsed: unknown;
          try {
            parsed = text.trim() === '' ? undefined : JSON.parse(text);
          } catch {
            throw fail('invalid-response', true, { status, body: text, detail: 'response is not JSON' });
          }
          try {
            return call.read(parsed);
          } catch (error) {
            if (error instanceof ShapeError) {
              throw fail('invalid-response', true, { status, body: text, detail: error.message });
            }
            throw error;
          }
        }
        if (status === 401 && needsAuth && !refreshed && token !== undefined) {
          // A 401 means the request was not processed: safe to resend once, POST included.
          refreshed = true;
          stats.tokenRefreshes += 1;
          log.debug('console token rejected, refreshing', { method, path: template, attempt: attempts });
          const rejected = token;
          token = undefined;
          await tokenSource.invalidate(rejected);
          continue;
        }
        retryAfterMs = parseRetryAfter(outcome.retryAfter, now());
        if (status === 429) {
          stats.throttled += 1;
          opStats.throttled += 1;
          // Honour the server's pause for every call of this client, up to a ceiling, so a bogus
          // Retry-After cannot freeze a warm container for hours.
          const pause = Math.min(
            retryAfterMs ?? backoffDelayMs(policy, retries, random),
            THROTTLE_GATE_MAX_MS,
          );
          closeGate(now() + pause);
          log.debug('console throttled', { method, path: template, pauseMs: pause, retryAfterMs });
        }
        const transient = isRetryableStatus(status) || (status === 409 && call.retryConflict === true);
        if (!transient) throw fail('http', false, { status, body: text, retryAfterMs });
      }

      // A transient failure: 429, 5xx, timeout or connection error.
      const failure = (): ConsoleApiError =>
        outcome.kind === 'response'
          ? fail('http', true, { status, body: text, retryAfterMs })
          : fail(outcome.kind, true, {
              detail:
                outcome.kind === 'timeout'
                  ? `timed out after ${timeoutMs} ms`
                  : `connection failed${systemCode(outcome.error)}`,
              cause: outcome.error,
            });
      if (!replayable) throw failure();
      const sendsCounted = attempts - (refreshed ? 1 : 0);
      if (sendsCounted >= policy.maxAttempts) throw failure();
      // After a 429 the wait is the server's Retry-After (uncapped here, so a long one exceeds the budget).
      const delayMs =
        status === 429
          ? Math.max(retryAfterMs ?? 0, gateOpensAt - now())
          : (retryAfterMs ?? backoffDelayMs(policy, retries, random));
      const waitMs = Math.max(delayMs, gateOpensAt - now());
      if (now() - started + waitMs > policy.maxTotalMs) throw failure();

      retries += 1;
      stats.retries += 1;
      opStats.retries += 1;
      log.debug('console retry', {
        method,
        path: template,
        status,
        code: outcome.kind === 'response' ? 'http' : outcome.kind,
        attempt: attempts,
        delayMs: waitMs,
      });
      // After a 429 the gate is closed: this call waits there with every other call of this client.
      if (status === 429 && gateOpensAt - now() >= delayMs) continue;
      await wait(delayMs);
    }
  }

  const byId = (clusterId: string) => ({ clusterUuid: clusterId });

  return {
    listClusters: (o) =>
      request({ route: 'GET /clusters', params: undefined, read: checkList(checkCluster, 'cluster'), ...o }),
    getCluster: (clusterId, o) =>
      request({
        route: 'GET /clusters/{clusterUuid}',
        params: byId(clusterId),
        read: (body) => checkCluster(body),
        notFound: () => undefined,
        ...o,
      }),
    createCluster: (body, o) =>
      request({ route: 'POST /clusters', params: undefined, body, read: checkCreatedCluster, ...o }),
    deleteCluster: (clusterId, o) =>
      request({
        route: 'DELETE /clusters/{clusterUuid}',
        params: byId(clusterId),
        read: () => 'deleted' as const,
        ignoreBody: true,
        notFound: () => 'not-found' as const,
        ...o,
      }),
    getParameters: (o) =>
      request({ route: 'GET /clusters/parameters', params: undefined, read: checkParameters, ...o }),
    wakeCluster: (clusterId, o) =>
      request({
        route: 'PUT /clusters/{clusterUuid}/wake',
        params: byId(clusterId),
        read: () => undefined,
        ignoreBody: true,
        ...o,
      }),
    listBackups: (clusterId, o) =>
      request({
        route: 'GET /clusters/{clusterUuid}/backups',
        params: byId(clusterId),
        read: checkList(checkBackup, 'backup'),
        ...o,
      }),
    createBackup: (clusterId, o) =>
      request({
        route: 'POST /clusters/{clusterUuid}/backups',
        params: byId(clusterId),
        read: (body) => checkBackup(body),
        ...o,
      }),
    deleteBackup: (clusterId, backupId, o) =>
      request({
        route: 'DELETE /clusters/{clusterUuid}/backups/{backupId}',
        params: { clusterUuid: clusterId, backupId },
        read: () => 'deleted' as const,
        ignoreBody: true,
        notFound: () => 'not-found' as const,
        ...o,
      }),
    getBackupSchedule: (clusterId, o) =>
      request({
        route: 'GET /clusters/{clusterUuid}/backups/schedule',
        params: byId(clusterId),
        read: checkSchedule,
        notFound: () => undefined,
        ...o,
      }),
    putBackupSchedule: (clusterId, cron, o) =>
      request({
        route: 'PUT /clusters/{clusterUuid}/backups/schedule',
        params: byId(clusterId),
        body: { schedule: cron },
        read: checkSchedule,
        ...o,
      }),
    deleteBackupSchedule: (clusterId, o) =>
      request({
        route: 'DELETE /clusters/{clusterUuid}/backups/schedule',
        params: byId(clusterId),
        read: () => 'deleted' as const,
        ignoreBody: true,
        notFound: () => 'not-found' as const,
        ...o,
      }),
    restoreBackup: (clusterId, backupId, o) =>
      request({
        route: 'POST /clusters/{clusterUuid}/backups/{backupId}/restore',
        params: { clusterUuid: clusterId, backupId },
        read: checkRestore,
        ...o,
      }),
    getRestore: (clusterId, backupId, o) =>
      request({
        route: 'GET /clusters/{clusterUuid}/backups/{backupId}/restore',
        params: { clusterUuid: clusterId, backupId },
        read: checkRestore,
        notFound: () => undefined,
        ...o,
      }),
    putIpAllowlist: async (clusterId, entries, o) => {
      if (entries.length === 0 && o?.allowEmpty !== true) {
        throw new RangeError(
          'refusing to send an empty ip allowlist (it opens the cluster to every address); pass allowEmpty: true',
        );
      }
      await request({
        route: 'PUT /clusters/{clusterUuid}/ipallowlist',
        params: byId(clusterId),
        body: { ipallowlist: entries.map((e) => ({ description: e.description, ip: e.ip })) },
        read: () => undefined,
        ignoreBody: true,
        signal: o?.signal,
      });
    },
    getIpRanges: (o) =>
      request({ route: 'GET /meta/ip-ranges', params: undefined, auth: false, read: checkIpRanges, ...o }),
    getSecrets: (clusterId, o) =>
      request({
        route: 'GET /clusters/{clusterUuid}/secrets',
        params: byId(clusterId),
        read: checkSecrets,
        sensitiveResponse: true,
        ...o,
      }),
    createSecret: async (clusterId, name, value, o) => {
      await request({
        route: 'POST /clusters/{clusterUuid}/secrets',
        params: byId(clusterId),
        body: { secretName: name, secretValue: value },
        read: () => undefined,
        ignoreBody: true,
        secretValues: [value],
        signal: o?.signal,
      });
    },
    updateSecret: async (clusterId, name, value, o) => {
      await request({
        route: 'PUT /clusters/{clusterUuid}/secrets/{secretName}',
        params: { clusterUuid: clusterId, secretName: name },
        body: { secretValue: value },
        read: () => undefined,
        ignoreBody: true,
        secretValues: [value],
        retryConflict: true,
        signal: o?.signal,
      });
    },
    deleteSecret: (clusterId, name, o) =>
      request({
        route: 'DELETE /clusters/{clusterUuid}/secrets/{secretName}',
        params: { clusterUuid: clusterId, secretName: name },
        read: () => 'deleted' as const,
        ignoreBody: true,
        notFound: () => 'not-found' as const,
        retryConflict: true,
        ...o,
      }),
    listApiClients: (clusterId, o) =>
      request({
        route: 'GET /clusters/{clusterUuid}/clients',
        params: byId(clusterId),
        read: checkList(checkApiClient, 'client'),
        ...o,
      }),
    createApiClient: (clusterId, body, o) =>
      request({
        route: 'POST /clusters/{clusterUuid}/clients',
        params: byId(clusterId),
        body: {
          clientName: body.clientName,
          ...(body.permissions ? { permissions: [...body.permissions] } : {}),
        },
        read: checkCreatedApiClient,
        sensitiveResponse: true,
        ...o,
      }),
    deleteApiClient: (clusterId, clientId, o) =>
      request({
        route: 'DELETE /clusters/{clusterUuid}/clients/{clientId}',
        params: { clusterUuid: clusterId, clientId },
        read: () => 'deleted' as const,
        ignoreBody: true,
        notFound: () => 'not-found' as const,
        ...o,
      }),
    get stats(): ConsoleClientStats {
      return {
        requests: stats.requests,
        retries: stats.retries,
        throttled: stats.throttled,
        failures: stats.failures,
        tokenRefreshes: stats.tokenRefreshes,
        throttledMs: stats.throttledMs,
        gateWaits: stats.gateWaits,
        byOperation: Object.fromEntries([...stats.byOperation].map(([route, s]) => [route, { ...s }])),
      };
    },
  };
}
