// The `secretsSync` block of the config: which clusters get which connector secrets from which AWS Secrets
// Manager sources. Its own module (zod/mini) so that schema.ts only hooks it in; the selector schema is passed
// in because it lives with the other blocks.
import * as z from 'zod/mini';
import { CONNECTOR_SECRET_NAME, MAX_CONNECTOR_SECRET_NAME } from '#lib/secrets/connector-secret-names.ts';
import { schedulerExpressionProblem } from '../expressions.ts';
import type { ClusterSelector } from '../types.ts';

/** One Secrets Manager source: the secrets whose name starts with `prefix` and/or carry every tag of `tags`. */
export interface SecretsSyncSource {
  /** Secrets Manager name prefix, e.g. `camunda/connectors/`. */
  prefix?: string;
  /** Tags every source secret must carry (key → exact value). */
  tags?: Record<string, string>;
  /** Limit this source to some of the selected clusters (default: every selected cluster). */
  selector?: ClusterSelector;
  /** Prepended to every connector secret name this source provides. */
  namePrefix?: string;
}

export interface SecretsSyncPolicy {
  enabled: boolean;
  dryRun: boolean;
  /** Drift repair schedule, in `timeZone`. */
  schedule: string;
  selector: ClusterSelector;
  /** Named Secrets Manager sources (the name appears in summaries and ownership records). */
  sources: Record<string, SecretsSyncSource>;
  /**
   * false (default): only connector secrets this project created are updated or deleted; one created by hand
   * is never touched. true: the clusters' connector secrets are exactly the desired set (others deleted).
   */
  exclusive: boolean;
  /** 409 "another change to the secrets is in progress": retried with exponential backoff. */
  conflictRetry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /** ARNs of the customer-managed KMS keys the source secrets are encrypted with (the function may decrypt). */
  kmsKeyArns: string[];
}

/** Source names: they name ownership records and summaries. */
export const SECRETS_SOURCE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const SECRETS_MANAGER_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

const bool = () => z.boolean({ error: 'must be true or false' });
const integer = (min: number, max: number) =>
  z.number({ error: `must be an integer from ${min} to ${max}` }).check(
    z.refine((n) => Number.isSafeInteger(n) && n >= min && n <= max, {
      error: `must be an integer from ${min} to ${max}`,
    }),
  );

/** The config's cluster selector schema (defined with the other blocks). */
export type SelectorSchema = z.core.$ZodType<ClusterSelector, unknown>;

function sourceSchema(selector: SelectorSchema) {
  return z
    .strictObject({
      prefix: z.optional(
        z.string({ error: 'must be a Secrets Manager name prefix' }).check(
          z.regex(SECRETS_MANAGER_NAME, {
            error: 'must be a Secrets Manager name prefix (letters, digits and /_+=.@-, up to 512)',
          }),
        ),
      ),
      tags: z.optional(
        z.record(
          z.string().check(z.minLength(1, { error: 'tag keys must not be empty' })),
          z.string({ error: 'tag values must be strings' }),
          { error: 'must be an object of tag key → value' },
        ),
      ),
      selector: z.optional(selector),
      namePrefix: z.optional(
        z.string({ error: 'must be a string' }).check(
          z.regex(CONNECTOR_SECRET_NAME, { error: 'must be letters, digits and _ only' }),
          z.maxLength(MAX_CONNECTOR_SECRET_NAME - 1, {
            error: `must be at most ${MAX_CONNECTOR_SECRET_NAME - 1} characters`,
          }),
        ),
      ),
    })
    .check(
      z.superRefine((source, ctx) => {
        const tagCount = source.tags === undefined ? 0 : Object.keys(source.tags).length;
        if ((source.prefix === undefined || source.prefix === '') && tagCount === 0) {
          ctx.issues.push({
            code: 'custom',
            input: source,
            path: ['prefix'],
            message:
              'a source needs a prefix or tags: without either it would read every secret of the account',
          });
        }
      }),
    );
}

/** The `secretsSync` block; `selector` is the config's cluster selector schema. */
export function secretsSyncSchema(selector: SelectorSchema) {
  return z
    .strictObject({
      enabled: z._default(bool(), false),
      dryRun: z._default(bool(), false),
      schedule: z._default(
        z.string({ error: 'must be a scheduler expression string' }).check(
          z.superRefine((value, ctx) => {
            const problem = schedulerExpressionProblem(value);
            if (problem) ctx.issues.push({ code: 'custom', input: value, message: problem });
          }),
        ),
        'rate(1 hour)',
      ),
      selector: z.prefault(selector, {}),
      sources: z._default(
        z.record(
          z.string().check(
            z.regex(SECRETS_SOURCE_NAME, {
              error: 'source names: lower-case letters, digits and -, up to 63 characters',
            }),
          ),
          sourceSchema(selector),
          { error: 'must be an object of named sources' },
        ),
        {},
      ),
      exclusive: z._default(bool(), false),
      conflictRetry: z._default(
        z.strictObject(
          {
            attempts: z._default(integer(1, 20), 6),
            baseDelayMs: z._default(integer(10, 60_000), 1_000),
            maxDelayMs: z._default(integer(10, 300_000), 20_000),
          },
          { error: 'must be { attempts, baseDelayMs, maxDelayMs }' },
        ),
        { attempts: 6, baseDelayMs: 1_000, maxDelayMs: 20_000 },
      ),
      kmsKeyArns: z._default(
        z.array(
          z.string().check(z.regex(KMS_KEY_ARN, { error: 'must be a KMS key ARN (arn:aws:kms:…:key/…)' })),
          { error: 'must be a list of KMS key ARNs' },
        ),
        [],
      ),
    })
    .check(
      z.superRefine((policy, ctx) => {
        if (policy.enabled !== true) return;
        const selected: unknown = policy.selector;
        const isObject = typeof selected === 'object' && selected !== null;
        if (isObject && Object.keys(selected).length === 0) {
          ctx.issues.push({
            code: 'custom',
            input: policy.selector,
            path: ['selector'],
            message:
              'must name the clusters to sync (ids, names, labels, … or all: true): an empty selector selects none',
          });
        }
        if (typeof policy.sources === 'object' && Object.keys(policy.sources).length === 0) {
          ctx.issues.push({
            code: 'custom',
            input: policy.sources,
            path: ['sources'],
            message: 'declare at least one Secrets Manager source (prefix and/or tags) to sync from',
          });
        }
      }),
    );
}

/** The block as the config holds it: absent means the defaults (disabled). */
export function secretsSyncBlock(selector: SelectorSchema) {
  return z.prefault(secretsSyncSchema(selector), {});
}
