// Teardown job: `notice` (publish tonight's plan), `run` (the nightly teardown, behind the blast-radius
// guard), `recreate` (the morning recreate), `keep-alive` (keep one cluster until a time).
import { getContainer, TEARDOWN_PARTS } from '#lib/runtime/container.ts';
import { type ActionDefinition, jobHandler, RequestRefusedError } from '#lib/runtime/job-handler.ts';
import { checkKeepAlive, setKeepAlive } from './keep-alive.ts';
import { runNotice } from './notice.ts';
import { TeardownError } from './plan.ts';
import { runRecreate } from './recreate.ts';
import { desiredAllowlistFrom } from './restore.ts';
import { runTeardown } from './teardown.ts';

/** The teardown job's actions (the handler checks `teardown.enabled` and each action's `disabled`). */
export const teardownActions: Record<string, ActionDefinition> = {
  notice: { run: (c, scope) => runNotice(c, scope, c.config.teardown, { timeZone: c.config.timeZone }) },
  run: { run: (c, scope) => runTeardown(c, scope, c.config.teardown, { timeZone: c.config.timeZone }) },
  recreate: {
    disabled: (config) =>
      config.teardown.recreate.enabled
        ? undefined
        : 'recreate is disabled (teardown.recreate.enabled is false); nothing done',
    // The allowlist a recreated cluster gets is the allowlist sync's current desired state, never a copy.
    run: (c, scope) =>
      runRecreate(
        { ...c, desiredAllowlist: desiredAllowlistFrom(c, c.config.allowlist) },
        scope,
        c.config.teardown,
      ),
  },
  'keep-alive': {
    // A bad keep-alive is answered 422 before anything is stored: a typo must not fail a run (and page).
    precheck: async (c, request) => {
      let cluster: string;
      try {
        cluster = checkKeepAlive(request.payload, c.config.teardown, c.clock.now()).payload.cluster;
      } catch (err) {
        if (err instanceof TeardownError) throw new RequestRefusedError(err.message, { cause: err });
        throw err;
      }
      const clusters = await c.console.listClusters();
      if (!clusters.some((k) => k.uuid === cluster || k.name === cluster)) {
        throw new RequestRefusedError(`keep-alive refused: no cluster has the uuid or name '${cluster}'`);
      }
    },
    run: (c, scope) => setKeepAlive(c, scope, c.config.teardown),
  },
};

// The teardown's container carries the KMS sealer, which no other function bundles.
export const handler = jobHandler('teardown', teardownActions, () => getContainer(TEARDOWN_PARTS));
