// Carries out one cluster's plan: ownership is recorded before a create or update (so a write applied whose
// answer was lost is still ours) and forgotten only after a delete. A 409 "another change in progress" is
// retried with exponential backoff; a create that failed or got 409 re-reads the cluster's secrets first, so
// a POST is never sent twice for a secret that already arrived.
import type { SecretsSyncPolicy } from '#lib/config/schema/secrets-sync.ts';
import { ConsoleApiError } from '#lib/console/errors.ts';
import type { JobDeps } from '#lib/jobs/ports.ts';
import type { ManagedSecretStore, SecretSourceReader } from '#lib/jobs/secrets-sync-ports.ts';
import type { DesiredSecret } from './desired.ts';
import type { Change } from './plan.ts';

export type SecretsSyncDeps = Pick<JobDeps, 'console' | 'clock' | 'log'> & {
  secretSources: SecretSourceReader;
  managedSecrets: ManagedSecretStore;
  sleep: (ms: number) => Promise<void>;
};

/** The retries ran out while the cluster's secrets stayed busy. */
export class SecretsBusyError extends Error {
  override readonly name = 'SecretsBusyError';
}

const isConflict = (error: unknown): boolean => error instanceof ConsoleApiError && error.status === 409;
/** A failure after which the request may have been applied: re-read before trying again. */
const mayHaveApplied = (error: unknown): boolean =>
  error instanceof ConsoleApiError && (error.maybeApplied || error.status === 409);

/** Backoff before attempt `n` (1-based retries): base × 2^(n-1), capped, with up to 50 % jitter off. */
function backoffMs(retry: number, settings: SecretsSyncPolicy['conflictRetry']): number {
  const raw = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (retry - 1));
  return Math.round(raw * (0.5 + Math.random() / 2));
}

/** Runs `step` until it succeeds, retrying what `retryable` says with backoff; the last error is rethrown. */
async function withBackoff<T>(
  deps: SecretsSyncDeps,
  settings: SecretsSyncPolicy['conflictRetry'],
  what: string,
  step: () => Promise<T>,
  retryable: (error: unknown) => boolean,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!retryable(error) || attempt >= settings.attempts) {
        if (isConflict(error)) {
          throw new SecretsBusyError(
            `${what}: the cluster's secrets stayed busy (409 change in progress) through ${attempt} attempt(s)`,
            { cause: error },
          );
        }
        throw error;
      }
      deps.log.info('connector secret write retried', { what, attempt, conflict: isConflict(error) });
      await deps.sleep(backoffMs(attempt, settings));
    }
  }
}

async function record(deps: SecretsSyncDeps, clusterId: string, secret: DesiredSecret): Promise<void> {
  await deps.managedSecrets.put(clusterId, {
    name: secret.name,
    source: secret.source,
    from: secret.from,
    digest: secret.digest,
    updatedAt: new Date(deps.clock.now()).toISOString(),
  });
}

/** Creates one secret, or finds it already there with the desired value (an earlier attempt's write). */
async function create(
  deps: SecretsSyncDeps,
  settings: SecretsSyncPolicy['conflictRetry'],
  clusterId: string,
  secret: DesiredSecret,
): Promise<void> {
  let reread = false;
  await withBackoff(
    deps,
    settings,
    `create '${secret.name}'`,
    async () => {
      if (reread) {
        const now = await deps.console.getSecrets(clusterId);
        if (Object.hasOwn(now, secret.name)) {
          // Arrived (our earlier attempt) or set meanwhile: make it the desired value.
          if (now[secret.name] !== secret.value)
            await deps.console.updateSecret(clusterId, secret.name, secret.value);
          return;
        }
      }
      try {
        await deps.console.createSecret(clusterId, secret.name, secret.value);
      } catch (error) {
        reread = mayHaveApplied(error);
        throw error;
      }
    },
    (error) => mayHaveApplied(error),
  );
}

/** Applies one change. Throws (secret-free) when it could not be applied. */
export async function applyChange(
  deps: SecretsSyncDeps,
  policy: SecretsSyncPolicy,
  clusterId: string,
  change: Change,
): Promise<void> {
  const settings = policy.conflictRetry;
  switch (change.kind) {
    case 'create':
      await record(deps, clusterId, change.secret);
      await create(deps, settings, clusterId, change.secret);
      return;
    case 'update':
      await record(deps, clusterId, change.secret);
      await withBackoff(
        deps,
        settings,
        `update '${change.secret.name}'`,
        () => deps.console.updateSecret(clusterId, change.secret.name, change.secret.value),
        isConflict,
      );
      return;
    case 'delete':
      await withBackoff(
        deps,
        settings,
        `delete '${change.name}'`,
        () => deps.console.deleteSecret(clusterId, change.name),
        isConflict,
      );
      if (change.managed) await deps.managedSecrets.remove(clusterId, change.name);
      return;
    case 'forget':
      await deps.managedSecrets.remove(clusterId, change.name);
      return;
  }
}
