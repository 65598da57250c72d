// The secrets-sync part of `npm start`: the local source file (standing in for Secrets Manager) provides two
// connector secrets to the clusters the local policy selects; then one is rotated and the rotation event
// (as CloudTrail records it) brings the new value to every one of them. Values never reach the output.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchesSelector, selectClusters } from '#lib/config/selector.ts';
import { jsonFileSource } from '#lib/secrets/json-file-source.ts';
import { eventBridgeEvent, type LocalEnv } from '#local/env.ts';
import { check, plural, type Story } from './demo-story.ts';

export const DEMO_SECRET_NAME = 'camunda/payments/PAYMENT_API_KEY';
/** Demo values: recognisably fake, and scanned for in the run's logs. */
export const DEMO_VALUES = {
  first: 'sim-not-a-real-payment-key-v1',
  rotated: 'sim-not-a-real-payment-key-v2',
} as const;
const SMTP = 'sim-not-a-real-smtp-v1';

export interface DemoSecretsSource {
  /** Writes the source file with this value for the payment key. */
  write(paymentKey: string): Promise<void>;
  close(): Promise<void>;
}

/** Points the local container's secrets source at a fresh file (Secrets Manager's stand-in). */
export async function demoSecretsSource(local: LocalEnv): Promise<DemoSecretsSource> {
  const dir = await mkdtemp(join(tmpdir(), 'secrets-sync-demo-'));
  const file = join(dir, 'secrets-source.json');
  local.container.secretSources = jsonFileSource(file);
  const write = async (paymentKey: string) =>
    writeFile(
      file,
      JSON.stringify({
        secrets: [
          { name: DEMO_SECRET_NAME, value: paymentKey },
          { name: 'camunda/payments/mail', value: JSON.stringify({ SMTP_PASSWORD: SMTP }) },
        ],
      }),
    );
  await write(DEMO_VALUES.first);
  return { write, close: () => rm(dir, { recursive: true, force: true }) };
}

/** A rotation of the source secret as EventBridge delivers it from CloudTrail. */
export function rotationEvent(at: number) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.secretsmanager',
    account: '123456789012',
    time: new Date(at).toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'RotationSucceeded',
      additionalEventData: {
        SecretId: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${DEMO_SECRET_NAME}-AbCdEf`,
      },
    },
  };
}

/** The clusters whose connector secret PAYMENT_API_KEY holds `value` in the simulator. */
export function carrying(local: LocalEnv, value: string): string[] {
  return [...local.sim.state.clusters.values()]
    .filter((c) => c.secrets.PAYMENT_API_KEY === value)
    .map((c) => c.name)
    .sort();
}

/** True when no demo value appears in any log line of the run. */
export function valuesLogged(local: LocalEnv): string[] {
  const text = JSON.stringify(local.log.lines);
  return [DEMO_VALUES.first, DEMO_VALUES.rotated, SMTP].filter((v) => text.includes(v));
}

/**
 * Connector secrets from the local source, then a rotation that reaches every selected cluster; false when the
 * story must stop.
 */
export async function secretsSteps(story: Story): Promise<boolean> {
  const { local, clock, config, simClusters, step } = story;
  // 2b. Connector secrets from (local) Secrets Manager, then a rotation that reaches every selected cluster.
  const source = await demoSecretsSource(local);
  // Exactly the clusters both the job's selector and the payments source's own selector pick must carry the
  // value (in the seeded org: the payments and billing production clusters; a generated org may select none),
  // and no other cluster.
  const paymentsSelector = config.secretsSync.sources.payments?.selector;
  const expected = selectClusters(simClusters(), config.secretsSync.selector)
    .filter((c) => paymentsSelector === undefined || matchesSelector(c, paymentsSelector))
    .map((c) => c.name)
    .sort();
  const secretsSelected = expected.length;
  const reached = (got: string[]) => JSON.stringify([...got].sort()) === JSON.stringify(expected);
  try {
    const syncOk = await step(
      {
        id: 'secrets-sync',
        title: 'Connector secrets synced from Secrets Manager',
        via: 'secrets-sync/sync via EventBridge',
      },
      'secrets-sync',
      eventBridgeEvent('secrets-sync.sync', {}),
      (_d, r) => {
        const got = carrying(local, DEMO_VALUES.first);
        r.checks.push(
          check(
            reached(got),
            `${plural(got.length, 'cluster')} of ${secretsSelected} expected carry the connector secret (${got.join(', ')})`,
          ),
        );
      },
    );
    if (!syncOk) return false;
    await source.write(DEMO_VALUES.rotated);
    const rotateOk = await step(
      {
        id: 'secrets-rotation',
        title: 'A rotation in Secrets Manager reaches the clusters',
        via: 'RotationSucceeded via CloudTrail on EventBridge',
      },
      'secrets-sync',
      rotationEvent(clock.now()),
      (_d, r) => {
        const got = carrying(local, DEMO_VALUES.rotated);
        const leaked = valuesLogged(local);
        r.checks.push(
          check(
            reached(got),
            `${plural(got.length, 'cluster')} of ${secretsSelected} expected carry the rotated value (${got.join(', ')})`,
          ),
          check(
            leaked.length === 0,
            leaked.length === 0
              ? 'no secret value in any log line'
              : `${leaked.length} secret value(s) logged`,
          ),
        );
      },
    );
    if (!rotateOk) return false;
  } finally {
    await source.close();
  }
  return true;
}
