// The request schemas: what each job and action accepts, whatever the trigger. Shapes only — the
// semantics (a keep-alive's maximum length, CIDR syntax, declared allowlist sources) belong to the jobs.
import * as z from 'zod/mini';
import english from 'zod/v4/locales/en.js';
import { isJobAction, isJobName, JOB_ACTIONS, JOBS, type JobName } from '#lib/catalog/jobs.ts';
import type { JobRequest } from '#lib/jobs/types.ts';
import { unsafeTextProblem } from '#lib/text/unsafe.ts';
import { TriggerError } from './errors.ts';

/** Upper bounds that keep one request small and its log line readable. */
export const REQUEST_LIMITS = {
  clusterIds: 500,
  clusterIdLength: 128,
  clusterRefLength: 128,
  byLength: 128,
  reasonLength: 500,
  sourceEntries: 1000,
  cidrLength: 1000,
  descriptionLength: 200,
} as const;

// The schemas are built by the first request parsed, not at import.

/** Refuses bidi controls, control and invisible characters (they reach notices, events and the Console). */
const safe = () =>
  z.superRefine((value: string, ctx) => {
    const problem = unsafeTextProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

const text = (max: number) =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, { error: 'must not be empty' }),
      z.maxLength(max, { error: `must be at most ${max} characters` }),
      safe(),
    );

const clusterId = () =>
  z.string().check(
    z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'must be a cluster uuid' }),
    z.maxLength(REQUEST_LIMITS.clusterIdLength, {
      error: `must be at most ${REQUEST_LIMITS.clusterIdLength} characters`,
    }),
  );

const clusterIds = () =>
  z.array(clusterId()).check(
    z.minLength(1, {
      error: 'must name at least one cluster (omit it to select every cluster of the policy)',
    }),
    z.maxLength(REQUEST_LIMITS.clusterIds, {
      error: `must name at most ${REQUEST_LIMITS.clusterIds} clusters`,
    }),
  );

/** `true` asks for a dry run; `false` or absent leaves the policy's setting (a request never turns a dry run live). */
const dryRun = () => z.boolean({ error: 'must be true or false' });

const keepAlivePayloadSchema = () =>
  z.strictObject({
    cluster: text(REQUEST_LIMITS.clusterRefLength),
    until: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant, e.g. 2026-01-15T07:00:00Z' }),
    by: text(REQUEST_LIMITS.byLength),
    reason: text(REQUEST_LIMITS.reasonLength),
  });

const setSourcePayloadSchema = () =>
  z.strictObject({
    source: z.string().check(
      z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
        error: 'must be 1-63 lower-case letters, digits or dashes, starting with a letter or digit',
      }),
    ),
    entries: z
      .array(
        z.strictObject({
          cidr: text(REQUEST_LIMITS.cidrLength),
          description: z.string().check(
            z.maxLength(REQUEST_LIMITS.descriptionLength, {
              error: `must be at most ${REQUEST_LIMITS.descriptionLength} characters`,
            }),
            safe(),
          ),
        }),
      )
      .check(
        z.maxLength(REQUEST_LIMITS.sourceEntries, {
          error: `must hold at most ${REQUEST_LIMITS.sourceEntries} entries`,
        }),
      ),
    updatedBy: z.optional(text(REQUEST_LIMITS.byLength)),
  });

function runRequest<J extends JobName, A extends string>(job: J, action: A) {
  return z.strictObject({
    job: z.literal(job),
    action: z.literal(action),
    dryRun: z.optional(dryRun()),
    clusterIds: z.optional(clusterIds()),
  });
}

function payloadRequest<J extends JobName, A extends string, P extends z.ZodMiniType>(
  job: J,
  action: A,
  payload: P,
) {
  return z.strictObject({
    job: z.literal(job),
    action: z.literal(action),
    dryRun: z.optional(dryRun()),
    payload,
  });
}

