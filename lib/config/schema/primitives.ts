// Building blocks of the config schema whose messages say what is expected. Written with zod's functional
// build (`zod/mini`): the same checks as the chained API, at a fraction of its bundle size and import time.
import * as z from 'zod/mini';
import { unsafeTextProblem } from '#lib/text/unsafe.ts';
import { schedulerExpressionProblem } from '../expressions.ts';

type Issue = { input?: unknown };
export const requiredOr = (message: string) => (issue: Issue) =>
  issue.input === undefined ? 'is required' : message;

/** A refinement that adds `problem(value)` as the issue's message when it says something is wrong. */
export const problemCheck = <T>(problem: (value: T) => string | undefined) =>
  z.superRefine<T>((value, ctx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });

// One check, not `int` + `gte` + `lte`: zod's integer check marks its issue as aborting everything above it,
// which would skip the cross-setting checks of every enclosing section (see `crossCheck`).
export function integer(min: number, max?: number) {
  const message =
    max === undefined ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`;
  return z.number({ error: requiredOr(message) }).check(
    z.refine((n) => Number.isSafeInteger(n) && n >= min && (max === undefined || n <= max), {
      error: message,
    }),
  );
}

export function positive(message = 'must be a number > 0') {
  return z.number({ error: requiredOr(message) }).check(z.positive({ error: message }));
}

export function atLeast(min: number) {
  const message = `must be a number >= ${min}`;
  return z.number({ error: requiredOr(message) }).check(z.gte(min, { error: message }));
}

export const bool = () => z.boolean({ error: requiredOr('must be true or false') });

/** A non-empty string without leading or trailing whitespace, control, bidi or invisible characters. */
export function text(what = 'a non-empty string') {
  return z.string({ error: requiredOr(`must be ${what}`) }).check(
    z.minLength(1, { error: 'must not be empty' }),
    z.refine((s: string) => s.trim() === s, { error: 'must not start or end with whitespace' }),
    problemCheck(unsafeTextProblem),
  );
}

export const list = <T extends z.core.SomeType>(item: T) =>
  z.array(item, { error: requiredOr('must be a list') });

/** An EventBridge Scheduler expression (in `timeZone`). */
export const schedule = () =>
  z
    .string({ error: requiredOr('must be a scheduler expression string') })
    .check(problemCheck(schedulerExpressionProblem));

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

export const timeZone = () =>
  z.string({ error: requiredOr('must be an IANA time zone name') }).check(problemCheck(timeZoneProblem));

const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
export const secretArn = () =>
  z.string({ error: 'must be a Secrets Manager secret ARN' }).check(
    z.regex(SECRET_ARN, {
      error: 'must be a complete Secrets Manager secret ARN (ending in the 6-character suffix)',
    }),
  );

export const httpUrl = () =>
  z.string({ error: 'must be an http(s) URL' }).check(
    z.refine(
      (s: string) => {
        try {
          const url = new URL(s);
          return url.protocol === 'https:' || url.protocol === 'http:';
        } catch {
          return false;
        }
      },
      { error: 'must be an http(s) URL' },
    ),
  );
