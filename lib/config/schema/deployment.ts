// `deployment`: what the CDK stack needs beyond the jobs (imported secrets, webhook ingress, log retention,
// function sizing, the Console and OAuth endpoints).
import * as z from 'zod/mini';
import { httpUrl, integer, positive, secretArn, text } from './primitives.ts';

const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
  9999,
] as const;

export const deploymentSchema = () =>
  z.strictObject({
    consoleCredentialsSecretArn: z.optional(secretArn()),
    webhookSecretArn: z.optional(secretArn()),
    webhookSecretArns: z.optional(
      z.record(z.string(), secretArn(), { error: 'must be an object { <sender>: <secret ARN> }' }),
    ),
    webhookAuth: z._default(
      z.enum(['signature', 'iam'], { error: "must be 'signature' or 'iam'" }),
      'signature',
    ),
    webhookThrottle: z.prefault(
      z.strictObject({
        rateLimit: z._default(positive(), 10),
        burstLimit: z._default(integer(1, 5000), 20),
      }),
      {},
    ),
    logRetentionDays: z._default(
      z.number({ error: 'must be a number of days' }).check(
        z.refine((n: number) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
          error: `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')} (9999 = never expire)`,
        }),
      ),
      30,
    ),
    functionTimeoutSeconds: z._default(integer(10, 900), 300),
    memoryMb: z._default(integer(128, 10240), 512),
    reservedConcurrency: z._default(integer(0, 1000), 0),
    consoleBaseUrl: z.optional(httpUrl()),
    oauthUrl: z.optional(httpUrl()),
    oauthAudience: z.optional(text()),
  });
