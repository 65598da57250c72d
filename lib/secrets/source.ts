// Where secrets-sync reads desired connector secrets from: the port its adapters (Secrets Manager, a local
// JSON file) implement. Here, below the jobs layer, so the adapters need not import the job's ports.

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
