// The simulator's public shapes. Other parts of the project (lib/console, lib/token and their tests)
// program against these names, so change them only by adding.
import type { components } from '#lib/console/openapi-types.ts';
import type { SimState } from '#local/sim/state.ts';

type Schemas = components['schemas'];
export type ClusterDto = Schemas['Cluster'];
export type BackupDtoSpec = Schemas['BackupDto'];
export type BackupScheduleDto = Schemas['BackupScheduleDto'];
export type ParametersDto = Schemas['Parameters'];
export type ClusterStatusValue = Schemas['ClusterStatus'];
export type BackupStatusValue = Schemas['BackupStatus'];
export type StageLabel = Schemas['CamundaClusterStage'];
export type EncryptionType = Schemas['ClusterEncryptionKey'];
export type IpRule = { description: string; ip: string };
export type Ref = { uuid: string; name: string };

export interface AuthRateLimit {
  /** Token requests per source allowed in any one-second window (every request counts, failed ones too). */
  perSecond: number;
  /** How long every token request from a source that exceeded the limit gets 429. */
  blockMs: number;
  /** Send a Retry-After header (seconds left in the block) with the 429. Camunda does not document one. */
  retryAfter?: boolean;
}

export interface ConsoleRateLimit {
  /** Refill rate of the token bucket shared by every Console request. */
  perSecond: number;
  /** Bucket size; default `perSecond`. */
  burst?: number;
}

export interface SimClient {
  clientId: string;
  clientSecret: string;
}

export interface SimOptions {
  /** 'org': the dozen clusters of `seedOrg()`; 'empty': no clusters; `{clusters}`: `generateOrg(n, rngSeed)`. */
  seed?: 'org' | 'empty' | { clusters: number; rngSeed?: number };
  clients?: SimClient[];
  audience?: string;
  tokenLifetimeSec?: number;
  /** Hand back the client's still-valid token (part-way through its life) instead of minting a new one. */
  serveCachedToken?: boolean;
  /** Delay before a 401 for a wrong client id or secret. */
  tarPitMs?: number;
  authRateLimit?: AuthRateLimit | false;
  consoleRateLimit?: ConsoleRateLimit | false;
  /** Added to every Console answer (not to OAuth answers: use a 'latency' fault on 'oauth' for that). */
  latencyMs?: number;
  backupDurationMs?: number;
  clusterCreateMs?: number;
  /** How long a secret write keeps other secret writes of that cluster at 409 'change in progress'. Default 0. */
  secretChangeMs?: number;
  /** Whether PUT …/ipallowlist is accepted while a cluster is Creating (default false: 409 until Healthy). */
  allowlistWhileCreating?: boolean;
  /** Minimum time between two manual backups of one cluster (failed ones do not count). Default one hour. */
  manualBackupIntervalMs?: number;
  now?: () => number;
  host?: string;
  /** Port to listen on; default 0 (ephemeral). */
  port?: number;
  /**
   * Take the rate-limit source from the `x-sim-source` request header when present (default true), so a
   * test can play several NAT gateways from one process. Without the header the remote address is used.
   */
  sourceHeader?: boolean;
}

export interface Fault {
  /** 'oauth' | '*' (every Console route) | 'METHOD /template', e.g. 'POST /clusters/{clusterUuid}/backups'. */
  route: string;
  kind: 'latency' | 'status' | 'reset' | 'hang';
  latencyMs?: number;
  status?: number;
  retryAfter?: string;
  body?: string;
  /** Apply to the next N matching requests, then stop; default every request. */
  times?: number;
  /** Perform the operation on the state first, then fail the answer. */
  afterCommit?: boolean;
}

export interface FaultHandle {
  remove(): void;
}

export interface SimStats {
  auth: {
    requests: number;
    /** 200 answers (minted or served from the cache). */
    issued: number;
    /** 200 answers that handed back an already issued token (`serveCachedToken`). */
    cached: number;
    /** 400 / 401 / 405 answers. */
    rejected: number;
    rateLimited: number;
    bySource: Record<string, number>;
  };
  console: {
    requests: number;
    /** Key 'METHOD /template'; requests that matched no operation are not counted here. */
    byRoute: Record<string, number>;
    byStatus: Record<string, number>;
    rateLimited: number;
    unauthorized: number;
    /** Answers that did not validate against the spec's response schema (should stay empty). */
    specViolations: string[];
  };
}

export interface RequestLogEntry {
  /** `now()` when the request arrived. */
  at: number;
  method: string;
  path: string;
  /** 'oauth' or 'METHOD /template'. */
  route?: string;
  /** The answered status; 0 when no answer was given (a 'reset' or 'hang' fault, or close()). */
  status: number;
  /** The parsed request body; an OAuth body has its client_secret replaced by '[redacted]'. */
  body?: unknown;
  /** The rate-limit source (remote address or x-sim-source). */
  source?: string;
  /** Which fault kind shaped the answer, if any. */
  fault?: Fault['kind'];
}

export interface Simulator {
  /** Console API base URL, no trailing slash. */
  url: string;
  /** Full token URL. */
  oauthUrl: string;
  audience: string;
  /** The first configured client (follows `setCredentials`). */
  readonly clientId: string;
  readonly clientSecret: string;
  state: SimState;
  faults: { add(f: Fault): FaultHandle; clear(): void };
  stats: SimStats;
  requestLog: RequestLogEntry[];
  issueToken(clientId?: string, lifetimeSec?: number): string;
  revokeAllTokens(): void;
  setCredentials(clientId: string, clientSecret: string): void;
  close(): Promise<void>;
}
