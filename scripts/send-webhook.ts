// `npm run webhook -- <WebhookUrl> <job> <action> [--body JSON | --body-file FILE] [--secret-id ARN] [--wait]`
// `npm run webhook -- --local <job> <action> [--wait] [--latency MS]`
// Signs with WEBHOOK_SECRET (whsec_…) or the Secrets Manager secret given by --secret-id (--local: the local
// stack's own sender secret).
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseWebhookSecret } from '#lib/runtime/webhook-secrets.ts';
import { applyLocalProcessDefaults, EXIT_USAGE, intOption, parseCommandLine, UsageError } from './lib/cli.ts';
import {
  absoluteStatusUrl,
  acceptedRun,
  type RunStatus,
  runFailed,
  sendWebhook,
  waitForRun,
} from './lib/send-webhook.ts';

const USAGE = `Usage: npm run webhook -- <WebhookUrl> <job> <action> [options]
       npm run webhook -- --local <job> <action> [options]

Sends one webhook signed per Standard Webhooks to the deployed endpoint (the stack's WebhookUrl output).
The endpoint answers 202 at once with a run id and a status URL; the job runs afterwards.

  <job> <action>      e.g. teardown keep-alive, allowlist-sync set-source, backup run
  --body JSON         the request body (default {}), e.g.
                      '{"payload":{"cluster":"dev-payments","until":"2026-11-28T06:00:00Z","by":"me","reason":"demo"}}'
  --body-file FILE    read the body from a file
  --secret-id ID      read the signing secret from this Secrets Manager secret (name or ARN);
                      otherwise from the WEBHOOK_SECRET environment variable (whsec_…)
  --wait              poll the status URL (signed GET) until the run ends, with a progress line (state,
                      time waited); print the run's summary; exit 1 when the run failed
  --interval S        seconds between two polls with --wait (default 2)
  --timeout S         with --wait, give up after this many seconds (default 1800)
  --local             no deployment needed: start the local stack in this process (Console API + OAuth
                      simulator, embedded DynamoDB, the real ingress and job handlers, a local bus that hands
                      accepted webhooks to the job) and send to it, signed as its sender 'default'
  --latency MS        with --local: added to every Console API answer (a slow job)
  -h, --help

Exit code: 0 for a 2xx answer (with --wait: and a run that did not fail), 1 otherwise, 2 for a bad command line.`;

interface Progress {
  update(state: string, elapsedMs: number): void;
  done(): void;
}

