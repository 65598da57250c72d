// Scheduler, classic EventBridge rule and custom EventBridge events, normalised into runs or rejected.
import { describe, expect, it } from 'vitest';
import { normalizeTrigger } from '#lib/triggers/normalize.ts';
import { normalizeFixture, options, rejection, run } from '#test/unit/triggers/events-harness.ts';
import { eventFixture } from './fixtures.ts';

describe('EventBridge Scheduler input', () => {
  it('keys the delivery by job, action and scheduled time', async () => {
    // Act
    const { result } = await normalizeFixture('scheduler-backup-run', 'backup');
    // Assess
    expect(result).toEqual({
      kind: 'run',
      request: { job: 'backup', action: 'run' },
      delivery: {
        source: 'schedule',
        idempotencyKey: 'backup:run:2026-01-15T02:00:00Z',
        at: '2026-01-15T02:00:00Z',
      },
    });
  });

  it('keeps dryRun and clusterIds from the schedule input and drops the scheduler context', async () => {
    // Act
    const { request, delivery } = run(
      await normalizeTrigger(eventFixture('scheduler-teardown-run'), options('teardown')),
    );
    // Assess
    expect(request).toEqual({
      job: 'teardown',
      action: 'run',
      dryRun: true,
      clusterIds: ['1b0d1e0d-1111-2222-3333-444455556666', '2c1e2f1e-1111-2222-3333-444455556666'],
    });
    expect(delivery.idempotencyKey).toBe('teardown:run:2026-01-15T20:00:00Z');
  });

  it('gives every redelivery of one scheduled run the same key', async () => {
    // Prepare
    const first = eventFixture('scheduler-backup-run');
    const retry = { ...eventFixture('scheduler-backup-run'), executionId: 'another-execution-id' };
    // Act
    const a = run(await normalizeTrigger(first, options('backup')));
    const b = run(await normalizeTrigger(retry, options('backup')));
    // Assess
    expect(b.delivery.idempotencyKey).toBe(a.delivery.idempotencyKey);
  });

  it('refuses a schedule whose input kept the placeholder instead of the scheduled time', async () => {
    // Prepare
    const event = {
      ...eventFixture('scheduler-backup-run'),
      scheduledTime: '<aws.scheduler.scheduled-time>',
    };
    // Act
    const err = await rejection(event, options('backup'));
    // Assess
    expect(err.status).toBe(400);
    expect(err.message).toMatch(
      /scheduledTime .*<aws\.scheduler\.scheduled-time>.* got '<aws\.scheduler\.scheduled-time>'/,
    );
  });

  it('refuses a schedule input without executionId', async () => {
    // Prepare
    const { executionId: _, ...event } = eventFixture('scheduler-backup-run');
    // Act
    const err = await rejection(event, options('backup'));
    // Assess
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/executionId/);
  });

  it("refuses a schedule input for another function's job or with unknown keys", async () => {
    // Act
    const wrongJob = await rejection(eventFixture('scheduler-backup-run'), options('teardown'));
    const extra = await rejection(
      { ...eventFixture('scheduler-backup-run'), target: 'all' },
      options('backup'),
    );
    // Assess
    expect([wrongJob.status, wrongJob.path]).toEqual([422, 'job']);
    expect([extra.status, extra.path]).toEqual([422, 'target']);
  });
});

describe('classic EventBridge rule (Scheduled Event)', () => {
  it.each([
    ['backup', 'scheduled-event', 'run', '2026-01-15T02:00:00Z'],
    ['allowlist-sync', 'scheduled-event', 'sync', '2026-01-15T02:00:00Z'],
    ['teardown', 'scheduled-event', 'run', '2026-01-15T02:00:00Z'],
    ['teardown', 'scheduled-event-teardown-notice', 'notice', '2026-01-15T18:00:00Z'],
    ['teardown', 'scheduled-event-teardown-recreate', 'recreate', '2026-01-16T06:00:00Z'],
    ['backup', 'scheduled-event-teardown-notice', 'run', '2026-01-15T18:00:00Z'],
  ] as const)('%s function, %s → %s', async (job, fixture, action, time) => {
    // Act
    const result = await normalizeTrigger(eventFixture(fixture), options(job));
    // Assess
    expect(result).toEqual({
      kind: 'run',
      request: { job, action },
      delivery: { source: 'schedule', idempotencyKey: `${job}:${action}:${time}`, at: time },
    });
  });

  it('takes the rule name from a rule on a custom bus', async () => {
    // Prepare
    const event = {
      ...eventFixture('scheduled-event'),
      resources: ['arn:aws:events:eu-west-1:123456789012:rule/automation-bus/nightly-teardown-recreate'],
    };
    // Act
    const { request } = run(await normalizeTrigger(event, options('teardown')));
    // Assess
    expect(request.action).toBe('recreate');
  });

  it('refuses a Scheduled Event without a valid time', async () => {
    // Act
    const err = await rejection({ ...eventFixture('scheduled-event'), time: 'yesterday' }, options('backup'));
    // Assess
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/time must be an ISO 8601 time/);
  });
});