/** One schema per job and action (the keys are exactly JOB_ACTIONS). */
const buildRequestSchemas = () =>
  ({
    backup: {
      run: runRequest('backup', 'run'),
      check: runRequest('backup', 'check'),
      drill: z.strictObject({
        job: z.literal('backup'),
        action: z.literal('drill'),
        dryRun: z.optional(dryRun()),
        // `{ resume: true }`: only continue a drill in flight (what a drill that outlasts an invocation sends).
        payload: z.optional(z.strictObject({ resume: z.literal(true, { error: 'must be true' }) })),
      }),
    },
    teardown: {
      notice: runRequest('teardown', 'notice'),
      run: runRequest('teardown', 'run'),
      recreate: z.extend(runRequest('teardown', 'recreate'), {
        // `{ continuation: n }`: the n-th follow-up a recreate sends itself while clusters are still unfinished.
        payload: z.optional(
          z.strictObject({
            continuation: z
              .number()
              .check(
                z.int({ error: 'must be an integer' }),
                z.gte(1, { error: 'must be at least 1' }),
                z.lte(100, { error: 'must be at most 100' }),
              ),
          }),
        ),
      }),
      'keep-alive': payloadRequest('teardown', 'keep-alive', keepAlivePayloadSchema()),
    },
    'allowlist-sync': {
      sync: runRequest('allowlist-sync', 'sync'),
      'set-source': payloadRequest('allowlist-sync', 'set-source', setSourcePayloadSchema()),
    },
    'secrets-sync': { sync: runRequest('secrets-sync', 'sync') },
  }) as const satisfies { [J in JobName]: Record<(typeof JOB_ACTIONS)[J][number], z.ZodMiniType> };

type RequestSchemas = ReturnType<typeof buildRequestSchemas>;
let built: RequestSchemas | undefined;

/** The schemas, built on first use. */
export function requestSchemas(): RequestSchemas {
  built ??= buildRequestSchemas();
  return built;
}

export type BackupRunRequest = z.output<RequestSchemas['backup']['run']>;
export type TeardownKeepAliveRequest = z.output<RequestSchemas['teardown']['keep-alive']>;
export type AllowlistSetSourceRequest = z.output<RequestSchemas['allowlist-sync']['set-source']>;

function schemaFor(job: JobName, action: string): z.ZodMiniType | undefined {
  const byAction: Record<string, z.ZodMiniType> = requestSchemas()[job];
  return Object.hasOwn(byAction, action) ? byAction[action] : undefined;
}

/** `payload.entries.0.cidr`; for unknown keys the first key is part of the path. */
function issuePath(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return path.join('.') || '(request)';
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  return issue.message;
}

// `zod/mini` loads no messages of its own: English ones for issues the schemas above do not spell out.
let englishMessages: z.core.$ZodErrorMap | undefined;

const describe = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;

/**
 * Validates a job request (unknown keys refused) and returns it normalised: strings trimmed, duplicate
 * cluster ids dropped, `dryRun: false` omitted. `expectedJob` is the calling function's own job.
 * Throws TriggerError 422 naming the first bad field (`error.path`).
 */
export function parseJobRequest(value: unknown, expectedJob?: JobName): JobRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TriggerError(422, `the request must be a JSON object, got ${describe(value)}`, {
      path: '(request)',
    });
  }
  const record = value as Record<string, unknown>;
  const { job, action } = record;
  if (!isJobName(job)) {
    throw new TriggerError(422, `job: must be one of ${JOBS.join(', ')}`, { path: 'job' });
  }
  if (expectedJob !== undefined && job !== expectedJob) {
    throw new TriggerError(422, `job: this function runs the ${expectedJob} job, not ${job}`, {
      path: 'job',
    });
  }
  const schema = isJobAction(job, action) ? schemaFor(job, String(action)) : undefined;
  if (schema === undefined) {
    throw new TriggerError(422, `action: the ${job} job accepts ${JOB_ACTIONS[job].join(', ')}`, {
      path: 'action',
    });
  }
  englishMessages ??= english().localeError;
  const parsed = schema.safeParse(value, { error: englishMessages });
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const first = issues[0];
    const path = first ? issuePath(first) : '(request)';
    const details = issues
      .slice(0, 5)
      .map((i) => `${issuePath(i)}: ${issueText(i)}`)
      .join('; ');
    throw new TriggerError(422, `invalid ${job} ${String(action)} request: ${details}`, {
      path,
      cause: parsed.error,
    });
  }
  const request = { ...(parsed.data as JobRequest) };
  if (request.dryRun !== true) delete request.dryRun;
  if (request.clusterIds) request.clusterIds = [...new Set(request.clusterIds)];
  return request;
}
