// Validates an unknown value into `AutomationConfig`: every bad setting is named by its dotted path, optional
// parts get defaults, unknown keys are refused (a typo must not silently fall back to a default — or, in a
// selector, select everything or nothing). One module per config block under ./schema/; this one assembles
// them, checks across blocks and turns zod's issues into a ConfigError.
import * as z from 'zod/mini';
import english from 'zod/v4/locales/en.js';
import { ConfigError, type ConfigIssue } from './errors.ts';
import { allowlistSchema } from './schema/allowlist.ts';
import { backupSchema } from './schema/backup.ts';
import { crossRefine, hasType, isValid } from './schema/cross-check.ts';
import { activeSchedules, daylightSavingProblem } from './schema/daylight-saving.ts';
import { deploymentSchema } from './schema/deployment.ts';
import { integer, list, text, timeZone } from './schema/primitives.ts';
import { secretsSyncBlock } from './schema/secrets-sync.ts';
import { selectorSchema } from './schema/selector.ts';
import { teardownSchema } from './schema/teardown.ts';
import { webhooksSchema } from './schema/webhooks.ts';
import type { AutomationConfig } from './types.ts';

export { daylightSavingProblem } from './schema/daylight-saving.ts';
export { timeZoneProblem } from './schema/primitives.ts';
export { WEBHOOK_ROUTES } from './schema/webhooks.ts';

const eventsSchema = () =>
  z.strictObject({
    source: z._default(
      text().check(
        z.maxLength(256, { error: 'must be at most 256 characters' }),
        z.refine((s: string) => !/\s/.test(s), { error: 'must not contain whitespace' }),
        z.refine((s: string) => !s.startsWith('aws.'), {
          error: "must not start with 'aws.' (reserved for AWS services)",
        }),
      ),
      'camunda.automation',
    ),
  });

const tokenSchema = () =>
  z.strictObject({
    storeUnavailable: z._default(
      z.enum(['fail', 'local-auth'], { error: "must be 'fail' or 'local-auth'" }),
      'fail',
    ),
    storeRetrySeconds: z._default(integer(0, 60), 5),
  });

// The schemas are built on first use, not at import: a deployed function trusts the config the stack checked
// and inlined (lib/config/inlined.ts), so it never builds them, and esbuild leaves them out of its bundle.

// Everything a function needs to trust its config.
const settingsSchema = () =>
  z
    .strictObject({
      timeZone: z._default(timeZone(), 'UTC'),
      concurrency: z._default(integer(1, 50), 4),
      timeMarginSeconds: z._default(integer(1, 600), 30),
      events: z.prefault(eventsSchema(), {}),
      webhooks: webhooksSchema(),
      alerts: z.prefault(
        z.strictObject({ emails: z._default(list(z.email({ error: 'must be an email address' })), []) }),
        {},
      ),
      token: z.prefault(tokenSchema(), {}),
      backup: z.prefault(backupSchema(), {}),
      teardown: z.prefault(teardownSchema(), {}),
      allowlist: z.prefault(allowlistSchema(), {}),
      secretsSync: secretsSyncBlock(selectorSchema()),
      deployment: z.prefault(deploymentSchema(), {}),
    })
    .check(
      crossRefine((c, ctx) => {
        if (hasType(ctx, 'webhooks', 'senders') && hasType(ctx, 'deployment')) {
          const senders = c.webhooks?.senders ?? {};
          for (const name of Object.keys(c.deployment?.webhookSecretArns ?? {})) {
            if (!(name in senders)) {
              ctx.addIssue({
                code: 'custom',
                path: ['deployment', 'webhookSecretArns', name],
                message: `no webhook sender '${name}' in webhooks.senders`,
              });
            }
          }
          if (c.deployment?.webhookSecretArn !== undefined) {
            const problem = !('default' in senders)
              ? "imports the secret of webhook sender 'default', which webhooks.senders does not declare"
              : c.deployment.webhookSecretArns?.default !== undefined
                ? "and webhookSecretArns.default both import sender 'default''s secret; keep one"
                : undefined;
            if (problem)
              ctx.addIssue({ code: 'custom', path: ['deployment', 'webhookSecretArn'], message: problem });
          }
        }
        if (
          hasType(ctx, 'timeMarginSeconds') &&
          hasType(ctx, 'deployment', 'functionTimeoutSeconds') &&
          c.timeMarginSeconds >= c.deployment.functionTimeoutSeconds
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['timeMarginSeconds'],
            message: `must be less than deployment.functionTimeoutSeconds (${c.deployment.functionTimeoutSeconds})`,
          });
        }
      }),
    );