describe('custom EventBridge events', () => {
  const EVENT_TIME = '2026-01-15T21:00:00Z';
  it.each([
    [
      'eventbridge-backup-run',
      'backup',
      { action: 'run', clusterIds: ['1b0d1e0d-1111-2222-3333-444455556666'] },
    ],
    ['eventbridge-teardown-notice', 'teardown', { action: 'notice' }],
    ['eventbridge-teardown-run', 'teardown', { action: 'run', dryRun: true }],
    [
      'eventbridge-teardown-recreate',
      'teardown',
      { action: 'recreate', clusterIds: ['2c1e2f1e-1111-2222-3333-444455556666'] },
    ],
    [
      'eventbridge-teardown-keep-alive',
      'teardown',
      {
        action: 'keep-alive',
        payload: {
          cluster: 'dev-payments',
          until: '2026-01-16T06:00:00Z',
          by: 'alice@example.com',
          reason: 'load test running overnight',
        },
      },
    ],
    ['eventbridge-allowlist-sync-sync', 'allowlist-sync', { action: 'sync' }],
    [
      'eventbridge-allowlist-sync-set-source',
      'allowlist-sync',
      {
        action: 'set-source',
        payload: {
          source: 'office-vpn',
          entries: [
            { cidr: '203.0.113.0/24', description: 'Berlin office' },
            { cidr: '198.51.100.10/32, 198.51.100.11/32', description: 'VPN egress' },
          ],
          updatedBy: 'netops-pipeline',
        },
      },
    ],
  ] as const)('%s → %s request keyed by the event id', async (fixture, job, expected) => {
    // Act
    const { event, result } = await normalizeFixture(fixture, job);
    // Assess
    expect(result).toEqual({
      kind: 'run',
      request: { job, ...expected },
      delivery: { source: 'eventbridge', idempotencyKey: event.id, at: EVENT_TIME },
    });
  });

  it('accepts a detail that repeats the same job and action', async () => {
    // Prepare
    const event = eventFixture('eventbridge-teardown-notice');
    event.detail = { job: 'teardown', action: 'notice', dryRun: true };
    // Act
    const { request } = run(await normalizeTrigger(event, options('teardown')));
    // Assess
    expect(request).toEqual({ job: 'teardown', action: 'notice', dryRun: true });
  });

  it('refuses a detail naming another action than its detail-type', async () => {
    // Prepare
    const event = eventFixture('eventbridge-teardown-notice');
    event.detail = { action: 'run' };
    // Act
    const err = await rejection(event, options('teardown'));
    // Assess
    expect([err.status, err.path]).toEqual([422, 'action']);
    expect(err.message).toMatch(/detail-type teardown\.notice is for notice, the body says run/);
  });

  it.each([
    ['another job', 'backup.run', 'teardown', 'job', /runs the teardown job, not backup/],
    ['an unknown job', 'restore.run', 'backup', 'job', /must be one of/],
    ['a result event', 'backup.run.result', 'backup', 'action', /accepts run/],
    [
      'an unknown action',
      'teardown.hibernate',
      'teardown',
      'action',
      /accepts notice, run, recreate, keep-alive/,
    ],
  ] as const)('refuses %s (%s) with 422', async (_name, detailType, job, path, message) => {
    // Prepare
    const event = { ...eventFixture('eventbridge-backup-run'), 'detail-type': detailType };
    // Act
    const err = await rejection(event, options(job));
    // Assess
    expect([err.status, err.path]).toEqual([422, path]);
    expect(err.message).toMatch(message);
  });

  it('refuses an invalid detail naming the field', async () => {
    // Prepare
    const event = eventFixture('eventbridge-teardown-keep-alive');
    event.detail = { payload: { cluster: 'dev-payments', until: 'soon', by: 'alice', reason: 'demo' } };
    // Act
    const err = await rejection(event, options('teardown'));
    // Assess
    expect([err.status, err.path]).toEqual([422, 'payload.until']);
  });

  it('refuses events of another source, naming both sources', async () => {
    // Prepare
    const event = { ...eventFixture('eventbridge-backup-run'), source: 'acme.deployments' };
    // Act
    const err = await rejection(event, options('backup', { eventSource: 'camunda.automation' }));
    // Assess
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/source 'acme\.deployments'.*events from 'camunda\.automation'/);
  });

  it('uses the configured event source', async () => {
    // Prepare
    const event = { ...eventFixture('eventbridge-backup-run'), source: 'acme.camunda' };
    // Act
    const result = await normalizeTrigger(event, options('backup', { eventSource: 'acme.camunda' }));
    // Assess
    expect(result.kind).toBe('run');
  });

  it('refuses an event without id', async () => {
    // Prepare
    const { id: _, ...event } = eventFixture('eventbridge-backup-run');
    // Act
    const err = await rejection(event, options('backup'));
    // Assess
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/^id must be a non-empty string/);
  });
});
