// The automation's policy: which clusters get backed up, which dev clusters are torn down at night, and what
// every cluster's IP allowlist holds. Edit this file, then `npx cdk deploy -c env=<name>`.
//
// - It is validated at `cdk synth` (and at every local start): a bad value stops the deploy with a message naming
//   the setting, e.g. `config (environment 'prod'): teardown.maxDeletionsPerRun: must be an integer >= 1`.
// - Unknown keys are refused, so a typo never silently falls back to a default.
// - Settings left out take the default given in their comment.
// - `environments` holds per-environment overrides, deep-merged over the base: objects key by key, arrays and
//   values replaced whole. `cdk deploy -c env=prod` / `AUTOMATION_ENV=prod` pick one.
// - Secrets never go here: the Console API client credentials and the webhook signing secret live in
//   AWS Secrets Manager (see `deployment`).
//
// Cluster selectors (every `selector`, `exclude` and source selector) take these keys:
//   ids          cluster uuids
//   names        name globs, case-sensitive: `*` any run of characters, `?` one character (e.g. 'dev-*')
//   labels       the cluster carries at least one of these labels (exact)
//   planTypes    plan type names (e.g. 'Enterprise')
//   regions      region names or uuids
//   generations  generation name globs (e.g. '8.7.*')
//   all          true selects every cluster of the organization (never accepted by teardown, and not
//                together with the keys above)
//   exclude      clusters matching ANY criterion in here are left out
// Every criterion given must match (AND); within one criterion any value may match (OR). An empty selector
// selects nothing: a job that is enabled must say which clusters it works on. (Camunda does not return a
// cluster's stage label, so select by name, labels, plan, region or generation.)
import { defineConfig } from '#lib/config/load.ts';

