// The faults suite's environment and assertions: a complete local deployment (simulator + dynalite + the
// real handlers through the composition root) with tuned time constants, an optional fault-injecting proxy
// in front of DynamoDB, a watch on what the simulator actually did (creates, deletes, backups), and the
// two checks every row makes: `assertAccounted` (every selected cluster is in the summary, once; in
// faults-accounting.ts) and `duplicates` (nothing was done twice, no allowlist written empty or wrong; in
// faults-duplicates.ts). Both are re-exported here so a row imports one module.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { handler as allowlistHandler } from '#functions/allowlist-sync/handler.ts';
import { handler as backupHandler } from '#functions/backup/handler.ts';
import { handler as secretsSyncHandler } from '#functions/secrets-sync/handler.ts';
import { handler as teardownHandler } from '#functions/teardown/handler.ts';
import { selectClusters } from '#lib/config/selector.ts';
import type { ClusterSelector } from '#lib/config/types.ts';
import type { Cluster } from '#lib/console/client.ts';
import { createConsoleClient } from '#lib/console/client.ts';
import type { RetryPolicy } from '#lib/console/retry.ts';
import type { SecretSourceReader } from '#lib/jobs/secrets-sync-ports.ts';
import type { JobName, RunSummary } from '#lib/jobs/types.ts';
import { RunFailedError } from '#lib/jobs/types.ts';
import { type Container, createContainer, setContainer } from '#lib/runtime/container.ts';
import { tokenProviderFromEnv } from '#lib/token/from-env.ts';
import type { TokenProviderTuning } from '#lib/token/provider.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { LOCAL_AWS } from '#local/dynalite.ts';
import { type DynamoProxy, startDynamoProxy } from '#local/dynamo-proxy.ts';
import { LOCAL_WEBHOOK_SECRET, type LocalEnv, lambdaContext, startLocalEnv } from '#local/env.ts';
import type { RunningSimulator, SimOptions } from '#local/sim/index.ts';
import { assertAccounted, unaccounted } from '#test/helpers/faults-accounting.ts';
import {
  type AppliedOperations,
  type DuplicateOptions,
  type DuplicateReport,
  duplicates,
  NO_DUPLICATES,
  watchSim,
} from '#test/helpers/faults-duplicates.ts';
import { reportRow } from '#test/helpers/faults-report.ts';
import type { LeakScanner } from '#test/helpers/faults-secrets.ts';

export type { AppliedOperations, DuplicateOptions, DuplicateReport };
export { assertAccounted, duplicates, NO_DUPLICATES, unaccounted, watchSim };

export const HANDLERS = {
  backup: backupHandler,
  teardown: teardownHandler,
  'allowlist-sync': allowlistHandler,
  'secrets-sync': secretsSyncHandler,
} as const;

/**
 * Time constants shrunk so the matrix runs in seconds, keeping the production ratios (lease > auth timeout,
 * waits bounded by the invocation's remaining time). The auth server's one-request-per-second floor is kept.
 */
export const FAST_TOKEN_TUNING: Partial<TokenProviderTuning> = {
  authTimeoutMs: 400,
  leaseMs: 700,
  maxWaitMs: 4_000,
  deadlineMarginMs: 200,
  pollInitialMs: 20,
  pollMaxMs: 100,
  blockFloorMs: 400,
  blockMaxMs: 1_500,
  unavailableFloorMs: 250,
  credentialsRecheckMs: 100,
  backgroundRetryMs: 200,
  authLateMs: 2_500,
};
export const FAST_CONSOLE_TIMEOUT_MS = 400;
export const FAST_RETRY: Partial<RetryPolicy> = {
  maxAttempts: 5,
  baseDelayMs: 20,
  maxDelayMs: 250,
  maxTotalMs: 6_000,
};

export interface FaultEnvOptions {
  /** Deep-merged over LOCAL_CONFIG. */
  config?: Record<string, unknown>;
  sim?: SimOptions;
  /** Put a fault-injecting proxy between the container's DynamoDB client and dynalite. */
  dynamoProxy?: boolean;
  tuning?: Partial<TokenProviderTuning>;
  consoleTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Receives the environment's secrets, log lines, output and errors when it closes. */
  scanner?: LeakScanner;
  /**
   * The container's waits (a drill's looks) move one clock shared by the simulator, the container and the
   * Lambda budget instead of waiting for real: a drill row then takes no real seconds per look.
   */
  warpSleeps?: boolean;
  /** Where the secrets sync reads its desired secrets (default: the local JSON file, as `npm start`). */
  secretSources?: SecretSourceReader;
}

export interface Invocation {
  /** The run summary: returned, thrown in a RunFailedError, or the body of a 202 webhook answer. */
  summary?: RunSummary;
  /** The webhook answer, for webhook events. */
  response?: WebhookResponse;
  /** Whatever the handler threw. */
  error?: unknown;
  /** What the handler returned. */
  result?: unknown;
}

