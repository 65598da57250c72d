// `npm run webhook -- <WebhookUrl> <job> <action> [--body JSON | --body-file FILE] [--secret-id ARN]`
// Signs with WEBHOOK_SECRET (whsec_…) or the Secrets Manager secret given by --secret-id.
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseWebhookSecret } from '#lib/runtime/webhook-secrets.ts';
import { EXIT_USAGE, parseCommandLine, UsageError } from './lib/cli.ts';
import { sendWebhook } from './lib/send-webhook.ts';

const USAGE = `Usage: npm run webhook -- <WebhookUrl> <job> <action> [options]

Sends one webhook signed per Standard Webhooks to the deployed endpoint (the stack's WebhookUrl output).

  <job> <action>      e.g. teardown keep-alive, allowlist-sync set-source, backup run
  --body JSON         the request body (default {}), e.g.
                      '{"payload":{"cluster":"dev-payments","until":"2026-11-28T06:00:00Z","by":"me","reason":"demo"}}'
  --body-file FILE    read the body from a file
  --secret-id ID      read the signing secret from this Secrets Manager secret (name or ARN);
                      otherwise from the WEBHOOK_SECRET environment variable (whsec_…)
  -h, --help

Exit code: 0 for a 2xx answer, 1 otherwise, 2 for a bad command line.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      body: { type: 'string' },
      'body-file': { type: 'string' },
      'secret-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [url, job, action, ...rest] = positionals;
  if (!url || !job || !action || rest.length > 0)
    throw new UsageError('expected <WebhookUrl> <job> <action>');
  if (values.body !== undefined && values['body-file'] !== undefined) {
    throw new UsageError('give --body or --body-file, not both');
  }
  const body =
    values['body-file'] !== undefined ? readFileSync(values['body-file'], 'utf8') : (values.body ?? '{}');
  try {
    JSON.parse(body);
  } catch {
    throw new UsageError('the body is not valid JSON');
  }
  let secrets: string[];
  if (values['secret-id']) {
    const client = new SecretsManagerClient({});
    const out = await client.send(new GetSecretValueCommand({ SecretId: values['secret-id'] }));
    secrets = parseWebhookSecret(out.SecretString, `secret ${values['secret-id']}`);
  } else {
    if (!process.env.WEBHOOK_SECRET) throw new UsageError('set WEBHOOK_SECRET (whsec_…) or pass --secret-id');
    secrets = parseWebhookSecret(process.env.WEBHOOK_SECRET, 'WEBHOOK_SECRET');
  }
  const sent = await sendWebhook({ url, job, action, body, secret: secrets[0] ?? '' });
  console.log(`POST ${sent.url} (webhook-id ${sent.id}) → ${sent.status}`);
  console.log(sent.body);
  return sent.status >= 200 && sent.status < 300 ? 0 : 1;
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
