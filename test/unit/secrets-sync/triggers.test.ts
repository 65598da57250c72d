// The secrets-sync job's own events: Secrets Manager changes recorded by CloudTrail (filtered to the
// configured sources) and the recreate's teardown.cluster.ready, each turned into a `secrets-sync.sync` event.
import { describe, expect, it } from 'vitest';
import { secretNameOf, translateEvent } from '#functions/secrets-sync/triggers.ts';
import { normalizeTrigger } from '#lib/triggers/normalize.ts';
import { policy } from './fakes.ts';

const SOURCE = 'camunda.automation';

function cloudTrail(
  eventName: string,
  detail: Record<string, unknown>,
  detailType = 'AWS API Call via CloudTrail',
) {
  return {
    version: '0',
    id: 'evt-1',
    'detail-type': detailType,
    source: 'aws.secretsmanager',
    account: '123456789012',
    time: '2026-12-01T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: { eventSource: 'secretsmanager.amazonaws.com', eventName, ...detail },
  };
}

describe('secrets-sync triggers', () => {
  it.each([
    ['PutSecretValue', { requestParameters: { secretId: 'camunda/payments/PAYMENT_KEY' } }],
    [
      'UpdateSecret',
      {
        requestParameters: {
          secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:camunda/payments/mail-AbC123',
        },
      },
    ],
    ['DeleteSecret', { requestParameters: { secretId: 'camunda/payments/OLD' } }],
    [
      'RotationSucceeded',
      {
        additionalEventData: {
          SecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:camunda/payments/db-xYz789',
        },
      },
    ],
  ])('turns a %s of a source secret into a sync of every selected cluster', async (eventName, detail) => {
    // Act
    const translated = translateEvent(cloudTrail(eventName, detail), policy(), SOURCE);
    // Assess
    if ('ignored' in translated) throw new Error(translated.reason);
    const trigger = await normalizeTrigger(translated.event, { job: 'secrets-sync', eventSource: SOURCE });
    expect(trigger).toMatchObject({
      kind: 'run',
      request: { job: 'secrets-sync', action: 'sync' },
      delivery: { source: 'eventbridge', idempotencyKey: 'evt-1' },
    });
    expect(trigger.kind === 'run' && trigger.request.clusterIds).toBeUndefined();
  });

  it('ignores a change to a secret no configured source selects, and calls that change no value', () => {
    // Act
    const other = translateEvent(
      cloudTrail('PutSecretValue', { requestParameters: { secretId: 'team-x/db' } }),
      policy(),
      SOURCE,
    );
    const describe = translateEvent(
      cloudTrail('DescribeSecret', { requestParameters: { secretId: 'camunda/payments/X' } }),
      policy(),
      SOURCE,
    );
    // Assess
    expect(other).toEqual({ ignored: true, reason: "secret 'team-x/db' is in no configured source" });
    expect(describe).toMatchObject({ ignored: true });
  });

  it('syncs on any change when a source selects by tags only (the event cannot tell)', () => {
    // Act
    const translated = translateEvent(
      cloudTrail('TagResource', { requestParameters: { secretId: 'anything/db' } }),
      policy({ sources: { tagged: { tags: { 'camunda-sync': 'true' } } } }),
      SOURCE,
    );
    // Assess
    expect('event' in translated).toBe(true);
  });

  it('syncs just the new cluster of a teardown.cluster.ready event', async () => {
    // Prepare
    const event = {
      version: '0',
      id: 'ready-1',
      'detail-type': 'teardown.cluster.ready',
      source: SOURCE,
      time: '2026-12-01T06:05:00Z',
      detail: {
        name: 'dev-a',
        oldClusterId: 'old-1',
        newClusterId: 'new-1',
        idempotencyKey: 'teardown:recreate:x',
      },
    };
    // Act
    const translated = translateEvent(event, policy(), SOURCE);
    // Assess
    if ('ignored' in translated) throw new Error(translated.reason);
    const trigger = await normalizeTrigger(translated.event, { job: 'secrets-sync', eventSource: SOURCE });
    expect(trigger).toMatchObject({ kind: 'run', request: { action: 'sync', clusterIds: ['new-1'] } });
  });

  it('passes every other event through unchanged', () => {
    const event = { 'detail-type': 'secrets-sync.sync', source: SOURCE, id: 'x', time: 't', detail: {} };
    expect(translateEvent(event, policy(), SOURCE)).toEqual({ event });
  });

  it('reads a secret name out of its ARN (the random suffix dropped)', () => {
    expect(secretNameOf('arn:aws:secretsmanager:eu-west-1:123456789012:secret:a/b-c-AbC123')).toBe('a/b-c');
    expect(secretNameOf('plain/name')).toBe('plain/name');
  });
});
