// Validates an unknown value into `AutomationConfig`: every bad setting is named by its dotted path, optional
// parts get defaults, unknown keys are refused (a typo must not silently fall back to a default — or, in a
// selector, select everything or nothing).
import { z } from 'zod';
import {
  type AllowlistEntry,
  type AllowlistRules,
  AllowlistValidationError,
  DEFAULT_MAX_BREADTH,
  normalizeEntries,
} from '#lib/allowlist/entries.ts';
import { JOB_ACTIONS, JOBS } from '#lib/catalog/jobs.ts';
import { unsafeTextProblem } from '#lib/text/unsafe.ts';
import { ConfigError, type ConfigIssue } from './errors.ts';
import { schedulerExpressionProblem, unixCronProblem } from './expressions.ts';
import { dstFindingMatters, dstFindings, formatLocal } from './schedule-times.ts';
import { secretsSyncBlock } from './secrets-sync-schema.ts';
import { globMatchesEveryName, mayMatchReference, selectsEveryCluster } from './selector.ts';
import type { AutomationConfig, ClusterSelector } from './types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Building blocks with messages that say what is expected

type Issue = { input?: unknown };
const requiredOr = (message: string) => (issue: Issue) =>
  issue.input === undefined ? 'is required' : message;

// One check, not `.int().min().max()`: zod's `.int()` marks its issue as aborting everything above it, which would
// skip the cross-setting checks of every enclosing section (see `crossCheck` below).
function integer(min: number, max?: number) {
  const message =
    max === undefined ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`;
  return z
    .number({ error: requiredOr(message) })
    .refine((n) => Number.isSafeInteger(n) && n >= min && (max === undefined || n <= max), {
      error: message,
    });
}

function positive(message = 'must be a number > 0') {
  return z.number({ error: requiredOr(message) }).positive({ error: message });
}

function atLeast(min: number) {
  const message = `must be a number >= ${min}`;
  return z.number({ error: requiredOr(message) }).min(min, { error: message });
}

const bool = () => z.boolean({ error: requiredOr('must be true or false') });

/** A non-empty string without leading or trailing whitespace, control, bidi or invisible characters. */
function text(what = 'a non-empty string') {
  return z
    .string({ error: requiredOr(`must be ${what}`) })
    .min(1, { error: 'must not be empty' })
    .refine((s) => s.trim() === s, { error: 'must not start or end with whitespace' })
    .superRefine((s, ctx) => {
      const problem = unsafeTextProblem(s);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });
}

const list = <T extends z.ZodType>(item: T) => z.array(item, { error: requiredOr('must be a list') });

/** An EventBridge Scheduler expression (in `timeZone`). */
const schedule = () =>
  z.string({ error: requiredOr('must be a scheduler expression string') }).superRefine((value, ctx) => {
    const problem = schedulerExpressionProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A valid IANA time zone name, spelt as Intl spells it (EventBridge Scheduler wants the exact name). */
export function timeZoneProblem(zone: string): string | undefined {
  if (/^[+-]\d/.test(zone) || /^(UTC|GMT)[+-]/i.test(zone)) {
    return 'must be an IANA time zone name such as Europe/Berlin or UTC, not an offset';
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return `'${zone}' is not an IANA time zone name (e.g. Europe/Berlin, America/New_York, UTC)`;
  }
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) return `spell it ${resolved}`;
  return undefined;
}

const timeZone = () =>
  z.string({ error: requiredOr('must be an IANA time zone name') }).superRefine((value, ctx) => {
    const problem = timeZoneProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const secretArn = () =>
  z.string({ error: 'must be a Secrets Manager secret ARN' }).regex(SECRET_ARN, {
    error: 'must be a complete Secrets Manager secret ARN (ending in the 6-character suffix)',
  });

const httpUrl = () =>
  z.string({ error: 'must be an http(s) URL' }).refine(
    (s) => {
      try {
        const url = new URL(s);
        return url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        return false;
      }
    },
    { error: 'must be an http(s) URL' },
  );

// ---------------------------------------------------------------------------------------------------------------
// Cross-setting checks
//
// zod skips an object's refinements once one of its settings is invalid, so a ConfigError would name the broken
// setting but not, say, the empty selector next to it — that would show up only after the first fix. Every
// check across settings therefore runs with `crossCheck` (as long as the section is an object at all) and
// reads only what it can trust: a setting zod could not give its type (`hasType`) is skipped, a selector is
// looked at defensively (`namesClusters`). The checks never fire on a setting that is itself refused in a
// way that leaves its meaning unknown, so they add no misleading issues.

type Payload = z.core.ParsePayload;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Options of a section's cross-setting refinement: it runs despite other issues when the section is an object. */
const crossCheck = { when: (payload: Payload) => isRecord(payload.value) } as const;

const overlaps = (a: readonly PropertyKey[], b: readonly PropertyKey[]) =>
  a.every((key, i) => i >= b.length || key === b[i]);

/**
 * True when the setting at `path` (relative to the object being refined) has its type: no issue that stops zod
 * (wrong type, unknown enum value, …) sits at it, inside it or on the way to it. A setting with only a
 * non-aborting issue (out of range, bad expression) has its type and counts, as in zod's own refinements.
 */
function hasType(ctx: Payload, ...path: PropertyKey[]): boolean {
  return !ctx.issues.some((i) => i.continue !== true && overlaps(i.path ?? [], path));
}

/** True when the setting at `path` has no issue at all (a limit that is itself refused is not applied). */
function isValid(ctx: Payload, ...path: PropertyKey[]): boolean {
  return !ctx.issues.some((i) => i.code !== 'unrecognized_keys' && overlaps(i.path ?? [], path));
}

// ---------------------------------------------------------------------------------------------------------------
// Selectors

const CRITERIA = ['ids', 'names', 'labels', 'planTypes', 'regions', 'generations'] as const;

const criteriaShape = {
  ids: list(text()).optional(),
  names: list(text('a name glob')).optional(),
  labels: list(text()).optional(),
  planTypes: list(text()).optional(),
  regions: list(text()).optional(),
  generations: list(text('a generation glob')).optional(),
};

const unknownSelectorKey = (known: readonly string[]) => (issue: { code?: string }) =>
  issue.code === 'unrecognized_keys' ? `unknown selector key (known: ${known.join(', ')})` : undefined;

const excludeSchema = z.strictObject(criteriaShape, { error: unknownSelectorKey(CRITERIA) });

/** A criterion counts when it is a non-empty list, or given with a bad value (which is refused on its own). */
const hasCriteria = (s: Record<string, unknown>) =>
  CRITERIA.some((k) => {
    const value = s[k];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  });

/**
 * `isExplicit` for a selector that may hold refused settings: a selector that is not an object, or a criterion
 * or `all` with a bad value, counts as naming clusters, so its refusal is not joined by a misleading "selects
 * none". On a valid selector it equals `isExplicit`.
 */
function namesClusters(selector: unknown): boolean {
  if (!isRecord(selector)) return true;
  const all = selector.all;
  return all === true || (all !== undefined && typeof all !== 'boolean') || hasCriteria(selector);
}

const selectorSchema = z
  .strictObject(
    { ...criteriaShape, all: bool().optional(), exclude: excludeSchema.optional() },
    { error: unknownSelectorKey([...CRITERIA, 'all', 'exclude']) },
  )
  .superRefine((s, ctx) => {
    if (hasType(ctx, 'all') && s.all === true && hasCriteria(s)) {
      ctx.addIssue({
        code: 'custom',
        path: ['all'],
        message:
          'all: true selects every cluster, so the other criteria would be ignored: drop one or the other',
      });
    }
  }, crossCheck);

// ---------------------------------------------------------------------------------------------------------------
// Policies

const SOURCE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

const targetSchema = z
  .strictObject({
    selector: selectorSchema,
    maxAgeHours: atLeast(0.25),
  })
  .superRefine((t, ctx) => {
    if (!namesClusters(t.selector)) {
      ctx.addIssue({
        code: 'custom',
        path: ['selector'],
        message: 'must name the clusters this target applies to: an empty selector selects none',
      });
    }
  }, crossCheck);

const drillSchema = z.strictObject({
  enabled: bool().default(false),
  schedule: schedule().default('cron(0 4 ? * SUN *)'),
  cluster: text('a cluster name or uuid').optional(),
  useExisting: bool().default(false),
  maxMinutes: integer(5, 1440).default(120),
  pollSeconds: integer(1, 300).default(15),
});

/**
 * The drill restores a backup over the drill cluster's data: it needs a cluster, a production scope to keep it
 * away from, and a cluster outside that scope (as far as its name or uuid tells; the run re-checks the live
 * cluster's labels, plan and region).
 */
function checkDrill(
  b: { drill?: { enabled?: boolean; cluster?: string }; productionSelector?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (!hasType(ctx, 'drill') || !isRecord(b.drill)) return;
  const { enabled, cluster } = b.drill;
  if (enabled === true && cluster === undefined && hasType(ctx, 'drill', 'cluster')) {
    ctx.addIssue({
      code: 'custom',
      path: ['drill', 'cluster'],
      message: 'is required when drill.enabled is true',
    });
  }
  if (enabled === true && b.productionSelector === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['productionSelector'],
      message:
        'is required when drill.enabled is true: name your production clusters so the drill can never restore onto one',
    });
  }
  if (
    typeof cluster === 'string' &&
    isRecord(b.productionSelector) &&
    hasType(ctx, 'productionSelector') &&
    mayMatchReference(b.productionSelector as ClusterSelector, cluster)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['drill', 'cluster'],
      message: `'${cluster}' is matched by backup.productionSelector: a drill restores over a cluster's data and never runs on a production cluster`,
    });
  }
}

