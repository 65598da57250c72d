// The policy config's shape. `lib/config/schema.ts` validates an unknown value into this type (naming the
// bad field); `automation.config.ts` at the repository root is the documented example users edit.

import type { SecretsSyncPolicy } from './schema/secrets-sync.ts';

/**
 * Which clusters a policy applies to. Every criterion given must match (AND); within one criterion any
 * value may match (OR). `exclude` removes clusters that match it (any criterion of it). An empty
 * selector matches nothing: every job's selection must be explicit.
 */
export interface ClusterSelector {
  /** Cluster uuids. */
  ids?: string[];
  /** Name globs: `*` any run of characters, `?` one character; case-sensitive, e.g. `dev-*`. */
  names?: string[];
  /** The cluster must carry at least one of these labels (exact). */
  labels?: string[];
  /** Plan type names, e.g. `Enterprise`. */
  planTypes?: string[];
  /** Region names or uuids. */
  regions?: string[];
  /** Generation name globs, e.g. `8.7.*`. */
  generations?: string[];
  /** Set to true to select every cluster of the org (not accepted by teardown). */
  all?: boolean;
  exclude?: Omit<ClusterSelector, 'exclude' | 'all'>;
}

export interface AllowlistEntryConfig {
  /** An IPv4/IPv6 address or CIDR. */
  cidr: string;
  description: string;
}

export interface BackupPolicy {
  enabled: boolean;
  /** EventBridge Scheduler expression, e.g. `cron(0 0/6 * * ? *)` or `rate(6 hours)`, in `timeZone`. */
  schedule: string;
  dryRun: boolean;
  /** `manual`: this job creates backups. `native`: it keeps Camunda's own backup schedule equal to `nativeCron`. */
  mode: 'manual' | 'native';
  /**
   * manual mode: skip a cluster whose newest backup created by this project is younger than this many minutes
   * (>= 15; Camunda's own 400 decides beyond that). Unset: `minIntervalHours` × 60, else 60.
   */
  minIntervalMinutes?: number;
  /** Deprecated spelling of `minIntervalMinutes` in hours (>= 1); not together with it. */
  minIntervalHours?: number;
  /** native mode: 5-field cron in UTC for Camunda's server-side schedule, e.g. `0 2 * * *`. */
  nativeCron?: string;
  selector: ClusterSelector;
  /** Recovery-point targets: a matched cluster's newest Complete backup must be younger (strictest match wins). */
  targets: RecoveryPointTarget[];
  /** When `backup.check` runs (scheduler expression in `timeZone`); only with targets. */
  checkSchedule: string;
  /**
   * `targets` (the schema's default): a `CompleteBackupAgeSeconds` metric per cluster a target matches
   * (dimension `Cluster`, $0.30 a month each); `off`: the fleet metrics only. Unset reads as `targets`.
   */
  clusterMetrics?: 'targets' | 'off';
  /** Which clusters are production: a restore drill never runs on one of them. */
  productionSelector?: ClusterSelector;
  drill: BackupDrillPolicy;
}

export interface RecoveryPointTarget {
  selector: ClusterSelector;
  maxAgeHours: number;
}

/** The restore drill: backup (or the newest Complete one), restore, wait for Healthy, measure the time. */
export interface BackupDrillPolicy {
  enabled: boolean;
  schedule: string;
  /** The drill cluster's name or uuid; never one `productionSelector` matches. Required when enabled. */
  cluster?: string;
  /** Restore the newest Complete backup instead of taking a new one. */
  useExisting: boolean;
  /** A drill not Healthy this long after it started is failed. */
  maxMinutes: number;
  /** Seconds between two looks at a backup, a restore or the cluster while the drill waits. */
  pollSeconds: number;
}

export interface TeardownPolicy {
  enabled: boolean;
  /** Ships true. Going live is this explicit change. */
  dryRun: boolean;
  /** Must be explicit (`all` is refused). */
  selector: ClusterSelector;
  /** Never touched, whatever the selector says. */
  protect: { ids: string[]; names: string[]; labels: string[] };
  /** Clusters younger than this are never deleted. */
  minAgeHours: number;
  /** More candidates than this: delete none, report, fail the run. */
  maxDeletionsPerRun: number;
  /**
   * The deletion budget of one teardown window, shared by every run and trigger (scheduled, webhook, event,
   * direct): each deletion reserves one unit with a conditional write first. Default: maxDeletionsPerRun.
   */
  maxDeletionsPerWindow: number;
  /**
   * The teardown window is the 24 h from this local hour (in `timeZone`), keyed by the date it starts on:
   * with 12, 18:00 Monday to 11:59 Tuesday is Monday's window. The notice, the teardown and the morning
   * recreate of one night must fall in one window. Default 12.
   */
  windowStartHour: number;
  /**
   * What an ad-hoc run (webhook, event, direct — not the schedule) may delete: 'noticed-only' (default) only
   * clusters the window's scheduled notice listed; 'any-selected' any cluster the policy selects.
   */
  adHoc: 'noticed-only' | 'any-selected';
  /** A scheduled notice, teardown or recreate delivered later than this after its time is refused. Default 60. */
  maxLatenessMinutes: number;
  /** Scheduler expressions in `timeZone`. */
  noticeSchedule: string;
  schedule: string;
  recreate: {
    enabled: boolean;
    schedule: string;
    /**
     * A second recreate run (e.g. 30 minutes later) that finishes what the first could not: clusters that were
     * not Healthy yet get their allowlist re-applied, failed recreates are retried. Never recreates a cluster
     * twice.
     */
    followUpSchedule: string;
    /**
     * `stageLabel` is write-only in the Console API (never returned), so the recreate takes it from here: the
     * first entry with a name glob matching the cluster's name. No match: no stage label.
     */
    stageLabels: Array<{ names: string[]; stageLabel: 'dev' | 'test' | 'stage' | 'prod' }>;
    /** Secrets Manager prefix of published API-client credentials: `<prefix>/<cluster-name>/<client-name>`. */
    secretPrefix: string;
    /** Alarm when a recreated cluster stays without its allowlist (open to every address) longer than this. */
    maxOpenWindowMinutes: number;
    /**
     * A cluster with customer-managed (`External`) encryption cannot be recreated as it was: without this,
     * the teardown refuses to delete it; with it, the recreate creates it with this encryption type instead.
     */
    externalEncryptionAs?: 'Software' | 'Hardware' | 'Provider';
    /** How long one recreate run waits (with backoff, within its time budget) for a new cluster to be Healthy. */
    waitForHealthySeconds: number;
    /** Follow-up invocations a recreate may send itself while clusters are unfinished (0: none). */
    maxContinuations: number;
  };
  keepAlive: { maxHours: number };
}