/**
 * The whole config as the stack and the local tools check it: the settings plus the rule on the schedules the
 * stack creates (none in a daylight-saving gap or overlap). A config given to a function in `AUTOMATION_CONFIG`
 * by hand skips this rule (`schedules: 'created'`): it is the dearest part of the check (hundreds of time-zone
 * conversions), and it looks a year ahead from now, so re-running it at 3 a.m. could fail a job over a schedule
 * it does not even use.
 */
const automationConfigSchema = (settings: ReturnType<typeof settingsSchema>) =>
  settings.check(
    crossRefine((c, ctx) => {
      if (!isValid(ctx, 'timeZone')) return;
      for (const { path, expression } of activeSchedules(c)) {
        if (!isValid(ctx, ...path)) continue;
        const problem = daylightSavingProblem(expression, c.timeZone);
        if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
      }
    }),
  );

let built:
  | { settings: ReturnType<typeof settingsSchema>; whole: ReturnType<typeof automationConfigSchema> }
  | undefined;

function schemas() {
  if (!built) {
    const settings = settingsSchema();
    built = { settings, whole: automationConfigSchema(settings) };
  }
  return built;
}

// ---------------------------------------------------------------------------------------------------------------
// Issues → ConfigError

/** `['allowlist', 'static', 2, 'cidr']` → `allowlist.static[2].cidr`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

// `zod/mini` loads no messages of its own: English ones for any issue neither a schema nor this map spells out.
let englishMessages: z.core.$ZodErrorMap | undefined;

/** Messages for issues no schema spelt out (per parse, so schema-level messages win). */
const fallbackMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    return `must be ${issue.expected === 'object' || issue.expected === 'array' ? 'an' : 'a'} ${issue.expected}`;
  }
  englishMessages ??= english().localeError;
  return englishMessages(issue);
};

/** Flattens zod's issues into one `{ path, message }` per bad setting (one per unknown key). */
export function toConfigIssues(error: z.core.$ZodError): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const message = issue.message.startsWith('unknown selector key')
        ? issue.message
        : 'unknown setting (a typo?)';
      for (const key of issue.keys) out.push({ path: formatPath([...issue.path, key]), message });
    } else {
      const message =
        issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
      out.push({ path: formatPath(issue.path), message });
    }
  }
  return out;
}

/** Validates `input` into an `AutomationConfig` with defaults applied; a `ConfigError` names every bad setting. */
export interface ParseOptions {
  /** Where the config came from, for the error message. */
  readonly context?: string;
  /**
   * `'check'` (default): refuse schedules in a daylight-saving gap or overlap. `'created'`: the stack checked them
   * when it created the schedules (a deployed function reading its inlined config).
   */
  readonly schedules?: 'check' | 'created';
}

export function parseConfig(input: unknown, options: ParseOptions = {}): AutomationConfig {
  const { settings, whole } = schemas();
  const schema = options.schedules === 'created' ? settings : whole;
  const result = schema.safeParse(input, { error: fallbackMessages });
  if (!result.success) {
    throw new ConfigError(toConfigIssues(result.error), { cause: result.error, context: options.context });
  }
  const config: AutomationConfig = result.data;
  return config;
}
