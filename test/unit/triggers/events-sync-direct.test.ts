// Events that trigger an allowlist sync, direct invocations, and events no trigger recognises.
import { describe, expect, it } from 'vitest';
import { normalizeTrigger } from '#lib/triggers/normalize.ts';
import { normalizeFixture, options, rejection, run } from '#test/unit/triggers/events-harness.ts';
import { eventFixture } from './fixtures.ts';

describe('events that trigger an allowlist sync', () => {
  it('syncs the cluster a cluster.created event names', async () => {
    // Act
    const { event, result } = await normalizeFixture('eventbridge-cluster-created', 'allowlist-sync');
    // Assess
    expect(result).toEqual({
      kind: 'run',
      request: {
        job: 'allowlist-sync',
        action: 'sync',
        clusterIds: ['3d2f3a2f-1111-2222-3333-444455556666'],
      },
      delivery: { source: 'eventbridge', idempotencyKey: event.id, at: '2026-01-15T21:00:00Z' },
    });
  });

  for (const { name, fixture, detail, path } of [
    {
      name: 'refuses a cluster.created event without the cluster id',
      fixture: 'eventbridge-cluster-created',
      detail: { name: 'dev-orders' },
      path: 'detail.clusterId',
    },
    {
      name: 'refuses a recreate result without a clusters list',
      fixture: 'eventbridge-teardown-recreate-result',
      detail: { job: 'teardown' },
      path: 'detail.clusters',
    },
  ]) {
    it(name, async () => {
      // Prepare
      const event = eventFixture(fixture);
      event.detail = detail;
      // Act
      const err = await rejection(event, options('allowlist-sync'));
      // Assess
      expect([err.status, err.path]).toEqual([422, path]);
    });
  }

  it('syncs the new uuids of the clusters a recreate brought back, and only those', async () => {
    // Act
    const { event, result } = await normalizeFixture(
      'eventbridge-teardown-recreate-result',
      'allowlist-sync',
    );
    const { request, delivery } = run(result);
    // Assess
    expect(request).toEqual({
      job: 'allowlist-sync',
      action: 'sync',
      clusterIds: ['aa0d1e0d-9999-2222-3333-444455556666', 'bb1e2f1e-9999-2222-3333-444455556666'],
    });
    expect(delivery).toEqual({ source: 'eventbridge', idempotencyKey: event.id, at: '2026-01-16T06:04:12Z' });
  });

  it('ignores a recreate result that recreated nothing (a dry run) instead of syncing every cluster', async () => {
    // Prepare
    const event = eventFixture('eventbridge-teardown-recreate-result');
    event.detail = {
      ...(event.detail as object),
      dryRun: true,
      clusters: [
        { clusterId: 'c-1', clusterName: 'dev-payments', status: 'done', action: 'would-recreate-cluster' },
        { clusterId: 'c-2', clusterName: 'dev-orders', status: 'failed', error: 'boom' },
      ],
    };
    // Act
    const result = await normalizeTrigger(event, options('allowlist-sync'));
    // Assess
    expect(result.kind).toBe('ignored');
    expect(result).toMatchObject({
      reason: `teardown.recreate.result event ${String(event.id)} names no new cluster`,
      delivery: { source: 'eventbridge', idempotencyKey: event.id },
    });
    expect('request' in result).toBe(false);
  });

  it('refuses these events at any other job', async () => {
    // Act
    const err = await rejection(eventFixture('eventbridge-cluster-created'), options('teardown'));
    // Assess
    expect(err.status).toBe(404);
    expect(err.message).toBe('cluster.created events trigger the allowlist-sync job, not teardown');
  });
});

describe('direct invocation', () => {
  it('runs a plain request with the given idempotency key, at the current time', async () => {
    // Prepare
    const event = { job: 'backup', action: 'run', dryRun: true, idempotencyKey: 'manual:2026-01-15:alice' };
    // Act
    const result = await normalizeTrigger(event, options('backup'));
    // Assess
    expect(result).toEqual({
      kind: 'run',
      request: { job: 'backup', action: 'run', dryRun: true },
      delivery: {
        source: 'direct',
        idempotencyKey: 'manual:2026-01-15:alice',
        at: '2026-01-15T21:00:00.000Z',
      },
    });
  });

  it('refuses an empty idempotency key and an invalid request', async () => {
    // Act
    const emptyKey = await rejection({ job: 'backup', action: 'run', idempotencyKey: '' }, options('backup'));
    const invalid = await rejection(
      { job: 'backup', action: 'delete', idempotencyKey: 'k' },
      options('backup'),
    );
    // Assess
    expect(emptyKey.status).toBe(400);
    expect(emptyKey.message).toMatch(/idempotencyKey/);
    expect([invalid.status, invalid.path]).toEqual([422, 'action']);
  });
});

describe('unrecognised events', () => {
  it.each([
    ['a string', 'backup please', /received a string$/],
    ['null', null, /received null$/],
    ['an array', [1, 2], /received an array$/],
    ['an empty object', {}, /received an empty object$/],
    [
      'a plain request without key',
      { job: 'backup', action: 'run' },
      /received an object with keys job, action$/,
    ],
    [
      'an API Gateway REST (v1) event',
      { resource: '/webhooks', path: '/webhooks/backup/run', httpMethod: 'POST', body: '{}' },
      /keys resource, path, httpMethod, body$/,
    ],
    ['an SQS batch', { Records: [{ body: '{}' }] }, /keys Records$/],
  ])('refuses %s with 400 and a hint of its keys', async (_name, event, hint) => {
    // Act
    const err = await rejection(event, options('backup'));
    // Assess
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/^unrecognised event: /);
    expect(err.message).toMatch(hint);
  });

  it('names the keys it received but never their values', async () => {
    // Prepare
    const event = { clientSecret: 'hunter2-super-secret', token: 'eyJhbGciOi.payload.sig' };
    // Act
    const err = await rejection(event, options('backup'));
    // Assess
    expect(err.message).toMatch(/clientSecret, token/);
    expect(err.message).not.toMatch(/hunter2|eyJhbGciOi/);
  });
});