const backupSchema = z
  .strictObject({
    enabled: bool().default(false),
    schedule: schedule().default('cron(0 2 * * ? *)'),
    dryRun: bool().default(false),
    mode: z.enum(['manual', 'native'], { error: "must be 'manual' or 'native'" }).default('manual'),
    minIntervalHours: z
      .number({ error: 'must be a number >= 1' })
      .min(1, {
        error: 'must be a number >= 1 (or use minIntervalMinutes, down to 15, where Camunda allows it)',
      })
      .optional(),
    minIntervalMinutes: z
      .number({ error: 'must be a number >= 15' })
      .min(15, { error: 'must be a number >= 15 (Camunda allows a manual backup every 15 minutes at most)' })
      .optional(),
    nativeCron: z
      .string({ error: 'must be a 5-field cron string' })
      .superRefine((value, ctx) => {
        const problem = unixCronProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    selector: selectorSchema.prefault({}),
    targets: list(targetSchema).default([]),
    checkSchedule: schedule().default('rate(1 hour)'),
    productionSelector: selectorSchema.optional(),
    drill: drillSchema.prefault({}),
  })
  .superRefine((b, ctx) => {
    if (b.minIntervalHours !== undefined && b.minIntervalMinutes !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['minIntervalHours'],
        message:
          'give minIntervalMinutes or minIntervalHours, not both (minIntervalHours is the older spelling)',
      });
    }
    checkDrill(b, ctx);
    if (hasType(ctx, 'mode') && b.mode === 'native' && b.nativeCron === undefined) {
      ctx.addIssue({ code: 'custom', path: ['nativeCron'], message: "is required when mode is 'native'" });
    }
    if (hasType(ctx, 'enabled') && b.enabled && !namesClusters(b.selector)) {
      ctx.addIssue({
        code: 'custom',
        path: ['selector'],
        message:
          'must name the clusters to back up (ids, names, labels, … or all: true): an empty selector selects none',
      });
    }
  }, crossCheck);

