// Allowlist sync: `sync` (drift repair on a schedule, or for the clusters named in `cluster.created` /
// recreate-result events) and `set-source` (replace one named source whole, then sync at once).
import { type ActionDefinition, jobHandler, RequestRefusedError } from '#lib/runtime/job-handler.ts';
import { checkSourceUpdate, SourceUpdateRefusedError, setSource } from './set-source.ts';
import { runSync } from './sync.ts';

/** The allowlist sync's actions (the handler checks `allowlist.enabled`). */
export const allowlistSyncActions: Record<string, ActionDefinition> = {
  sync: { run: (c, scope) => runSync(c, scope, c.config.allowlist) },
  'set-source': {
    // A bad update is answered 422 before anything runs or is stored.
    precheck: async (c, request) => {
      try {
        await checkSourceUpdate(c, request, c.config.allowlist);
      } catch (err) {
        if (err instanceof SourceUpdateRefusedError)
          throw new RequestRefusedError(err.message, { cause: err });
        throw err;
      }
    },
    run: async (c, scope) => {
      const policy = c.config.allowlist;
      const result = await setSource(c, scope, policy);
      if (!result.syncRequested) return result.body;
      const synced = await runSync(
        c,
        { ...scope, request: { ...scope.request, clusterIds: result.syncClusterIds } },
        policy,
      );
      return { ...synced, notes: [...(result.body.notes ?? []), ...(synced.notes ?? [])] };
    },
  },
};

export const handler = jobHandler('allowlist-sync', allowlistSyncActions);
