import { JOB_ACTIONS, JOBS, type JobName } from '#lib/jobs/types.ts';
import {
  type NormalizedTrigger,
  normalizeTrigger,
  type SenderSecrets,
  type TriggerOptions,
} from '#lib/triggers/normalize.ts';
import { signWebhook } from '#lib/triggers/sign.ts';
import { eventFixture, NOW_MS, NOW_S, SECRET_NEW } from '#test/unit/triggers/fixtures.ts';

export const MSG_ID = 'msg_2r5YwM0aQ1kTz8Lx';

export interface Setup {
  job?: JobName;
  /** The secrets of sender 'default' (scope '*'), unless `senders` is given. */
  secrets?: string[];
  senders?: SenderSecrets[];
  scopes?: Record<string, readonly string[]>;
  maxBodyBytes?: number;
  now?: number;
}

export function setup(s: Setup = {}) {
  let secretReads = 0;
  const opts: TriggerOptions = {
    job: s.job ?? 'teardown',
    eventSource: 'camunda.automation',
    now: () => s.now ?? NOW_MS,
    webhook: {
      secrets: async () => {
        secretReads++;
        return s.senders ?? [{ sender: 'default', secrets: s.secrets ?? [SECRET_NEW] }];
      },
      scopes: s.scopes ?? { default: ['*'] },
      maxBodyBytes: s.maxBodyBytes ?? 256 * 1024,
      toleranceSeconds: 300,
    },
  };
  return { opts, secretReads: () => secretReads };
}

/** What the trigger makes of `event` for a handler set up as `s`. */
export function normalized(event: unknown, s: Setup = {}): Promise<NormalizedTrigger> {
  return normalizeTrigger(event, setup(s).opts);
}

/** The API Gateway fixture with `body` signed by `secret` at `timestamp` (and header overrides). */
export function signed(
  body: string,
  o: {
    fixture?: string;
    secret?: string;
    timestamp?: number;
    id?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const event = eventFixture(o.fixture ?? 'apigw-v2-webhook');
  const headers = signWebhook(o.secret ?? SECRET_NEW, o.id ?? MSG_ID, o.timestamp ?? NOW_S, body);
  event.body = body;
  event.headers = { ...(event.headers as Record<string, string>), ...headers, ...o.headers };
  return event;
}

export function rejectedWith(result: NormalizedTrigger) {
  if (result.kind !== 'webhook-rejected') throw new Error(`expected a rejection, got ${result.kind}`);
  return {
    status: result.response.statusCode,
    ...(JSON.parse(result.response.body) as { error: string; message: string }),
  };
}

export const KEEP_ALIVE_BODY = JSON.stringify({
  payload: {
    cluster: 'dev-payments',
    until: '2026-01-16T06:00:00Z',
    by: 'alice@example.com',
    reason: 'load test',
  },
});

export const ROUTES = JOBS.flatMap((job) => JOB_ACTIONS[job].map((action) => `${job}.${action}`));

/** An API Gateway event for `route` (`<job>.<action>`) signed by `secret`. */
export function signedFor(route: string, body: string, secret: string, headers: Record<string, string> = {}) {
  const [job, action] = route.split('.') as [string, string];
  const event = signed(body, { secret, headers });
  event.rawPath = `/webhooks/${job}/${action}`;
  return event;
}
