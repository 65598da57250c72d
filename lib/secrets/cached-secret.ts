// One Secrets Manager secret read through Powertools Parameters (`SecretsProvider`): its value is kept in
// this container for `maxAgeSeconds`, a forced read (`refresh`) bypasses the cache (a rejected credential:
// the secret may have rotated), a value its parser refuses is not served again from the cache, and the
// value itself never reaches an error or a log line (only the secret id and the service's error name do).
import { GetParameterError } from '@aws-lambda-powertools/parameters';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface CachedSecret<T> {
  readonly secretId: string;
  /** The parsed value, from this container's cache while it is younger than maxAgeSeconds. */
  get(): Promise<T>;
  /** Reads the secret again now and refreshes the cache. */
  refresh(): Promise<T>;
}

export interface CachedSecretOptions<T> {
  secretId: string;
  /** Turns the stored string (undefined: a binary or empty secret) into the value; throws to refuse it. */
  parse: (raw: string | undefined) => T;
  /** How long a read value is reused in this container. Default 300 (5 minutes). */
  maxAgeSeconds?: number;
  /** The SDK client to read with (tests, local endpoints); default Powertools' own, built on the first read. */
  client?: SecretsManagerClient;
}

export const DEFAULT_SECRET_MAX_AGE_SECONDS = 300;

/** One provider (hence one SDK client and one cache) per container, built on the first read. */
let sharedProvider: SecretsProvider | undefined;

export function cachedSecret<T>(options: CachedSecretOptions<T>): CachedSecret<T> {
  const { secretId, parse, client } = options;
  const maxAge = options.maxAgeSeconds ?? DEFAULT_SECRET_MAX_AGE_SECONDS;
  let ownProvider: SecretsProvider | undefined;
  const provider = () => {
    if (!client) {
      sharedProvider ??= new SecretsProvider();
      return sharedProvider;
    }
    ownProvider ??= new SecretsProvider({ awsSdkV3Client: client });
    return ownProvider;
  };
  // After a refused value the cached copy is the refused one: the next read goes to Secrets Manager.
  let refused = false;
  let inflight: Promise<T> | undefined;
  const read = async (forceFetch: boolean): Promise<T> => {
    let raw: string | Uint8Array | undefined;
    try {
      raw = await provider().get(secretId, { maxAge, forceFetch: forceFetch || refused });
    } catch (err) {
      // The service's own error (AccessDeniedException, ResourceNotFoundException, …), not the wrapper.
      throw err instanceof GetParameterError && err.cause instanceof Error ? err.cause : err;
    }
    try {
      const value = parse(typeof raw === 'string' ? raw : undefined);
      refused = false;
      return value;
    } catch (err) {
      refused = true;
      throw err;
    }
  };
  // Concurrent callers share one read (a burst of invocations in one container asks once); a refresh joins
  // only a read that goes to Secrets Manager, never one the cache may answer with the old value.
  let inflightIsForced = false;
  const shared = (forceFetch: boolean) => {
    if (inflight && (inflightIsForced || !forceFetch)) return inflight;
    inflightIsForced = forceFetch;
    const current = read(forceFetch).finally(() => {
      if (inflight === current) inflight = undefined;
    });
    inflight = current;
    return current;
  };
  return { secretId, get: () => shared(false), refresh: () => shared(true) };
}
