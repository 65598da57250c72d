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
    // Who may send webhooks: each sender has its own signing secret (one Secrets Manager secret per sender,
    // created by the stack or imported with deployment.webhookSecretArns) and may call only the routes listed
    // here, '<job>.<action>': backup.run, teardown.notice, teardown.run, teardown.recreate,
    // teardown.keep-alive, allowlist-sync.sync, allowlist-sync.set-source — or '*' (every route, only when
    // written here). A signed request for a route outside its sender's routes is answered 403 and changes
    // nothing. Sender names: lower-case letters, digits, dashes. Default {} (no webhooks: every request 404).
    // Upgrading from the single webhook secret: name its sender 'default' (it keeps that secret) and list
    // its routes.
    senders: {
      // The chat bot people ask for a keep-alive through.
      'chat-bot': { routes: ['teardown.keep-alive'] },
      // The network team's automation that replaces the office-vpn allowlist source.
      'network-automation': { routes: ['allowlist-sync.set-source'] },
    },
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
    // manual mode: skip a cluster whose newest completed backup CREATED BY THIS JOB (their ids are recorded in
    // the state table; names are never read) is younger than this many minutes, so retries and extra runs do
    // not burn Camunda's allowance. Camunda's own 400 ("too soon") is reported as a skip. Number >= 15, default
    // 60. (`minIntervalHours`, number >= 1, is the older spelling; give one or the other.)
    minIntervalMinutes: 720,
    // native mode only (required there): Camunda's schedule, a 5-field cron in UTC with a single minute value
    // (at most one backup an hour), e.g. '0 2 * * *'. Not set by default.
    // nativeCron: '0 2 * * *',
    // Which clusters are backed up: here the production-like ones.
    selector: {
      labels: ['prod', 'stage'],
      planTypes: ['Enterprise'],
      exclude: { names: ['*-scratch'] },
    },
    // Recovery-point targets: a cluster a target's selector matches must always have a Complete backup (of any
    // kind: ours, Camunda's schedule, by hand) younger than maxAgeHours (number >= 0.25). Where several match,
    // the STRICTEST wins. Every backup run and `backup.check` measure it; a cluster past its target fails the
    // run with the reason (unless its backup is being taken right now) and the ClustersPastTarget alarm fires.
    // Repeated failed backups after the last good one are called out before it ages past the target.
    // Default [] (no targets, no check schedule). Camunda promises an RPO under 1 h on Advanced cluster types.
    targets: [
      { selector: { labels: ['prod'] }, maxAgeHours: 24 },
      { selector: { labels: ['stage'] }, maxAgeHours: 48 },
    ],
    // When `backup.check` runs (one list of clusters plus one backups read per targeted cluster; it changes
    // nothing). Scheduler expression in timeZone, default 'rate(1 hour)'. Only scheduled when targets is set.
    checkSchedule: 'rate(1 hour)',
    // 'targets': every backup run and check also publishes CompleteBackupAgeSeconds (dimension Cluster: the
    // cluster's name) for each cluster a target matches, to graph one cluster's recovery point. CloudWatch
    // bills each cluster as a custom metric, $0.30 a month (100 targeted clusters: $30 a month). 'off': only the
    // fleet metrics (ClustersPastTarget, ClustersAtRisk, OldestCompleteBackupAgeSeconds), which the alarm
    // watches either way. Default 'targets'.
    clusterMetrics: 'targets',
    // Which clusters are PRODUCTION: a restore drill never runs on one (it overwrites the cluster's data). The
    // drill cluster's name/uuid is checked against this selector's names and ids when the config is loaded, and
    // the live cluster (labels, plan, region too) again before every drill. Required when drill.enabled.
    productionSelector: { labels: ['prod'] },
    // Restore drills: on the drill cluster, take a backup (or use the newest Complete one), restore it, follow
    // the restore to its end, wait for Healthy, and report the recovery time (restore requested → Healthy) as
    // the summary, the BackupDrillRecoverySeconds metric and the `backup.drill.result` event. A drill never
    // runs twice at once and resumes where it stopped if it outlasts one invocation. Needs self-service
    // restore for your organization (without it the drill reports "not available").
    drill: {
      // Schedule the drill at all. Default false.
      enabled: false,
      // Scheduler expression in timeZone. Default 'cron(0 4 ? * SUN *)' (Sundays 04:00).
      schedule: 'cron(0 4 ? * SUN *)',
      // The cluster restored onto (name or uuid): a non-production cluster kept for this. Required when enabled;
      // refused when productionSelector matches it.
      // cluster: 'drill-restore',
      // true: restore the newest Complete backup instead of taking a new one. Default false.
      useExisting: false,
      // A drill not Healthy this many minutes after it started is failed. Integer 5–1440, default 120.
      maxMinutes: 120,
      // Seconds between two looks while the drill waits. Integer 1–300, default 15.
      pollSeconds: 15,
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
    // Which clusters are torn down. Must be explicit: `all` is refused, so is `all` in disguise (every criterion
    // a glob matching every name, e.g. names: ['*'] or generations: ['?*']), and an empty selector is refused
    // while enabled. Here: clusters named dev-* that also carry the 'ephemeral' or 'dev' label.
    selector: {
      names: ['dev-*'],
      labels: ['ephemeral', 'dev'],
      exclude: { labels: ['keep'] },
    },
    // Never touched, whatever the selector says: cluster uuids, name globs, labels. Names and labels match
    // case-insensitively here ('prod-*' protects 'Prod-db'). Each default [].
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
      // A backstop recreate run, for a follow-up (see maxContinuations) that never arrived: unfinished clusters
      // are normally finished by the run's own follow-ups at once. It never recreates a cluster twice.
      // Default 'cron(30 7 ? * MON-FRI *)'.
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
      // While a run ends with clusters unfinished (not Healthy yet, allowlist not accepted yet, out of time), it
      // publishes a `teardown.recreate` follow-up on the bus that runs at once, at most this many times in a row;
      // past that the unfinished clusters fail the run (and the alarm fires). Integer 0–20, default 6.
      // followUpSchedule stays as a backstop for a follow-up that never arrived.
      maxContinuations: 6,
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
    // Accept 0.0.0.0/0 or ::/0 (the whole internet), and lists admitting more than maxBreadth. Default false.
    allowCatchAll: false,
    // Accept an empty resulting list — which REMOVES the allowlist and opens clusters to everyone. Default false.
    allowEmpty: false,
    // Most entries in one cluster's list (static + sources, after merging). Integer 1–1000, default 50.
    maxEntries: 50,
    // Longest entry description, in characters. Integer 1–1000, default 100.
    maxDescriptionLength: 100,
    // The most addresses one cluster's list may admit, per family, as the prefix length of one network that
    // size: { ipv4PrefixLength: 8 } allows at most 2^24 IPv4 addresses in total. Counted after merging
    // overlaps, with IPv6 ranges that carry IPv4 (IPv4-mapped, NAT64 incl. local-use, 6to4, Teredo) counted as
    // the IPv4 addresses they reach, so that a catch-all split into pieces (0.0.0.0/1 + 128.0.0.0/1, 2000::/3,
    // 64:ff9b::/96) is refused with the widest entries named. Integers 0–32 / 0–128; 0 = no limit (every
    // address of a family is still refused unless allowCatchAll). Default { ipv4PrefixLength: 8, ipv6PrefixLength: 32 }.
    maxBreadth: { ipv4PrefixLength: 8, ipv6PrefixLength: 32 },
  },

  // Connector secrets (/clusters/{uuid}/secrets) kept equal to AWS Secrets Manager: the functions/secrets-sync job.
  secretsSync: {
    // Run the job (hourly drift repair, the bus, webhooks, Secrets Manager change events, and a recreated
    // cluster at once). Default false.
    enabled: false,
    // Report what would change, write nothing. Default false.
    dryRun: false,
    // Drift repair schedule (EventBridge Scheduler expression, in timeZone). A change to a source secret
    // (PutSecretValue, UpdateSecret, RotationSucceeded, DeleteSecret … recorded by CloudTrail) syncs at once.
    // Default 'rate(1 hour)'.
    schedule: 'rate(1 hour)',
    // Which clusters get connector secrets (required when enabled; an empty selector selects none).
    selector: { labels: ['env-prod', 'env-stage'] },
    // Named Secrets Manager sources (names: lower-case letters, digits and '-', up to 63). Each must set a
    // prefix and/or tags (all tags must match); a source secret is a plain string (one connector secret named
    // after the last part of the secret's name, other characters than letters/digits/_ made _) or a JSON object
    // of strings (each key one connector secret). Each may set:
    //   selector    limit the source to some of the selected clusters (default: every selected cluster)
    //   namePrefix  prepended to every connector secret name it provides (letters, digits, _)
    // Two source secrets giving one name to one cluster is a conflict: that cluster is refused, both named.
    // A source secret scheduled for deletion keeps its connector secrets until it is gone for good; a source
    // selecting nothing at all deletes nothing (a typo or a permission is likelier than intent).
    sources: {
      payments: { prefix: 'camunda/connectors/payments/', selector: { labels: ['team-payments'] } },
    },
    // false: only connector secrets this job created are updated or deleted (ownership in the state table);
    // one typed in by hand is never touched, and a desired name held by one is reported. true: each cluster's
    // connector secrets are exactly the desired set (others deleted). Default false.
    exclusive: false,
    // 409 "another change to the secrets is in progress": tries per write (1–20), first and longest wait in
    // ms, doubling. Default { attempts: 6, baseDelayMs: 1000, maxDelayMs: 20000 }.
    conflictRetry: { attempts: 6, baseDelayMs: 1000, maxDelayMs: 20000 },
    // ARNs of the customer-managed KMS keys the source secrets are encrypted with (the function may decrypt
    // with them through Secrets Manager only). Not needed for Secrets Manager's default key. Default [].
    kmsKeyArns: [],
  },

  // How the stack is deployed (read by the CDK app only).
  deployment: {
    // Import existing Secrets Manager secrets (complete ARNs, with the 6-character suffix) instead of creating
    // empty ones to fill in after the first deploy. Not set by default.
    //   consoleCredentialsSecretArn: JSON {"clientId": "...", "clientSecret": "..."} of a Console API client
    //   webhookSecretArns: { '<sender>': ARN } per webhook sender: its signing secret 'whsec_...' (or
    //     {"current","previous"}); webhookSecretArn is the same for sender 'default'
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
