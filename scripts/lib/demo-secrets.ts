// The secrets-sync part of `npm start`: the local source file (standing in for Secrets Manager) provides two
// connector secrets to the clusters the local policy selects; then one is rotated and the rotation event
// (as CloudTrail records it) brings the new value to every one of them. Values never reach the output.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonFileSource } from '#lib/secrets/json-file-source.ts';
import type { LocalEnv } from '#local/env.ts';

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