const protectSchema = z.strictObject({
  ids: list(text()).default([]),
  names: list(text('a name glob')).default([]),
  labels: list(text()).default([]),
});

const teardownSchema = z
  .strictObject({
    enabled: bool().default(false),
    dryRun: bool().default(true),
    selector: selectorSchema.prefault({}),
    protect: protectSchema.prefault({}),
    minAgeHours: atLeast(0).default(4),
    maxDeletionsPerRun: integer(1).default(5),
    // Issue #10 hardening: a deletion budget per teardown window shared by every run and trigger, what an
    // ad-hoc (not scheduled) run may delete, and how late a scheduled delivery may still run.
    maxDeletionsPerWindow: integer(1).optional(),
    windowStartHour: integer(0, 23).default(12),
    adHoc: z
      .enum(['noticed-only', 'any-selected'], { error: "must be 'noticed-only' or 'any-selected'" })
      .default('noticed-only'),
    maxLatenessMinutes: integer(1, 1440).default(60),
    noticeSchedule: schedule().default('cron(0 18 ? * MON-FRI *)'),
    schedule: schedule().default('cron(0 20 ? * MON-FRI *)'),
    recreate: z
      .strictObject({
        enabled: bool().default(false),
        schedule: schedule().default('cron(0 7 ? * MON-FRI *)'),
        followUpSchedule: schedule().default('cron(30 7 ? * MON-FRI *)'),
        stageLabels: list(
          z.strictObject({
            names: list(text('a name glob')).min(1, { error: 'must name at least one cluster name glob' }),
            stageLabel: z.enum(['dev', 'test', 'stage', 'prod'], {
              error: "must be 'dev', 'test', 'stage' or 'prod'",
            }),
          }),
        ).default([]),
        secretPrefix: text('a Secrets Manager name prefix')
          .refine((p) => /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/.test(p), {
            error:
              "must be path segments of letters, digits and _+=.@- separated by '/' (no leading or trailing '/')",
          })
          .default('camunda-automation/clusters'),
        maxOpenWindowMinutes: positive().default(10),
        externalEncryptionAs: z
          .enum(['Software', 'Hardware', 'Provider'], {
            error: "must be 'Software', 'Hardware' or 'Provider'",
          })
          .optional(),
        waitForHealthySeconds: integer(0, 840).default(300),
        maxContinuations: integer(0, 20).default(6),
      })
      .prefault({}),
    keepAlive: z.strictObject({ maxHours: positive().default(12) }).prefault({}),
  })
  .superRefine((t, ctx) => {
    // An `all` with a bad value is refused at the same path already (and is not "no criteria").
    if (hasType(ctx, 'selector', 'all') && t.selector.all !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['selector', 'all'],
        message: 'teardown never accepts all: name the clusters to delete (names, labels, ids, …)',
      });
    } else if (isValid(ctx, 'selector') && selectsEveryCluster(t.selector)) {
      // `all` in disguise: every criterion is a glob matching every name (`names: ['*']`).
      for (const key of ['names', 'generations'] as const) {
        const globs = t.selector[key] ?? [];
        globs.forEach((glob, i) => {
          if (!globMatchesEveryName(glob)) return;
          ctx.addIssue({
            code: 'custom',
            path: ['selector', key, i],
            message: `'${glob}' matches every ${key === 'names' ? 'cluster name' : 'generation'}, so this selector selects every cluster: teardown never accepts all, in any form (name the clusters to delete)`,
          });
        });
      }
    } else if (hasType(ctx, 'enabled') && t.enabled && !namesClusters(t.selector)) {
      ctx.addIssue({
        code: 'custom',
        path: ['selector'],
        message:
          'must name the clusters to tear down (names, labels, ids, …): an empty selector selects none',
      });
    }
    if (
      isValid(ctx, 'maxDeletionsPerRun') &&
      isValid(ctx, 'maxDeletionsPerWindow') &&
      t.maxDeletionsPerWindow !== undefined &&
      t.maxDeletionsPerWindow < t.maxDeletionsPerRun
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxDeletionsPerWindow'],
        message: `must be >= maxDeletionsPerRun (${t.maxDeletionsPerRun}): one run may not plan more than the window allows`,
      });
    }
  }, crossCheck)
  // The window budget defaults to the per-run guard: one full nightly run, and nothing on top of it.
  .transform((t) => ({ ...t, maxDeletionsPerWindow: t.maxDeletionsPerWindow ?? t.maxDeletionsPerRun }));