export interface AllowlistSourcePolicy {
  /** Limit this source's entries to some clusters (default: every cluster the sync selects). */
  selector?: ClusterSelector;
  maxEntries?: number;
}

export interface AllowlistPolicy {
  enabled: boolean;
  dryRun: boolean;
  /** Drift repair schedule, in `timeZone`. */
  schedule: string;
  selector: ClusterSelector;
  /** Entries every selected cluster gets. */
  static: AllowlistEntryConfig[];
  /** Named sources that webhooks/events may replace; an update to an undeclared source is refused. */
  sources: Record<string, AllowlistSourcePolicy>;
  /** Accept 0.0.0.0/0 and ::/0 (the whole internet). Default false. */
  allowCatchAll: boolean;
  /** Accept an empty resulting list (which removes the allowlist and opens the cluster to everyone). Default false. */
  allowEmpty: boolean;
  maxEntries: number;
  maxDescriptionLength: number;
  /**
   * The most addresses one cluster's list (and each part of it) may admit per family, as the prefix length of
   * one network that size, counted after merging overlaps, IPv4 reached through IPv6 translation prefixes
   * counted as IPv4. 0 = no limit. Default `{ ipv4PrefixLength: 8, ipv6PrefixLength: 32 }` (set by the schema).
   */
  maxBreadth?: { ipv4PrefixLength: number; ipv6PrefixLength: number };
}

/** How the stack is deployed (read by `infra/` only). */
export interface DeploymentSettings {
  /** Import an existing Secrets Manager secret `{"clientId","clientSecret"}` instead of creating an empty one. */
  consoleCredentialsSecretArn?: string;
  /** Import the signing secret of webhook sender 'default' (`whsec_…`, or JSON `{"current","previous"}`). */
  webhookSecretArn?: string;
  /** Import existing signing secrets per webhook sender (`{ <sender>: <secret ARN> }`) instead of creating them. */
  webhookSecretArns?: Record<string, string>;
  /** `signature`: public endpoint, Standard Webhooks signatures. `iam`: also require SigV4 (AWS_IAM) callers. */
  webhookAuth: 'signature' | 'iam';
  /** Webhook endpoint throttling (requests per second, burst). */
  webhookThrottle: { rateLimit: number; burstLimit: number };
  logRetentionDays: number;
  functionTimeoutSeconds: number;
  memoryMb: number;
  /** Reserved concurrency per function (caps simultaneous cold starts against the auth server); 0 = none. */
  reservedConcurrency: number;
  /** Override Camunda endpoints (e.g. a non-default region or a test double). */
  consoleBaseUrl?: string;
  oauthUrl?: string;
  oauthAudience?: string;
}

/** One party that sends webhooks: its own signing secret, and the routes it may call. */
export interface WebhookSender {
  /** `<job>.<action>` routes (e.g. 'teardown.keep-alive'), or `['*']` for every route. */
  routes: string[];
}

/** The shared Console API token (lib/token) when its store, the state table, cannot be read. */
export interface TokenSettings {
  /**
   * `fail`: fail the request with a clear error and never ask the auth server (the fleet cannot coordinate
   * without the store; one auth request per container gets the source IP blocked). `local-auth`: each
   * container asks the auth server once for itself.
   */
  storeUnavailable: 'fail' | 'local-auth';
  /** How long a throttled or failing store call is retried (jittered backoff) before that policy applies. */
  storeRetrySeconds: number;
}

export interface AutomationConfig {
  /** IANA time zone for every schedule, e.g. `Europe/Berlin`. */
  timeZone: string;
  /** Cluster work running at once within one run. */
  concurrency: number;
  /** Stop starting cluster work when the function has less than this left; the rest is reported deferred. */
  timeMarginSeconds: number;
  events: {
    /** `source` of the events the jobs accept and publish. */
    source: string;
  };
  webhooks: {
    maxBodyBytes: number;
    toleranceSeconds: number;
    /** Who may send webhooks, each with its own signing secret, and which routes (`<job>.<action>`) each may call. */
    senders: Record<string, WebhookSender>;
  };
  alerts: { emails: string[] };
  token: TokenSettings;
  backup: BackupPolicy;
  teardown: TeardownPolicy;
  allowlist: AllowlistPolicy;
  /** Connector secrets kept equal to AWS Secrets Manager (lib/config/schema/secrets-sync.ts). */
  secretsSync: SecretsSyncPolicy;
  deployment: DeploymentSettings;
}
