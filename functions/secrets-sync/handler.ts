// Secrets sync: `sync` (hourly drift repair, the bus, webhooks), also started by Secrets Manager changes to a
// configured source and by a recreated cluster becoming ready (see triggers.ts).
import { type Container, getContainer } from '#lib/runtime/container.ts';
import { type ActionDefinition, handleJob, type JobResult } from '#lib/runtime/job-handler.ts';
import { withMiddleware } from '#lib/runtime/middleware.ts';
import { runSecretsSync } from './sync.ts';
import { translateEvent } from './triggers.ts';

export const SECRETS_SYNC_ACTIONS: Record<string, ActionDefinition> = {
  sync: { run: (c, scope) => runSecretsSync(c, scope, c.config.secretsSync) },
};

/** The handler logic without the middleware: translate this job's own events, then the shared path. */
export async function handleSecretsSync(
  event: unknown,
  context: Parameters<typeof handleJob>[3],
  c: Container,
): Promise<JobResult> {
  const translated = translateEvent(event, c.config.secretsSync, c.config.events.source);
  if ('ignored' in translated) {
    c.log.info('trigger ignored', { job: 'secrets-sync', reason: translated.reason });
    return translated;
  }
  return handleJob('secrets-sync', SECRETS_SYNC_ACTIONS, translated.event, context, c);
}

export function secretsSyncHandler(container: () => Container = getContainer) {
  return withMiddleware<unknown, JobResult>((event, context) =>
    handleSecretsSync(event, context, container()),
  );
}

export const handler = secretsSyncHandler();