const sourceSchema = z.strictObject({
  selector: selectorSchema
    .superRefine((s, ctx) => {
      if (!namesClusters(s)) {
        ctx.addIssue({
          code: 'custom',
          message: 'must name at least one criterion (or leave the selector out)',
        });
      }
    }, crossCheck)
    .optional(),
  maxEntries: integer(1).optional(),
});

const allowlistSchema = z
  .strictObject({
    enabled: bool().default(false),
    dryRun: bool().default(false),
    schedule: schedule().default('rate(1 hour)'),
    selector: selectorSchema.prefault({}),
    // Entries are checked as a whole list below (under the rules next to them), with each bad entry named.
    static: z.array(z.unknown(), { error: 'must be a list of { cidr, description }' }).default([]),
    sources: z
      .record(
        z.string().regex(SOURCE_NAME, {
          error: 'source names: lower-case letters, digits and -, up to 63 characters',
        }),
        sourceSchema,
        { error: 'must be an object of named sources' },
      )
      .default({}),
    allowCatchAll: bool().default(false),
    allowEmpty: bool().default(false),
    maxEntries: integer(1, 1000).default(50),
    maxDescriptionLength: integer(1, 1000).default(100),
    maxBreadth: z
      .strictObject(
        {
          ipv4PrefixLength: integer(0, 32).default(DEFAULT_MAX_BREADTH.ipv4PrefixLength),
          ipv6PrefixLength: integer(0, 128).default(DEFAULT_MAX_BREADTH.ipv6PrefixLength),
        },
        { error: 'must be { ipv4PrefixLength, ipv6PrefixLength }' },
      )
      .prefault({}),
  })
  .superRefine((a, ctx) => {
    if (hasType(ctx, 'static')) {
      // A rule that is itself refused is not applied (its own issue names it): only certain problems are named.
      staticEntries(ctx, a.static, {
        allowCatchAll: hasType(ctx, 'allowCatchAll') ? a.allowCatchAll : true,
        maxEntries: isValid(ctx, 'maxEntries') ? a.maxEntries : Number.POSITIVE_INFINITY,
        maxDescriptionLength: isValid(ctx, 'maxDescriptionLength')
          ? a.maxDescriptionLength
          : Number.POSITIVE_INFINITY,
        // A limit that is itself refused is not applied (no limit); every address is still the catch-all.
        maxBreadth: isValid(ctx, 'maxBreadth') ? a.maxBreadth : { ipv4PrefixLength: 0, ipv6PrefixLength: 0 },
      });
    }
    const enabled = hasType(ctx, 'enabled') && a.enabled;
    if (enabled && !namesClusters(a.selector)) {
      ctx.addIssue({
        code: 'custom',
        path: ['selector'],
        message:
          'must name the clusters to sync (ids, names, labels, … or all: true): an empty selector selects none',
      });
    }
    if (
      enabled &&
      hasType(ctx, 'allowEmpty') &&
      hasType(ctx, 'static') &&
      hasType(ctx, 'sources') &&
      !a.allowEmpty &&
      a.static.length === 0 &&
      Object.keys(a.sources).length === 0
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['static'],
        message:
          'no static entries and no sources: the sync would write an empty allowlist, which opens the clusters to everyone',
      });
    }
    if (isRecord(a.sources) && isValid(ctx, 'maxEntries')) {
      for (const [name, source] of Object.entries(a.sources)) {
        if (!hasType(ctx, 'sources', name, 'maxEntries')) continue;
        if (source.maxEntries !== undefined && source.maxEntries > a.maxEntries) {
          ctx.addIssue({
            code: 'custom',
            path: ['sources', name, 'maxEntries'],
            message: `must not exceed allowlist.maxEntries (${a.maxEntries})`,
          });
        }
      }
    }
  }, crossCheck)
  // Runs only on a valid section, whose entries the refinement above has already accepted under the same rules.
  .transform((a, ctx) => ({ ...a, static: staticEntries(ctx, a.static, a) }));

