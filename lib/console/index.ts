// The Console API client's public surface.
export {
  type Backup,
  type BackupSchedule,
  type BackupStatus,
  type CallOptions,
  type Cluster,
  type ClusterParameters,
  type ClusterStatus,
  type ConsoleClient,
  type ConsoleClientOptions,
  type ConsoleClientStats,
  type ConsoleRoute,
  type CreateClusterBody,
  type CreatedCluster,
  consoleBaseUrlFromEnv,
  createConsoleClient,
  DEFAULT_CONSOLE_BASE_URL,
  DEFAULT_TIMEOUT_MS,
  type DeleteOutcome,
  type IpAllowlistEntry,
  type IpRanges,
  type Lenient,
  type OperationStats,
  THROTTLE_GATE_MAX_MS,
} from '#lib/console/client.ts';
export {
  BODY_EXCERPT_LENGTH,
  ConsoleApiError,
  type ConsoleApiErrorCode,
  type ConsoleApiErrorDetails,
  isConsoleApiError,
  redact,
} from '#lib/console/errors.ts';
export {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  isReplayable,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  resolveRetryPolicy,
} from '#lib/console/retry.ts';
export type { TokenSource } from '#lib/console/token-source.ts';
