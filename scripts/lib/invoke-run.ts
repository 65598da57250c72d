// `npm run invoke`: one job's real handler, called in-process with a real event shape, against real
// Camunda (CAMUNDA_CONSOLE_CLIENT_ID/SECRET) or the local simulator, and a real, local or embedded DynamoDB.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { handler as allowlistHandler } from '#functions/allowlist-sync/handler.ts';
import { handler as backupHandler } from '#functions/backup/handler.ts';
import { readinessRows, readinessTable } from '#functions/backup/readiness.ts';
import { handler as secretsSyncHandler } from '#functions/secrets-sync/handler.ts';
import { handler as teardownHandler } from '#functions/teardown/handler.ts';
import { ConfigError } from '#lib/config/errors.ts';
import { clearConfigCache, configFromEnv, resolveConfig } from '#lib/config/load.ts';
import type { AutomationConfig } from '#lib/config/types.ts';
import { errorText } from '#lib/jobs/engine.ts';
import type { RunLedger } from '#lib/jobs/ports.ts';
import { type ClusterOutcome, type JobName, RunFailedError, type RunSummary } from '#lib/jobs/types.ts';
import { type Container, createContainer, setContainer } from '#lib/runtime/container.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import type { JobResult } from '#lib/runtime/job-handler.ts';
import { memoryCounters } from '#lib/runtime/metrics.ts';
import { DEFAULT_SENDER } from '#lib/runtime/webhook-secrets.ts';
import { STATE_TABLE_ENV } from '#lib/state/table.ts';
import { mayCall } from '#lib/triggers/normalize.ts';
import { signWebhook } from '#lib/triggers/sign.ts';
import { eventBridgeEvent, LOCAL_CONFIG, lambdaContext, schedulerEvent, webhookEvent } from '#local/env.ts';
import { recordingLog } from '#local/recording-log.ts';
import {
  captureConsole,
  colourWanted,
  EXIT_USAGE,
  outcomeRows,
  outcomeTable,
  type Paint,
  paint,
  UsageError,
} from './cli.ts';
import { type InvokeArgs, LOCAL_CONFIG_NAME } from './invoke-args.ts';
import { type Closer, type ConsoleBackend, consoleBackend, dynamoBackend } from './invoke-backends.ts';

const HANDLERS: Record<JobName, (event: unknown, context: Context) => Promise<JobResult>> = {
  backup: backupHandler,
  teardown: teardownHandler,
  'allowlist-sync': allowlistHandler,
  'secrets-sync': secretsSyncHandler,
};

const ROOT_CONFIG = fileURLToPath(new URL('../../automation.config.ts', import.meta.url));