/**
 * The static entries checked as a whole list under `rules` (`normalizeEntries`), each problem an issue at the
 * entry and field at fault; the canonical entries, or `[]` after a problem.
 */
function staticEntries(
  ctx: z.core.$RefinementCtx,
  entries: unknown,
  rules: Omit<AllowlistRules, 'allowEmpty'>,
): AllowlistEntry[] {
  try {
    // An empty list is judged by the section's empty-allowlist check, which knows about sources and allowEmpty.
    return normalizeEntries(entries, { ...rules, allowEmpty: true });
  } catch (error) {
    if (!(error instanceof AllowlistValidationError)) throw error;
    for (const p of error.problems) {
      const path =
        p.index < 0 ? ['static'] : p.field === 'entry' ? ['static', p.index] : ['static', p.index, p.field];
      ctx.addIssue({ code: 'custom', path, message: p.value ? `'${p.value}': ${p.message}` : p.message });
    }
    return [];
  }
}

const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
  9999,
] as const;

// ---------------------------------------------------------------------------------------------------------------
// Webhook senders

/** Every route a webhook may call: `<job>.<action>`. */
export const WEBHOOK_ROUTES: readonly string[] = JOBS.flatMap((job) =>
  JOB_ACTIONS[job].map((action) => `${job}.${action}`),
);

