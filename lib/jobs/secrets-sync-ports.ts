// The ports of the secrets-sync job besides the shared ones (ports.ts): where desired connector secrets come
// from (AWS Secrets Manager, or a local JSON file), and which connector secrets this project owns (the state
// table). Kept apart from ports.ts so the job can be merged without touching the other jobs' ports.

/** Which source secrets a configured source selects: a name prefix and/or tags (every tag must match). */
export interface SecretSourceQuery {
  prefix?: string;
  tags?: Record<string, string>;
}

/** One source secret as read. `value` is secret material: never log it. */
export interface SourceSecret {
  /** The Secrets Manager name (not secret). */
  name: string;
  /** The current value (SecretString); absent when the secret is scheduled for deletion. */
  value?: string;
  /** Scheduled for deletion (its connector secrets are kept until it is restored or gone for good). */
  plannedDeletion: boolean;
}

/**
 * Reads the source secrets a query selects. Throws `SecretSourceError` when the source cannot be read as a
 * whole (no permission, throttled past retries): a sync never acts on a partly read desired state.
 */
export interface SecretSourceReader {
  read(query: SecretSourceQuery): Promise<SourceSecret[]>;
}

/** A source could not be read; the message names the source and the cause, never a value. */
export class SecretSourceError extends Error {
  override readonly name = 'SecretSourceError';
}

/** Ownership of one connector secret this project wrote to a cluster. */
export interface ManagedSecret {
  /** Connector secret name on the cluster. */
  name: string;
  /** The configured source (`secretsSync.sources` key) that provides it. */
  source: string;
  /** The Secrets Manager secret it comes from. */
  from: string;
  /** Short digest of the value last written (never the value). */
  digest: string;
  updatedAt: string;
}

/**
 * The connector secrets this project manages, per cluster. Ownership is recorded before the write, so a write
 * applied whose answer was lost is still owned; it is removed only after the secret is deleted.
 */
export interface ManagedSecretStore {
  list(clusterId: string): Promise<ManagedSecret[]>;
  /** Records (or replaces) the ownership of `secret.name` on the cluster. */
  put(clusterId: string, secret: ManagedSecret): Promise<void>;
  /** Forgets one name; no-op when it is not recorded. */
  remove(clusterId: string, name: string): Promise<void>;
}