export interface FaultEnv extends LocalEnv {
  /** The proxy in front of dynalite, when asked for. */
  proxy?: DynamoProxy;
  /** The Console client id and secret the container uses (distinctive, so a leak is found by the scan). */
  credentials: { clientId: string; clientSecret: string };
  /** Every access token the auth server handed this environment's containers. */
  issuedTokens: Set<string>;
  /** What the simulator actually did (see `watchSim`). */
  applied: AppliedOperations;
  /** Invokes a real handler with a Lambda context of `budgetMs`; never throws. */
  invoke(job: JobName, event: unknown, budgetMs?: number): Promise<Invocation>;
  /** The Console ids the job's policy selects right now (the clusters a summary must account for). */
  selected(job: JobName): string[];
  /** A further container on the same simulator and table (another cold Lambda instance), not installed. */
  coldContainer(): Container;
  /** Faults injected so far: answers the simulator replaced or dropped, rate-limit answers. */
  faultsInjected(): number;
  /** Handler invocations so far. */
  invocations: number;
  /** `assertAccounted` against the clusters the job selects (or `expected`), and counted for the row's figures. */
  account(summary: RunSummary | undefined, expected: readonly string[]): void;
  /**
   * Ends a matrix row: zero duplicates (asserted, with the details on failure), then the row's figures
   * (invocations, faults, duplicates, losses) to the reliability report.
   */
  finishRow(
    group: string,
    row: string,
    options?: DuplicateOptions & { extraFaults?: number; extraCases?: number },
  ): DuplicateReport;
}

function classify(result: unknown, error: unknown): Invocation {
  if (error !== undefined) {
    return error instanceof RunFailedError ? { error, summary: error.summary } : { error };
  }
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const response = result as WebhookResponse;
    let summary: RunSummary | undefined;
    if (response.statusCode === 202) summary = JSON.parse(response.body) as RunSummary;
    return { result, response, summary };
  }
  if (typeof result === 'object' && result !== null && 'counts' in result) {
    return { result, summary: result as RunSummary };
  }
  return { result };
}

/** The simulator's clusters as the Console lists them. */
export function simClusters(sim: RunningSimulator): Cluster[] {
  return [...sim.state.clusters.values()].map((c) => sim.state.renderCluster(c) as unknown as Cluster);
}

/**
 * A local deployment for fault injection: startLocalEnv (simulator, dynalite, LOCAL_CONFIG) with a distinctive
 * client secret, then a container rebuilt through the composition root with the fast tuning, a fetch that
 * records every issued token, and (optionally) DynamoDB behind the proxy. The container is installed for the
 * real handlers (`setContainer`).
 */