/** A sender's name: it names its secret, its construct and its logs. */
const SENDER_NAME = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

const senderRoutes = () =>
  list(
    z.string({ error: 'must be a route string' }).refine((r) => r === '*' || WEBHOOK_ROUTES.includes(r), {
      error: (issue) =>
        `'${String(issue.input)}' is not a webhook route; known: ${WEBHOOK_ROUTES.join(', ')} (or '*' for all)`,
    }),
  )
    .min(1, { error: "must name at least one route (<job>.<action>, or '*' for every route)" })
    .superRefine((routes, ctx) => {
      if (routes.includes('*') && routes.length > 1)
        ctx.addIssue({ code: 'custom', message: "'*' already grants every route; list it alone" });
      const seen = new Set<string>();
      for (const [i, r] of routes.entries()) {
        if (seen.has(r)) ctx.addIssue({ code: 'custom', path: [i], message: `'${r}' is listed twice` });
        seen.add(r);
      }
    });

const sendersSchema = z
  .record(
    z.string().regex(SENDER_NAME, {
      error: 'sender names are 1-40 lower-case letters, digits and dashes (not at either end)',
    }),
    z.strictObject({ routes: senderRoutes() }),
    { error: 'must be an object of senders: { <name>: { routes: [...] } }' },
  )
  .default({});

const deploymentSchema = z.strictObject({
  consoleCredentialsSecretArn: secretArn().optional(),
  webhookSecretArn: secretArn().optional(),
  webhookSecretArns: z
    .record(z.string(), secretArn(), { error: 'must be an object { <sender>: <secret ARN> }' })
    .optional(),
  webhookAuth: z.enum(['signature', 'iam'], { error: "must be 'signature' or 'iam'" }).default('signature'),
  webhookThrottle: z
    .strictObject({ rateLimit: positive().default(10), burstLimit: integer(1, 5000).default(20) })
    .prefault({}),
  logRetentionDays: z
    .number({ error: 'must be a number of days' })
    .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
      error: `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')} (9999 = never expire)`,
    })
    .default(30),
  functionTimeoutSeconds: integer(10, 900).default(300),
  memoryMb: integer(128, 10240).default(512),
  reservedConcurrency: integer(0, 1000).default(0),
  consoleBaseUrl: httpUrl().optional(),
  oauthUrl: httpUrl().optional(),
  oauthAudience: text().optional(),
});

export const automationConfigSchema = z
  .strictObject({
    timeZone: timeZone().default('UTC'),
    concurrency: integer(1, 50).default(4),
    timeMarginSeconds: integer(1, 600).default(30),
    events: z
      .strictObject({
        source: text()
          .max(256, { error: 'must be at most 256 characters' })
          .refine((s) => !/\s/.test(s), { error: 'must not contain whitespace' })
          .refine((s) => !s.startsWith('aws.'), {
            error: "must not start with 'aws.' (reserved for AWS services)",
          })
          .default('camunda.automation'),
      })
      .prefault({}),
    webhooks: z
      .strictObject({
        maxBodyBytes: integer(1024, 1_048_576).default(65_536),
        toleranceSeconds: integer(30, 3600).default(300),
        senders: sendersSchema,
      })
      .prefault({}),
    alerts: z
      .strictObject({ emails: list(z.email({ error: 'must be an email address' })).default([]) })
      .prefault({}),
    token: z
      .strictObject({
        storeUnavailable: z
          .enum(['fail', 'local-auth'], { error: "must be 'fail' or 'local-auth'" })
          .default('fail'),
        storeRetrySeconds: integer(0, 60).default(5),
      })
      .prefault({}),
    backup: backupSchema.prefault({}),
    teardown: teardownSchema.prefault({}),
    allowlist: allowlistSchema.prefault({}),
    secretsSync: secretsSyncBlock(selectorSchema),
    deployment: deploymentSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
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
  }, crossCheck)
  .superRefine((c, ctx) => {
    if (!isValid(ctx, 'timeZone')) return;
    for (const { path, expression } of activeSchedules(c)) {
      if (!isValid(ctx, ...path)) continue;
      const problem = daylightSavingProblem(expression, c.timeZone);
      if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
    }
  }, crossCheck);