export default defineConfig({
  // IANA time zone of every schedule below (EventBridge Scheduler evaluates them in it, including daylight
  // saving). Default 'UTC'. Offsets like '+01:00' are refused. A schedule whose local time daylight saving skips
  // (the run would not happen that day) or repeats (ambiguous, maybe twice) in this zone is refused with the
  // window to avoid, unless it fires every hour.
  timeZone: 'Europe/Berlin',

  // Clusters worked on at the same time within one run. Integer 1–50, default 4. Keep it small: every cluster
  // costs Console API calls, and the API rate-limits.
  concurrency: 4,

  // Seconds before the function's timeout at which a run stops starting cluster work; the clusters it did not
  // reach are reported 'deferred' (the next run picks them up). Integer 1–600, default 30; must be below
  // deployment.functionTimeoutSeconds.
  timeMarginSeconds: 30,

  events: {
    // EventBridge `source` of the events the jobs accept (requests) and publish (results). Non-empty, no
    // whitespace, must not start with 'aws.'. Default 'camunda.automation'.
    source: 'camunda.automation',
  },

  webhooks: {
    // Largest webhook body accepted, in bytes. Integer 1024–1048576, default 65536.
    maxBodyBytes: 65_536,
    // How far a webhook's signed timestamp may be from now, in seconds (replay protection). Integer 30–3600,
    // default 300.
    toleranceSeconds: 300,
  },

  alerts: {
    // Who gets alarm e-mails (failed runs, guard trips, auth-server trouble). Each must confirm the SNS
    // subscription once. Default [] (no e-mails; the alarms still exist).
    emails: ['platform-oncall@example.com'],
  },

  // The shared Console API token when its store (the state table) cannot be read.
  token: {
    // What a function does when the table stays unreadable (an outage, or the token item throttled):
    // 'fail' fails the request with a clear error and does not ask Camunda's auth server (the functions can
    // only agree on who asks through the table; each asking for itself trips the auth server's limit of
    // about one request per second per source IP, which then blocks every function behind the NAT).
    // 'local-auth' lets each function instance ask once for itself. Default 'fail'.
    storeUnavailable: 'fail',
    // How long a throttled or failing table call is retried, with jittered backoff, before that applies
    // (never longer than the caller can wait). Integer 0–60, default 5.
    storeRetrySeconds: 5,
  },

  // Backups (Enterprise plans only; generation 8.2.4 or later).
  backup: {
    // Create the schedule at all. Default false.
    enabled: true,
    // When the job runs: an EventBridge Scheduler expression in timeZone — cron(min hour day-of-month month
    // day-of-week year) with '?' in one of the two day fields, rate(n minutes|hours|days) or
    // at(yyyy-mm-ddThh:mm:ss). Default 'cron(0 2 * * ? *)' (02:00 every day). A time that daylight saving skips
    // or repeats in timeZone (02:00–03:00 in Europe/Berlin) is refused: here 03:00.
    schedule: 'cron(0 3 * * ? *)',
    // true: log and report what would be done, change nothing. Default false.
    dryRun: false,
    // 'manual': this job creates a backup per selected cluster (Camunda allows one manual backup per hour and
    // keeps the three newest). 'native': this job keeps Camunda's own server-side schedule equal to nativeCron.
    // Default 'manual'.
    mode: 'manual',
    // manual mode: skip a cluster whose newest completed manual backup is younger than this many hours, so
    // retries and extra runs do not burn the hourly allowance. Number >= 1, default 1.
    minIntervalHours: 12,
    // native mode only (required there): Camunda's schedule, a 5-field cron in UTC with a single minute value
    // (at most one backup an hour), e.g. '0 2 * * *'. Not set by default.
    // nativeCron: '0 2 * * *',
    // Which clusters are backed up: here the production-like ones.
    selector: {
      labels: ['prod', 'stage'],
      planTypes: ['Enterprise'],
      exclude: { names: ['*-scratch'] },
    },
  },

  // Nightly teardown of dev clusters, with an evening notice, keep-alive requests and a morning recreate.
  // Deleting a cluster deletes its backups too and cannot be undone.
  teardown: {
    // Create the schedules at all. Default false.
    enabled: true,
    // true: notice, report and log which clusters would be deleted, delete nothing. Default true. Going live is
    // the explicit change to false — do it per environment (see environments below) after a dry-run week.
    dryRun: true,
    // Which clusters are torn down. Must be explicit: `all` is refused, and an empty selector is refused while
    // enabled. Here: clusters named dev-* that also carry the 'ephemeral' or 'dev' label.
    selector: {
      names: ['dev-*'],
      labels: ['ephemeral', 'dev'],
      exclude: { labels: ['keep'] },
    },
    // Never touched, whatever the selector says: cluster uuids, name globs, labels. Each default [].
    protect: {
      ids: [],
      names: ['dev-shared', 'dev-demo-*'],
      labels: ['protected', 'prod'],
    },
    // Clusters younger than this many hours are never deleted (someone just created it). Number >= 0,
    // default 4.
    minAgeHours: 4,
    // Blast-radius guard: if more clusters than this qualify, delete none, report and fail the run (a selector
    // gone wrong must not wipe the org). Integer >= 1, default 5.
    maxDeletionsPerRun: 5,
    // The deletion budget of one teardown window, shared by every run and trigger (the schedule, webhooks,
    // events, `npm run invoke`): each deletion first reserves one unit with a conditional write, so several
    // runs — even at the same moment — cannot delete more than this in one night. Integer >= 1 and >=
    // maxDeletionsPerRun; default: maxDeletionsPerRun (one full nightly run, nothing on top).
    // maxDeletionsPerWindow: 5,
    // The teardown window is the 24 h from this local hour (in timeZone), named by the date it starts on; the
    // notice, the teardown and the morning recreate of one night must fall in one window. Integer 0-23,
    // default 12 (noon to noon).
    windowStartHour: 12,
    // What an ad-hoc run (webhook, event, direct invoke — not the schedule) may delete: 'noticed-only' (only
    // clusters this window's scheduled notice listed) or 'any-selected'. Default 'noticed-only'.
    adHoc: 'noticed-only',
    // A scheduled notice, teardown or recreate delivered more than this many minutes after its scheduled time
    // (an async retry hours later, a queue drained after a kill switch) is refused and the run fails saying
    // so; run it by hand if intended. Integer 1-1440, default 60.
    maxLatenessMinutes: 60,
    // When cluster owners are told which clusters go tonight (scheduler expression in timeZone). Default
    // 'cron(0 18 ? * MON-FRI *)' (18:00 on weekdays).
    noticeSchedule: 'cron(0 18 ? * MON-FRI *)',
    // When the teardown runs. Default 'cron(0 20 ? * MON-FRI *)' (20:00 on weekdays).
    schedule: 'cron(0 20 ? * MON-FRI *)',
    recreate: {
      // Recreate the clusters torn down last night (same name, plan, region, generation; not their data).
      // Default false.
      enabled: true,
      // When (scheduler expression in timeZone). Default 'cron(0 7 ? * MON-FRI *)' (07:00 on weekdays).
      schedule: 'cron(0 7 ? * MON-FRI *)',
      // A second recreate run that finishes what the first could not: new clusters take a few minutes to
      // become Healthy, and their allowlist is re-applied only then (until that, a new cluster accepts every
      // address). It never recreates a cluster twice. Default 'cron(30 7 ? * MON-FRI *)'.
      followUpSchedule: 'cron(30 7 ? * MON-FRI *)',
      // Camunda never returns a cluster's stage label, so the recreate sets it from here: the first entry whose
      // name globs match the cluster's name. Each stageLabel is 'dev', 'test', 'stage' or 'prod'. Default [].
      stageLabels: [
        { names: ['dev-*'], stageLabel: 'dev' },
        { names: ['test-*'], stageLabel: 'test' },
      ],
      // Secrets Manager prefix under which a recreated cluster's API-client credentials are published, one
      // secret per cluster and client: '<prefix>/<cluster-name>/<client-name>' (stable, so workers reading it
      // keep working). Path segments of letters, digits and _+=.@-. Default 'camunda-automation/clusters'.
      secretPrefix: 'camunda-automation/clusters',
      // A recreated cluster has NO allowlist (is open to every address) until the recreate writes it. Alarm when
      // that window exceeds this many minutes. Number > 0, default 10.
      maxOpenWindowMinutes: 10,
      // Customer-managed ('External') encryption cannot be recreated from what the API returns: such a cluster
      // is not torn down at all, unless this says which encryption its recreate gets instead ('Software',
      // 'Hardware' or 'Provider'). Default: not set (refuse).
      // externalEncryptionAs: 'Software',
      // How long one recreate run waits for a new cluster to be Healthy (polling with backoff, within the
      // function's time budget) before leaving the rest to the follow-up run. Integer 0–840, default 300.
      waitForHealthySeconds: 300,
    },
    keepAlive: {
      // Longest a keep-alive request spares a cluster, in hours. Number > 0, default 12.
      maxHours: 12,
    },
  },

  // IP allowlist sync (Enterprise plans only). The Console's allowlist is a full replace, and an EMPTY list
  // removes the allowlist and opens the cluster to every address — the sync refuses to write one unless
  // allowEmpty is set.
  allowlist: {
    // Create the drift-repair schedule and accept source updates at all. Default false.
    enabled: true,
    // true: report the changes it would make, write nothing. Default false.
    dryRun: false,
    // How often drift is repaired (scheduler expression in timeZone). Default 'rate(1 hour)'.
    schedule: 'rate(1 hour)',
    // Which clusters' allowlists are managed.
    selector: { planTypes: ['Enterprise'] },
    // Entries every selected cluster gets: an IPv4/IPv6 address or CIDR (network address: '10.1.2.3/8' is
    // refused with '10.0.0.0/8' suggested) and a non-empty description. Stored canonical and sorted; the same
    // CIDR twice is merged. Default [].
    static: [
      { cidr: '203.0.113.0/24', description: 'Berlin office' },
      { cidr: '2001:db8::/32', description: 'Berlin office (IPv6)' },
    ],
    // Named sources whose entries a signed webhook or an event may replace (whole) at any time, e.g. the VPN's
    // egress addresses. An update to an undeclared source is refused. Names: lower-case letters, digits and
    // '-', up to 63 characters. Each may set:
    //   selector    limit this source's entries to some clusters (default: every cluster the sync selects)
    //   maxEntries  most entries the source may send (integer >= 1, at most allowlist.maxEntries)
    sources: {
      'office-vpn': { maxEntries: 20 },
    },
    // Accept 0.0.0.0/0 or ::/0 (the whole internet). Default false.
    allowCatchAll: false,
    // Accept an empty resulting list — which REMOVES the allowlist and opens clusters to everyone. Default false.
    allowEmpty: false,
    // Most entries in one cluster's list (static + sources, after merging). Integer 1–1000, default 50.
    maxEntries: 50,
    // Longest entry description, in characters. Integer 1–1000, default 100.
    maxDescriptionLength: 100,
  },

  // How the stack is deployed (read by the CDK app only).
  deployment: {
    // Import existing Secrets Manager secrets (complete ARNs, with the 6-character suffix) instead of creating
    // empty ones to fill in after the first deploy. Not set by default.
    //   consoleCredentialsSecretArn: JSON {"clientId": "...", "clientSecret": "..."} of a Console API client
    //   webhookSecretArn: the Standard Webhooks signing secret 'whsec_...' (or {"current","previous"})
    // consoleCredentialsSecretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:camunda-console-AbCdEf',
    // 'signature': webhooks are public and verified by their signature. 'iam': callers must also sign with
    // SigV4 (AWS_IAM). Default 'signature'.
    webhookAuth: 'signature',
    // API Gateway throttling of the webhook endpoint: requests per second (> 0) and burst (integer 1–5000).
    // Default { rateLimit: 10, burstLimit: 20 }.
    webhookThrottle: { rateLimit: 10, burstLimit: 20 },
    // CloudWatch log retention in days: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    // 1096, 1827, 2192, 2557, 2922, 3288, 3653 (or 9999 = never expire). Default 30.
    logRetentionDays: 30,
    // Function timeout in seconds. Integer 10–900, default 300.
    functionTimeoutSeconds: 300,
    // Function memory in MB. Integer 128–10240, default 512.
    memoryMb: 512,
    // Reserved concurrency per function: caps simultaneous cold starts, each of which may ask Camunda's
    // rate-limited auth server for a token. Integer 0–1000; 0 = no reservation (default). Reserving needs
    // unreserved account concurrency to spare.
    reservedConcurrency: 0,
    // Camunda endpoints, only for a non-default setup or a test double (the CAMUNDA_CONSOLE_BASE_URL,
    // CAMUNDA_OAUTH_URL and CAMUNDA_CONSOLE_OAUTH_AUDIENCE env variables win over these). Defaults: Camunda SaaS.
    // consoleBaseUrl: 'https://api.cloud.camunda.io',
    // oauthUrl: 'https://login.cloud.camunda.io/oauth/token',
    // oauthAudience: 'api.cloud.camunda.io',
  },

  environments: {
    // A dev account: teardown stays a dry run, backups only report, only dev-* clusters get the allowlist.
    dev: {
      backup: { dryRun: true },
      allowlist: { dryRun: true, selector: { names: ['dev-*'] } },
      deployment: { logRetentionDays: 14 },
    },
    // Production: stricter blast radius, more people alerted, longer logs. Teardown is still a dry run: going
    // live is the explicit change of uncommenting `dryRun: false` below, after a week of dry-run reports.
    // The selector and protect lists come from the base; `alerts.emails` replaces the base list (arrays are
    // replaced, not merged).
    prod: {
      teardown: {
        maxDeletionsPerRun: 3,
        // dryRun: false,
      },
      alerts: { emails: ['platform-oncall@example.com', 'camunda-owners@example.com'] },
      deployment: { logRetentionDays: 90 },
    },
  },
});
