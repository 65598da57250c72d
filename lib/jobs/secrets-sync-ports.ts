// The ports of the secrets-sync job besides the shared ones (ports.ts): where desired connector secrets come
// from (AWS Secrets Manager, or a local JSON file), and which connector secrets this project owns (the state
// table). Kept apart from ports.ts so the job can be merged without touching the other jobs' ports.

// The source port and its error live with the adapters (lib/secrets/source.ts, a lower layer).
export {
  SecretSourceError,
  type SecretSourceQuery,
  type SecretSourceReader,
  type SourceSecret,
} from '#lib/secrets/source.ts';

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
  /**
   * The deployment's key for value digests (base64): the one stored, or `candidate` stored now when there is
   * none, by a conditional write, so that concurrent first runs end up with one key.
   */
  digestKey(candidate: string): Promise<string>;
  /** The deployment's digest key if one is stored; writes nothing (what a dry run reads). */
  storedDigestKey(): Promise<string | undefined>;
}