/** The schedules the stack creates (enabled jobs only), with their setting paths. */
function activeSchedules(c: {
  backup: { enabled: boolean; schedule: string };
  teardown: {
    enabled: boolean;
    noticeSchedule: string;
    schedule: string;
    recreate: { enabled: boolean; schedule: string; followUpSchedule: string };
  };
  allowlist: { enabled: boolean; schedule: string };
}): Array<{
  path: string[];
  expression: string;
}> {
  const out: Array<{ path: string[]; expression: string }> = [];
  if (c.backup.enabled) out.push({ path: ['backup', 'schedule'], expression: c.backup.schedule });
  if (c.teardown.enabled) {
    out.push({ path: ['teardown', 'noticeSchedule'], expression: c.teardown.noticeSchedule });
    out.push({ path: ['teardown', 'schedule'], expression: c.teardown.schedule });
    if (c.teardown.recreate.enabled) {
      const r = c.teardown.recreate;
      out.push({ path: ['teardown', 'recreate', 'schedule'], expression: r.schedule });
      out.push({ path: ['teardown', 'recreate', 'followUpSchedule'], expression: r.followUpSchedule });
    }
  }
  if (c.allowlist.enabled) out.push({ path: ['allowlist', 'schedule'], expression: c.allowlist.schedule });
  return out;
}

/**
 * A schedule that fires at a local time which, once a year, does not exist (daylight-saving gap: EventBridge
 * Scheduler skips that run) or exists twice (overlap: which of the two runs, or whether both do, is not something
 * to leave to chance for a teardown or recreate) is refused, with the fix. Schedules that fire in every hour of
 * the day are exempt: they lose or repeat one run among 24. Checked over the coming year.
 */
export function daylightSavingProblem(
  expression: string,
  timeZone: string,
  from: Date = new Date(),
): string | undefined {
  if (!dstFindingMatters(expression)) return undefined;
  const [finding] = dstFindings(expression, timeZone, from);
  if (!finding) return undefined;
  const date = formatLocal(finding.at).slice(0, 10);
  const what =
    finding.kind === 'gap'
      ? `falls in the daylight-saving gap on ${date} (${finding.window} does not exist there): EventBridge Scheduler skips that run, once a year`
      : `falls in the daylight-saving overlap on ${date} (${finding.window} happens twice there): once a year it is ambiguous which of the two times runs, or whether both do`;
  return `${expression} in ${timeZone} ${what}; move it outside ${finding.window} or set timeZone to 'UTC'`;
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

/** Messages for issues no schema spelt out (per parse, so schema-level messages win). */
const fallbackMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    return `must be ${issue.expected === 'object' || issue.expected === 'array' ? 'an' : 'a'} ${issue.expected}`;
  }
  return undefined;
};

/** Flattens zod's issues into one `{ path, message }` per bad setting (one per unknown key). */
export function toConfigIssues(error: z.ZodError): ConfigIssue[] {
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
export function parseConfig(input: unknown, options: { context?: string } = {}): AutomationConfig {
  const result = automationConfigSchema.safeParse(input, { error: fallbackMessages });
  if (!result.success) {
    throw new ConfigError(toConfigIssues(result.error), { cause: result.error, context: options.context });
  }
  const config: AutomationConfig = result.data;
  return config;
}