/** One line rewritten in place on a terminal; otherwise a line per change of state (and every 30 s). */
function progress(runId: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  let lastState = '';
  let lastLineAt = -Infinity;
  const text = (state: string, ms: number) => `waiting for ${runId}: ${state} (${Math.round(ms / 1000)} s)`;
  return {
    update(state, elapsedMs) {
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${text(state, elapsedMs)}`);
        return;
      }
      if (state !== lastState || elapsedMs - lastLineAt >= 30_000) {
        stream.write(`${text(state, elapsedMs)}\n`);
        lastState = state;
        lastLineAt = elapsedMs;
      }
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

function printStatus(status: RunStatus): void {
  console.log(`run ${status.runId} (${status.job} ${status.action}): ${status.state}`);
  if (status.summary) console.log(JSON.stringify(status.summary, null, 2));
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      body: { type: 'string' },
      'body-file': { type: 'string' },
      'secret-id': { type: 'string' },
      wait: { type: 'boolean' },
      interval: { type: 'string' },
      timeout: { type: 'string' },
      local: { type: 'boolean' },
      latency: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const local = values.local === true;
  const [first, second, third, ...rest] = positionals;
  const [url, job, action] = local ? [undefined, first, second] : [first, second, third];
  if (!job || !action || (!local && !url) || rest.length > 0 || (local && third !== undefined)) {
    throw new UsageError(local ? 'expected --local <job> <action>' : 'expected <WebhookUrl> <job> <action>');
  }
  if (values.body !== undefined && values['body-file'] !== undefined) {
    throw new UsageError('give --body or --body-file, not both');
  }
  if (local && values['secret-id'] !== undefined) {
    throw new UsageError('--local signs with the local stack’s secret: leave out --secret-id');
  }
  if (!local && values.latency !== undefined) throw new UsageError('--latency needs --local');
  if (!values.wait && (values.interval !== undefined || values.timeout !== undefined)) {
    throw new UsageError('--interval and --timeout need --wait');
  }
  const intervalMs = (intOption('--interval', values.interval, 1, 3600) ?? 2) * 1000;
  const timeoutMs = (intOption('--timeout', values.timeout, 1, 86_400) ?? 1800) * 1000;
  const latencyMs = intOption('--latency', values.latency, 0, 60_000) ?? 0;
  const body =
    values['body-file'] !== undefined ? readFileSync(values['body-file'], 'utf8') : (values.body ?? '{}');
  try {
    JSON.parse(body);
  } catch {
    throw new UsageError('the body is not valid JSON');
  }

  let stack: Awaited<ReturnType<typeof import('./lib/local-stack.ts').startLocalStack>> | undefined;
  let secret: string;
  let target: string;
  if (local) {
    applyLocalProcessDefaults();
    // Powertools' "no application metrics" notice after every local invocation (its own stderr Console) says
    // nothing here.
    const write = process.stderr.write.bind(process.stderr) as (
      chunk: unknown,
      ...rest: unknown[]
    ) => boolean;
    process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
      String(chunk).startsWith('No application metrics')
        ? true
        : write(chunk, ...rest)) as typeof process.stderr.write;
    const [{ startLocalStack }, { LOCAL_WEBHOOK_SECRET }] = await Promise.all([
      import('./lib/local-stack.ts'),
      import('#local/env.ts'),
    ]);
    stack = await startLocalStack({ sim: { latencyMs } });
    secret = LOCAL_WEBHOOK_SECRET;
    target = stack.webhookUrl;
    console.log(`local stack: ${target} (simulator ${stack.local.sim.url}, Console latency ${latencyMs} ms)`);
  } else {
    target = url ?? '';
    let secrets: string[];
    if (values['secret-id']) {
      const client = new SecretsManagerClient({});
      const out = await client.send(new GetSecretValueCommand({ SecretId: values['secret-id'] }));
      secrets = parseWebhookSecret(out.SecretString, `secret ${values['secret-id']}`);
    } else {
      if (!process.env.WEBHOOK_SECRET)
        throw new UsageError('set WEBHOOK_SECRET (whsec_…) or pass --secret-id');
      secrets = parseWebhookSecret(process.env.WEBHOOK_SECRET, 'WEBHOOK_SECRET');
    }
    secret = secrets[0] ?? '';
  }

  try {
    const sent = await sendWebhook({ url: target, job, action, body, secret });
    console.log(`POST ${sent.url} (webhook-id ${sent.id}) → ${sent.status}`);
    console.log(sent.body);
    if (sent.status < 200 || sent.status >= 300) return 1;
    if (!values.wait) return 0;
    const accepted = acceptedRun(sent.status, sent.body);
    if (!accepted) {
      console.error('--wait: the answer carries no status URL (not a 202 from the webhook ingress)');
      return 1;
    }
    const line = progress(accepted.runId);
    let status: RunStatus;
    try {
      status = await waitForRun({
        statusUrl: absoluteStatusUrl(accepted.statusUrl, target),
        secret,
        intervalMs,
        timeoutMs,
        onProgress: (state, elapsed) => line.update(state, elapsed),
      });
    } finally {
      line.done();
    }
    printStatus(status);
    return runFailed(status) ? 1 : 0;
  } finally {
    // Locally, the job runs in this process: let it end before the stack stops.
    await stack?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    console.error(`webhook failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