export async function startFaultEnv(options: FaultEnvOptions = {}): Promise<FaultEnv> {
  const credentials = {
    clientId: `fault-client-${randomBytes(3).toString('hex')}`,
    clientSecret: `fault-secret-${randomBytes(18).toString('base64url')}`,
  };
  let warpedMs = 0;
  const warped = options.warpSleeps ? { now: () => Date.now() + warpedMs } : {};
  const local = await startLocalEnv({
    config: options.config,
    sim: {
      clients: [credentials],
      authRateLimit: { perSecond: 1, blockMs: 1_500 },
      ...warped,
      ...options.sim,
    },
    ...warped,
  });
  const applied = watchSim(local.sim);
  const proxy = options.dynamoProxy ? await startDynamoProxy(local.db.endpoint) : undefined;
  const dynamo = proxy ? new DynamoDBClient({ endpoint: proxy.endpoint, ...LOCAL_AWS }) : local.db.client;
  const issuedTokens = new Set<string>();
  const oauthUrl = local.sim.oauthUrl;
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url === oauthUrl && response.ok) {
      const body = (await response
        .clone()
        .json()
        .catch(() => undefined)) as { access_token?: unknown } | undefined;
      if (typeof body?.access_token === 'string') issuedTokens.add(body.access_token);
    }
    return response;
  };
  const env = local.env;
  const build = (): Container => {
    const base = createContainer({
      env,
      config: local.config,
      dynamo,
      log: local.log,
      metrics: local.counters,
      events: local.events,
      fetch: recordingFetch,
      ...warped,
      ...(options.secretSources ? { secretSources: options.secretSources } : {}),
      ...(options.warpSleeps
        ? {
            sleep: async (ms: number) => {
              warpedMs += ms;
              await new Promise<void>((resolve) => setImmediate(resolve));
            },
          }
        : {}),
    });
    const tokens = tokenProviderFromEnv({
      env,
      dynamo,
      log: local.log,
      metrics: local.counters,
      fetch: recordingFetch,
      remainingTimeMs: () => base.invocation.remainingTimeMs?.(),
      tuning: { ...FAST_TOKEN_TUNING, ...options.tuning },
    });
    const console = createConsoleClient({
      tokenSource: tokens,
      baseUrl: local.sim.url,
      fetch: recordingFetch,
      log: local.log,
      timeoutMs: options.consoleTimeoutMs ?? FAST_CONSOLE_TIMEOUT_MS,
      retry: { ...FAST_RETRY, ...options.retry },
    });
    return { ...base, tokens, console };
  };
  const container = build();
  setContainer(container);

  let clustersAccounted = 0;
  let losses = 0;
  const faultEnv: FaultEnv = {
    ...local,
    invocations: 0,
    account(summary, expected) {
      expect(summary, 'a run summary').toBeDefined();
      if (!summary) return;
      losses += unaccounted(summary, expected).length;
      assertAccounted(summary, expected);
      clustersAccounted += summary.clusters.length;
    },
    finishRow(group, row, rowOptions = {}) {
      const report = duplicates(local.sim, rowOptions);
      const { resentAfterReread: _resent, ...counted } = report;
      expect(counted, 'nothing done twice, no allowlist written empty or wrong').toEqual(NO_DUPLICATES);
      reportRow({
        group,
        row,
        cases: faultEnv.invocations + (rowOptions.extraCases ?? 0),
        faults: faultEnv.faultsInjected() + (rowOptions.extraFaults ?? 0),
        duplicates: report.total,
        losses,
        clusters: clustersAccounted,
      });
      return report;
    },
    container,
    proxy,
    credentials,
    issuedTokens,
    applied,
    coldContainer: build,
    async invoke(job, event, budgetMs = 120_000) {
      const from = local.sim.requestLog.length;
      let result: unknown;
      let error: unknown;
      try {
        result = await HANDLERS[job](event, lambdaContext(job, budgetMs, warped.now));
      } catch (err) {
        error = err;
      }
      applied.windows.push({ from, to: local.sim.requestLog.length });
      faultEnv.invocations += 1;
      const invocation = classify(result, error);
      options.scanner?.addValue(`${job} invocation`, invocation.error ?? invocation.result);
      return invocation;
    },
    selected(job) {
      const policy =
        job === 'backup'
          ? local.config.backup
          : job === 'teardown'
            ? local.config.teardown
            : job === 'secrets-sync'
              ? local.config.secretsSync
              : local.config.allowlist;
      return selectClusters(simClusters(local.sim), policy.selector as ClusterSelector).map((c) => c.uuid);
    },
    faultsInjected() {
      return local.sim.requestLog.filter((e) => e.fault !== undefined || e.status === 429).length;
    },
    async close() {
      const scanner = options.scanner;
      if (scanner) {
        scanner.addSecret(credentials.clientSecret);
        scanner.addSecret(LOCAL_WEBHOOK_SECRET);
        scanner.addSecret(LOCAL_WEBHOOK_SECRET.slice('whsec_'.length));
        for (const token of issuedTokens) scanner.addSecret(token);
        scanner.addValue('log lines', local.log.lines);
        scanner.addValue('published events', local.events.events);
      }
      if (proxy) {
        dynamo.destroy();
        await proxy.close();
      }
      await local.close();
    },
  };
  return faultEnv;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 10 ms until it holds; throws after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Delivers `event` again and again (what Lambda's async retries and EventBridge redeliveries do) until a
 * run finishes without failing, pausing between attempts; returns every attempt. Each attempt's summary,
 * when there is one, must account for the selected clusters (`expected` is read at each attempt).
 */
export async function redeliver(
  env: FaultEnv,
  job: JobName,
  event: unknown,
  options: { attempts?: number; pauseMs?: number; expected?: () => readonly string[] } = {},
): Promise<Invocation[]> {
  const attempts = options.attempts ?? 8;
  const results: Invocation[] = [];
  for (let i = 0; i < attempts; i++) {
    const expected = (options.expected ?? (() => env.selected(job)))();
    const invocation = await env.invoke(job, event);
    results.push(invocation);
    const summary = invocation.summary;
    // A run that failed before it could list clusters reports none, and fails the invocation.
    if (summary && !(summary.failed && summary.clusters.length === 0) && !summary.replayed) {
      env.account(summary, expected);
    }
    if (summary && !summary.failed) return results;
    // A token failure says until when nobody asks the auth server again: wait for that, like a retry would.
    const until = /until (\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(summary?.notes.join(' ') ?? '')?.[1];
    const blockedFor = until === undefined ? 0 : Date.parse(until) - Date.now() + 50;
    await sleep(Math.max(options.pauseMs ?? 300, blockedFor));
  }
  return results;
}

/** The last attempt of `redeliver`, which must have finished the run. */
export function settled(results: readonly Invocation[]): RunSummary {
  const last = results[results.length - 1];
  expect(last?.error, 'the last delivery succeeded').toBeUndefined();
  expect(last?.summary?.failed, 'the last delivery finished the run').toBe(false);
  if (!last?.summary) throw new Error('no summary');
  return last.summary;
}