export interface Io {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The policy: `--config local`, a config file (default the repository's automation.config.ts) and `--env`. */
function loadConfig(args: InvokeArgs): AutomationConfig {
  if (args.configFile === LOCAL_CONFIG_NAME) return resolveConfig(LOCAL_CONFIG);
  clearConfigCache();
  const env: NodeJS.ProcessEnv = { AUTOMATION_CONFIG_FILE: args.configFile ?? ROOT_CONFIG };
  if (args.envName !== undefined) env.AUTOMATION_ENV = args.envName;
  return configFromEnv(env);
}

function withDryRun(config: AutomationConfig, job: JobName): AutomationConfig {
  if (job === 'backup') return { ...config, backup: { ...config.backup, dryRun: true } };
  if (job === 'teardown') return { ...config, teardown: { ...config.teardown, dryRun: true } };
  if (job === 'secrets-sync') return { ...config, secretsSync: { ...config.secretsSync, dryRun: true } };
  return { ...config, allowlist: { ...config.allowlist, dryRun: true } };
}

const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The event for the trigger, or the `--event` file (a webhook event re-signed with `secret`). */
export function buildEvent(args: InvokeArgs, secret: string, now: number): unknown {
  if (args.eventFile !== undefined) {
    let event: unknown;
    try {
      event = JSON.parse(readFileSync(args.eventFile, 'utf8'));
    } catch (err) {
      throw new UsageError(`--event ${args.eventFile}: ${(err as Error).message}`);
    }
    if (isRecord(event) && event.version === '2.0' && typeof event.body === 'string') {
      const headers = isRecord(event.headers) ? { ...event.headers } : {};
      const id = typeof headers['webhook-id'] === 'string' ? headers['webhook-id'] : `msg_${randomUUID()}`;
      for (const k of Object.keys(headers)) if (k.toLowerCase().startsWith('webhook-')) delete headers[k];
      const body = event.isBase64Encoded === true ? Buffer.from(event.body, 'base64') : event.body;
      return { ...event, headers: { ...headers, ...signWebhook(secret, id, Math.floor(now / 1000), body) } };
    }
    return event;
  }
  const request: Record<string, unknown> = {};
  if (args.dryRun) request.dryRun = true;
  if (args.clusterIds) request.clusterIds = args.clusterIds;
  if (args.payload !== undefined) request.payload = args.payload;
  if (args.trigger === 'schedule') {
    return { ...schedulerEvent(args.job, args.action, isoSeconds(now)), ...request };
  }
  if (args.trigger === 'eventbridge') return eventBridgeEvent(`${args.job}.${args.action}`, request);
  return webhookEvent(args.job, args.action, request, { secret, timestampSeconds: Math.floor(now / 1000) });
}

/** Prints a line per cluster outcome as the engine records it. */
function withProgress(ledger: RunLedger, onOutcome: (o: ClusterOutcome) => void): RunLedger {
  return {
    start: (...a) => ledger.start(...a),
    finish: (...a) => ledger.finish(...a),
    accept: (...a) => ledger.accept(...a),
    get: (...a) => ledger.get(...a),
    async recordOutcome(key, outcome) {
      onOutcome(outcome);
      return ledger.recordOutcome(key, outcome);
    },
  };
}

function progressLine(o: ClusterOutcome, p: Paint, tty: boolean): string {
  const what = o.status === 'done' ? o.action : o.status === 'failed' ? o.error : o.reason;
  if (!tty) return `progress ${o.clusterName} ${o.status} ${what}\n`;
  const sign = o.status === 'done' ? p.ok('✓') : o.status === 'failed' ? p.bad('✗') : p.dim('·');
  return `  ${sign} ${o.clusterName}  ${p.status(o.status)}  ${what}\n`;
}

type Outcome =
  | { result: 'summary'; summary: RunSummary; httpStatus?: number }
  | { result: 'rejected'; httpStatus: number; message: string }
  | { result: 'ignored'; reason: string }
  | { result: 'error'; error: string };

async function call(job: JobName, event: unknown): Promise<Outcome> {
  let result: JobResult;
  try {
    result = await HANDLERS[job](event, lambdaContext(`local-${job}`));
  } catch (err) {
    if (err instanceof RunFailedError) return { result: 'summary', summary: err.summary };
    return { result: 'error', error: errorText(err) };
  }
  if ('statusCode' in result) {
    let body: unknown;
    try {
      body = JSON.parse(result.body);
    } catch {
      body = result.body;
    }
    if (result.statusCode === 202 && isRecord(body)) {
      return { result: 'summary', summary: body as unknown as RunSummary, httpStatus: 202 };
    }
    const message = isRecord(body) && typeof body.message === 'string' ? body.message : String(result.body);
    return { result: 'rejected', httpStatus: result.statusCode, message };
  }
  if ('ignored' in result) return { result: 'ignored', reason: result.reason };
  return { result: 'summary', summary: result };
}

/** Runs the invocation; resolves to the exit code. */
export async function runInvoke(args: InvokeArgs, io: Io): Promise<number> {
  const json = args.json || io.stdout.isTTY !== true;
  const p = paint(!json && colourWanted(io.stdout, io.env));
  const errTty = io.stderr.isTTY === true;
  const pe = paint(colourWanted(io.stderr, io.env));
  const say = (line: string) => io.stderr.write(`${line}\n`);

  let config: AutomationConfig;
  try {
    config = loadConfig(args);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`invoke: ${err.message}\n`);
    return EXIT_USAGE;
  }

  const closers: Closer[] = [];
  const captured = captureConsole();
  try {
    let camunda: ConsoleBackend;
    try {
      camunda = await consoleBackend(io.env);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      captured.restore();
      io.stderr.write(`invoke: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (camunda.close) closers.push(camunda.close);
    const dynamo = await dynamoBackend(io.env);
    if (dynamo.close) closers.push(dynamo.close);

    const notes: string[] = [];
    if (camunda.kind === 'simulator' && args.configFile !== LOCAL_CONFIG_NAME) {
      notes.push(
        `policy from ${args.configFile ?? 'automation.config.ts'}: its selectors may not match the simulator's org (--config ${LOCAL_CONFIG_NAME} fits it)`,
      );
    }
    if (args.dryRun) config = withDryRun(config, args.job);
    const forcedDryRun =
      camunda.kind === 'camunda' && args.job === 'teardown' && !args.liveDelete && !config.teardown.dryRun;
    if (forcedDryRun) {
      config = withDryRun(config, 'teardown');
      notes.push(
        'teardown against live Camunda is forced to a dry run: nothing is deleted or created (pass --live-delete to act)',
      );
    }
    const secret =
      io.env.WEBHOOK_SECRETS?.split(',')[0]?.trim() || `whsec_${randomBytes(32).toString('base64')}`;
    // A local webhook is signed as the first sender of the policy that may call its route (or 'default').
    const route = `${args.job}.${args.action}`;
    const sender =
      Object.entries(config.webhooks.senders).find(([, s]) => mayCall(s.routes, route))?.[0] ??
      DEFAULT_SENDER;
    const env: NodeJS.ProcessEnv = {
      ...io.env,
      ...camunda.env,
      [STATE_TABLE_ENV]: dynamo.tableName,
      WEBHOOK_SECRETS: JSON.stringify({ [sender]: secret }),
    };
    // Local runs read credentials and the webhook secret from the environment, never Secrets Manager.
    delete env.CAMUNDA_CONSOLE_CREDENTIALS_SECRET;
    delete env.WEBHOOK_SENDER_SECRETS;
    delete env.AUTOMATION_CONFIG;

    const log = recordingLog();
    const events = memoryPublisher();
    const container: Container = createContainer({
      env,
      config,
      dynamo: dynamo.client,
      log,
      metrics: memoryCounters(),
      events,
    });
    container.ledger = withProgress(container.ledger, (o) => io.stderr.write(progressLine(o, pe, errTty)));
    setContainer(container);

    const event = buildEvent(args, secret, container.clock.now());
    const via = args.eventFile ? `event file ${args.eventFile}` : args.trigger;
    say(pe.bold(`${args.job} ${args.action} via ${via}`));
    say(pe.dim(`  console: ${camunda.describe}`));
    say(pe.dim(`  state:   ${dynamo.describe}`));
    for (const n of notes) say(`  ${n}`);

    const outcome = await call(args.job, event);
    setContainer(undefined);
    captured.restore();

    const failed =
      outcome.result === 'error' ||
      outcome.result === 'rejected' ||
      (outcome.result === 'summary' && outcome.summary.failed && outcome.summary.replayed !== true);
    const exitCode = failed ? 1 : 0;
    if (args.verbose) {
      for (const l of log.lines) {
        io.stderr.write(`log ${l.level} ${l.message}${l.data ? ` ${JSON.stringify(l.data)}` : ''}\n`);
      }
      for (const line of captured.lines) io.stderr.write(`${line}\n`);
    }
    if (json) {
      io.stdout.write(
        `${JSON.stringify(
          {
            job: args.job,
            action: args.action,
            trigger: args.eventFile ? 'event-file' : args.trigger,
            console: camunda.kind,
            dynamodb: dynamo.kind,
            forcedDryRun,
            notes,
            ...outcome,
            events: events.events.map((e) => e.detailType),
            exitCode,
          },
          null,
          2,
        )}\n`,
      );
      return exitCode;
    }
    const out: string[] = [''];
    if (outcome.result === 'summary') {
      const s = outcome.summary;
      const http = outcome.httpStatus === undefined ? '' : ` · HTTP ${outcome.httpStatus}`;
      out.push(
        p.bold(`${s.job} ${s.action}`) +
          p.dim(
            ` · ${s.trigger} · key ${s.idempotencyKey}${s.dryRun ? ' · dry run' : ''}${s.replayed ? ' · replayed' : ''}${http}`,
          ),
      );
      if (s.job === 'backup' && s.action === 'check') out.push(...readinessTable(readinessRows(s.clusters)));
      else out.push(...outcomeTable(outcomeRows(s.clusters), p, '  ', 500));
      for (const n of s.notes) out.push(p.dim(`  note: ${n}`));
      const counts = Object.entries(s.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · ');
      out.push(`  ${counts}`);
      if (events.events.length > 0) {
        out.push(
          p.dim(`  events (kept locally, not sent): ${events.events.map((e) => e.detailType).join(', ')}`),
        );
      }
      out.push(s.failed ? p.bad('run failed') : p.ok('run succeeded'));
    } else if (outcome.result === 'rejected') {
      out.push(p.bad(`webhook refused: HTTP ${outcome.httpStatus}: ${outcome.message}`));
    } else if (outcome.result === 'ignored') {
      out.push(`event ignored: ${outcome.reason}`);
    } else {
      out.push(p.bad(`run failed: ${outcome.error}`));
    }
    if (!args.verbose && log.lines.length > 0) {
      out.push(p.dim(`(${log.lines.length} log lines captured; --verbose prints them)`));
    }
    io.stdout.write(`${out.join('\n')}\n`);
    return exitCode;
  } finally {
    captured.restore();
    setContainer(undefined);
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}
