// The command line of `npm run invoke` (kept free of heavy imports: `--help` and a bad argument answer
// before the handlers, the AWS SDK or the simulator are loaded).
import { readFileSync } from 'node:fs';
import { JOB_ACTIONS, JOBS, type JobName } from '#lib/jobs/types.ts';
import { DEFAULT_ACTIONS } from '#lib/triggers/normalize.ts';
import { parseCommandLine, UsageError } from './cli.ts';

export const TRIGGERS = ['schedule', 'eventbridge', 'webhook'] as const;
export type TriggerKind = (typeof TRIGGERS)[number];

/** Actions whose request carries a payload: they need `--payload` (or `--event`). */
export const PAYLOAD_ACTIONS: Readonly<Record<string, string>> = {
  'teardown keep-alive': `'{"cluster":"dev-payments","until":"<ISO instant>","by":"you","reason":"why"}'`,
  'allowlist-sync set-source': `'{"source":"office-vpn","entries":[{"cidr":"198.51.100.0/28","description":"vpn"}]}'`,
};

/** `--config local`: the built-in policy that fits the simulator's seeded org. */
export const LOCAL_CONFIG_NAME = 'local';

export interface InvokeArgs {
  job: JobName;
  action: string;
  trigger: TriggerKind;
  /** `--event FILE`: the event, sent as it is (a webhook event is re-signed). */
  eventFile?: string;
  dryRun: boolean;
  /** undefined: automation.config.ts at the repository root; 'local': the simulator's policy. */
  configFile?: string;
  envName?: string;
  liveDelete: boolean;
  json: boolean;
  verbose: boolean;
  payload?: unknown;
  clusterIds?: string[];
}

export const INVOKE_USAGE = `Usage: npm run invoke -- <job> [action] [options]

Calls a job's real Lambda handler in-process with a real event shape and prints the run summary.

  jobs and actions:  backup [run|check|drill]
                     teardown [run|notice|recreate|keep-alive]
                     allowlist-sync [sync|set-source]
                     secrets-sync [sync]

Options:
  --trigger <kind>    schedule (EventBridge Scheduler input), eventbridge (an event on the bus) or
                      webhook (a signed API Gateway request). Default: webhook for keep-alive and
                      set-source, schedule otherwise
  --event <file>      send this event JSON instead (a webhook event is re-signed with the local secret)
  --payload <json>    the request payload (keep-alive, set-source); @file reads it from a file
  --cluster <uuid>    narrow the run to this cluster (repeatable)
  --dry-run           report what would be done, change nothing
  --config <file>     the policy: a .ts/.mjs/.json config file (default: automation.config.ts at the
                      repository root); 'local' for the built-in policy that fits the simulator's org
  --env <name>        the config file's environment (its 'environments' entry)
  --live-delete       allow the teardown to delete clusters in real Camunda (otherwise forced to a
                      dry run there)
  --json              print JSON (the default when stdout is not a terminal)
  --verbose           also print what the handler logged
  -h, --help          show this help

Environment:
  CAMUNDA_CONSOLE_CLIENT_ID, CAMUNDA_CONSOLE_CLIENT_SECRET   talk to real Camunda with this API client
      (and CAMUNDA_CONSOLE_BASE_URL, CAMUNDA_OAUTH_URL, CAMUNDA_CONSOLE_OAUTH_AUDIENCE); without them a
      local Console API simulator with a seeded org is started
  AWS_ENDPOINT_URL_DYNAMODB   a local DynamoDB (the table STATE_TABLE_NAME, default
      camunda-automation-local, is created if missing); or STATE_TABLE_NAME alone with AWS credentials
      for a deployed table; with neither an embedded DynamoDB is started
  WEBHOOK_SECRETS             the signing secret for --trigger webhook (whsec_…); generated if unset. The
                              webhook is signed as the first sender of webhooks.senders that may call it

Exit code: 0 the run succeeded, 1 it failed (or the webhook was refused), 2 bad arguments or config.`;

function parsePayload(text: string): unknown {
  let raw = text;
  if (text.startsWith('@')) {
    try {
      raw = readFileSync(text.slice(1), 'utf8');
    } catch (err) {
      throw new UsageError(`--payload ${text}: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new UsageError('--payload must be JSON (or @file holding JSON)');
  }
}

/** The parsed command line, or `{ help: true }`. Throws UsageError with a message naming the problem. */
export function parseInvokeArgs(argv: string[]): InvokeArgs | { help: true } {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      trigger: { type: 'string' },
      event: { type: 'string' },
      payload: { type: 'string' },
      cluster: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      config: { type: 'string' },
      env: { type: 'string' },
      'live-delete': { type: 'boolean' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) return { help: true };
  const [job, actionArg, ...extra] = positionals;
  if (job === undefined) throw new UsageError(`missing <job>: one of ${JOBS.join(', ')}`);
  if (!(JOBS as readonly string[]).includes(job)) {
    throw new UsageError(`unknown job '${job}': one of ${JOBS.join(', ')}`);
  }
  const jobName = job as JobName;
  const actions: readonly string[] = JOB_ACTIONS[jobName];
  const action = actionArg ?? DEFAULT_ACTIONS[jobName];
  if (!actions.includes(action)) {
    throw new UsageError(`unknown action '${action}' for ${jobName}: one of ${actions.join(', ')}`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);

  const needsPayload = PAYLOAD_ACTIONS[`${jobName} ${action}`];
  if (values.event !== undefined) {
    for (const flag of ['trigger', 'payload', 'cluster'] as const) {
      if (values[flag] !== undefined) {
        throw new UsageError(`--${flag} cannot be combined with --event (the event file is sent as it is)`);
      }
    }
  } else if (needsPayload !== undefined && values.payload === undefined) {
    throw new UsageError(`${jobName} ${action} needs --payload, e.g. --payload ${needsPayload}`);
  } else if (needsPayload === undefined && values.payload !== undefined) {
    throw new UsageError(`${jobName} ${action} takes no payload`);
  }
  if (needsPayload !== undefined && values.cluster !== undefined) {
    throw new UsageError(`${jobName} ${action} takes no --cluster`);
  }

  const trigger = values.trigger ?? (needsPayload !== undefined ? 'webhook' : 'schedule');
  if (!(TRIGGERS as readonly string[]).includes(trigger)) {
    throw new UsageError(`unknown --trigger '${trigger}': one of ${TRIGGERS.join(', ')}`);
  }
  if (values.config === LOCAL_CONFIG_NAME && values.env !== undefined) {
    throw new UsageError(`--env applies to a config file, not to --config ${LOCAL_CONFIG_NAME}`);
  }
  const args: InvokeArgs = {
    job: jobName,
    action,
    trigger: trigger as TriggerKind,
    dryRun: values['dry-run'] === true,
    liveDelete: values['live-delete'] === true,
    json: values.json === true,
    verbose: values.verbose === true,
  };
  if (values.event !== undefined) args.eventFile = values.event;
  if (values.config !== undefined) args.configFile = values.config;
  if (values.env !== undefined) args.envName = values.env;
  if (values.payload !== undefined) args.payload = parsePayload(values.payload);
  if (values.cluster !== undefined) args.clusterIds = values.cluster;
  return args;
}
