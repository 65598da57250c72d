// `webhooks`: body and clock limits and the declared senders, each allowed a list of routes.
import * as z from 'zod/mini';
import { JOB_ACTIONS, JOBS } from '#lib/catalog/jobs.ts';
import { integer, list } from './primitives.ts';

/** Every route a webhook may call: `<job>.<action>`. */
export const WEBHOOK_ROUTES: readonly string[] = /* @__PURE__ */ JOBS.flatMap((job) =>
  JOB_ACTIONS[job].map((action) => `${job}.${action}`),
);

/** A sender's name: it names its secret, its construct and its logs. */
const SENDER_NAME = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

const senderRoutes = () =>
  list(
    z.string({ error: 'must be a route string' }).check(
      z.refine((r: string) => r === '*' || WEBHOOK_ROUTES.includes(r), {
        error: (issue) =>
          `'${String(issue.input)}' is not a webhook route; known: ${WEBHOOK_ROUTES.join(', ')} (or '*' for all)`,
      }),
    ),
  ).check(
    z.minLength(1, { error: "must name at least one route (<job>.<action>, or '*' for every route)" }),
    z.superRefine((routes: string[], ctx) => {
      if (routes.includes('*') && routes.length > 1)
        ctx.addIssue({ code: 'custom', message: "'*' already grants every route; list it alone" });
      const seen = new Set<string>();
      for (const [i, r] of routes.entries()) {
        if (seen.has(r)) ctx.addIssue({ code: 'custom', path: [i], message: `'${r}' is listed twice` });
        seen.add(r);
      }
    }),
  );

const sendersSchema = () =>
  z._default(
    z.record(
      z.string().check(
        z.regex(SENDER_NAME, {
          error: 'sender names are 1-40 lower-case letters, digits and dashes (not at either end)',
        }),
      ),
      z.strictObject({ routes: senderRoutes() }),
      { error: 'must be an object of senders: { <name>: { routes: [...] } }' },
    ),
    {},
  );

export const webhooksSchema = () =>
  z.prefault(
    z.strictObject({
      maxBodyBytes: z._default(integer(1024, 1_048_576), 65_536),
      toleranceSeconds: z._default(integer(30, 3600), 300),
      senders: sendersSchema(),
    }),
    {},
  );
