// The stack for the `prod` environment of the real automation.config.ts: its triggers (schedules, event rules)
// and what reaches a job through them. One synth, bundling skipped.
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { NOTICE_EVENT } from '#functions/teardown/notice.ts';
import { detailTypesFor, PUBLISHED_MARKER, schedulesFor } from '#infra/triggers.ts';
import { executeRun } from '#lib/jobs/engine.ts';
import { JOB_ACTIONS, JOBS, type JobName } from '#lib/jobs/types.ts';
import { silentLog } from '#lib/log/log.ts';
import { memoryPublisher } from '#lib/runtime/events.ts';
import { TriggerError } from '#lib/triggers/errors.ts';
import {
  CLUSTER_CREATED,
  normalizeTrigger,
  RECREATE_RESULT,
  WEBHOOK_ACCEPTED,
  type WebhookHandover,
} from '#lib/triggers/normalize.ts';
import { createMemoryStores } from '#test/fakes/state.ts';
import {
  cluster as teardownCluster,
  harness as teardownHarness,
  policy as teardownPolicy,
} from '#test/fakes/teardown-scenario.ts';
import { logicalId, type Props, render } from '#test/infra/harness.ts';
import { useProdStack } from '#test/infra/prod-stack.ts';

const { config, prod, resourcesOf, fnId } = useProdStack();

describe('schedules', () => {
  /** The schedule that runs `job`/`action` at `expression`. */
  const scheduleOf = (job: string, action: string, expression: string) => {
    const found = resourcesOf('AWS::Scheduler::Schedule').filter(([, r]) => {
      const input = JSON.parse(String((r.Properties.Target as Props).Input)) as Props;
      return input.job === job && input.action === action && r.Properties.ScheduleExpression === expression;
    });
    expect(found).toHaveLength(1);
    return found[0]?.[1].Properties as Props;
  };

  it('exist for exactly the enabled jobs and actions of the config, with a follow-up recreate', () => {
    // Act
    const expected = schedulesFor(config).map((x) => `${x.job}/${x.action} ${x.expression}`);

    // Assess
    expect(expected.sort()).toEqual([
      'allowlist-sync/sync rate(1 hour)',
      'backup/check rate(1 hour)',
      'backup/run cron(0 3 * * ? *)',
      'teardown/notice cron(0 18 ? * MON-FRI *)',
      'teardown/recreate cron(0 7 ? * MON-FRI *)',
      'teardown/recreate cron(30 7 ? * MON-FRI *)',
      'teardown/run cron(0 20 ? * MON-FRI *)',
    ]);
    prod().template.resourceCountIs('AWS::Scheduler::Schedule', expected.length);
  });

  it('use the config’s expressions in its IANA time zone, no flexible window, retries and the DLQ', () => {
    for (const spec of schedulesFor(config)) {
      // Act
      const p = scheduleOf(spec.job, spec.action, spec.expression);
      const target = p.Target as Props;

      // Assess
      expect(p.ScheduleExpression).toBe(spec.expression);
      expect(p.ScheduleExpressionTimezone).toBe(config.timeZone);
      expect(p.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      expect(p.State).toBe('ENABLED');
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [fnId(spec.job), 'Arn'] });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
      expect(target.DeadLetterConfig).toEqual({
        Arn: { 'Fn::GetAtt': [logicalId(prod().stack.deadLetters), 'Arn'] },
      });
    }
    expect(scheduleOf('teardown', 'run', 'cron(0 20 ? * MON-FRI *)').ScheduleExpressionTimezone).toBe(
      'Europe/Berlin',
    );
  });

  it('pass an input the trigger normalisation turns into the job’s request with a stable idempotency key', async () => {
    for (const spec of schedulesFor(config)) {
      // Prepare: what Scheduler sends once it fills in its placeholders
      const raw = String((scheduleOf(spec.job, spec.action, spec.expression).Target as Props).Input);
      const sent = JSON.parse(
        raw
          .replace('<aws.scheduler.scheduled-time>', '2026-03-02T19:00:00Z')
          .replace('<aws.scheduler.execution-id>', 'exec-1'),
      ) as unknown;

      // Act
      const trigger = await normalizeTrigger(sent, { job: spec.job, eventSource: config.events.source });

      // Assess
      expect(JSON.parse(raw)).toEqual({
        job: spec.job,
        action: spec.action,
        scheduledTime: '<aws.scheduler.scheduled-time>',
        executionId: '<aws.scheduler.execution-id>',
      });
      expect(trigger.kind).toBe('run');
      if (trigger.kind !== 'run') continue;
      expect(trigger.request).toMatchObject({ job: spec.job, action: spec.action });
      expect(trigger.delivery).toEqual({
        source: 'schedule',
        idempotencyKey: `${spec.job}:${spec.action}:2026-03-02T19:00:00Z`,
        at: '2026-03-02T19:00:00Z',
      });
    }
  });
});

describe('events', () => {
  const rules = () => resourcesOf('AWS::Events::Rule').map(([, r]) => r.Properties);

  it('one rule per job on the custom bus routes the config’s source and the job’s detail-types to it', () => {
    // Assess: and one hand-over rule per job (below)
    expect(rules()).toHaveLength(JOBS.length * 2);
    expect(detailTypesFor('allowlist-sync')).toEqual([
      'allowlist-sync.sync',
      'allowlist-sync.set-source',
      'cluster.created',
      'teardown.recreate.result',
    ]);
    expect(detailTypesFor('teardown')).toEqual([
      'teardown.notice',
      'teardown.run',
      'teardown.recreate',
      'teardown.keep-alive',
    ]);
    for (const job of JOBS) {
      prod().template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalId(prod().stack.bus) },
        EventPattern: { source: [config.events.source], 'detail-type': detailTypesFor(job) },
        Targets: [
          {
            Arn: { 'Fn::GetAtt': [fnId(job), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(prod().stack.deadLetters), 'Arn'] } },
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
            Id: Match.anyValue(),
          },
        ],
      });
    }
  });

  /** EventBridge matching, for the pattern features the rules use: value lists and `exists`. */
  function matches(pattern: Props, event: Props): boolean {
    return Object.entries(pattern).every(([key, rule]) => {
      const present = Object.hasOwn(event, key);
      const value = event[key];
      if (Array.isArray(rule)) {
        return rule.some((r: unknown) =>
          r !== null && typeof r === 'object' && 'exists' in r
            ? (r as { exists: boolean }).exists === present
            : present && (Array.isArray(value) ? value.includes(r) : value === r),
        );
      }
      return present && typeof value === 'object' && value !== null && matches(rule as Props, value as Props);
    });
  }

  /** The jobs whose rule an event on the bus reaches. */
  const routedTo = (detailType: string, detail: Props): JobName[] => {
    const event = { source: config.events.source, 'detail-type': detailType, detail };
    return JOBS.filter((job) =>
      rules().some(
        (r) =>
          render((r.Targets as Props[])[0]?.Arn) === `${fnId(job)}.Arn` &&
          matches(r.EventPattern as Props, event),
      ),
    );
  };

  it('what the jobs publish never comes back as a request; only the recreate result reaches the allowlist sync', async () => {
    // Prepare: the real teardown notice (its detail-type is also a request's), and every job's run summary
    const h = teardownHarness([teardownCluster('dev-a')]);
    await h.run('notice', teardownPolicy());
    const published: Array<{ detailType: string; detail: Props }> = [...h.events];
    for (const job of JOBS) {
      for (const action of JOB_ACTIONS[job]) {
        const events = memoryPublisher();
        const stores = createMemoryStores({ now: () => 0 });
        await executeRun(
          {
            ledger: stores.ledger,
            claims: stores.claims,
            clock: { now: () => 0 },
            log: silentLog,
            metrics: { count() {} },
            events,
          },
          { job, action },
          { source: 'direct', idempotencyKey: `${job}:${action}:1`, at: '2026-03-02T19:00:00Z' },
          { dryRun: false, concurrency: 1, timeMarginMs: 0, leaseMs: 60_000, retryFailed: true },
          async () => ({ clusters: [] }),
        );
        published.push(...events.events);
      }
    }

    // Act
    const routes = Object.fromEntries(published.map((e) => [e.detailType, routedTo(e.detailType, e.detail)]));

    // Assess
    expect(published.map((e) => e.detailType)).toContain(NOTICE_EVENT);
    expect(detailTypesFor('teardown')).not.toContain(NOTICE_EVENT);
    expect(routes[NOTICE_EVENT]).toEqual([]);
    expect(routes[RECREATE_RESULT]).toEqual(['allowlist-sync']);
    for (const [detailType, jobs] of Object.entries(routes)) {
      if (detailType !== RECREATE_RESULT) expect({ detailType, jobs }).toEqual({ detailType, jobs: [] });
    }
  });

  it('every request reaches exactly its job, which accepts it', async () => {
    // Prepare: one valid request detail per job and action (and a new cluster)
    const requests: Array<[JobName, string, Props]> = [
      ['backup', 'backup.run', { dryRun: true }],
      ['teardown', 'teardown.notice', {}],
      ['teardown', 'teardown.run', { dryRun: true }],
      ['teardown', 'teardown.recreate', {}],
      [
        'teardown',
        'teardown.keep-alive',
        { payload: { cluster: 'dev-a', until: '2026-03-03T06:00:00Z', by: 'alice', reason: 'demo' } },
      ],
      ['allowlist-sync', 'allowlist-sync.sync', {}],
      [
        'allowlist-sync',
        'allowlist-sync.set-source',
        { payload: { source: 'office-vpn', entries: [{ cidr: '198.51.100.0/24', description: 'vpn' }] } },
      ],
      ['allowlist-sync', CLUSTER_CREATED, { clusterId: 'uuid-new' }],
    ];

    for (const [job, detailType, detail] of requests) {
      // Act
      const jobs = routedTo(detailType, detail);
      const trigger = await normalizeTrigger(
        {
          source: config.events.source,
          'detail-type': detailType,
          detail,
          id: 'ev-1',
          time: '2026-03-02T19:00:00Z',
        },
        { job, eventSource: config.events.source },
      );

      // Assess
      expect({ detailType, jobs }).toEqual({ detailType, jobs: [job] });
      expect(trigger.kind).toBe('run');
    }
  });

  it('an accepted webhook (the ingress’s hand-over) reaches exactly its job, which runs it under the ingress’s key', async () => {
    for (const job of JOBS) {
      // Prepare: what functions/webhook-ingress/accept.ts publishes for this job
      const action = JOB_ACTIONS[job][0] ?? '';
      const handover: WebhookHandover = {
        idempotencyKey: 'webhook:msg_1',
        runId: 'run_bXNnXzE',
        at: '2026-03-02T19:00:00Z',
        sender: 'chat-bot',
        bodyDigest: 'sha256:abc',
        request: { job, action } as WebhookHandover['request'],
      };

      // Act
      const jobs = routedTo(WEBHOOK_ACCEPTED, handover as unknown as Props);
      const trigger = await normalizeTrigger(
        {
          source: config.events.source,
          'detail-type': WEBHOOK_ACCEPTED,
          detail: handover,
          id: 'ev-3',
          time: '2026-03-02T19:00:00Z',
        },
        { job, eventSource: config.events.source },
      );

      // Assess
      expect({ job, jobs }).toEqual({ job, jobs: [job] });
      expect(trigger.kind === 'run' && trigger.delivery.idempotencyKey).toBe('webhook:msg_1');
    }
    for (const job of JOBS) {
      prod().template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalId(prod().stack.bus) },
        EventPattern: {
          source: [config.events.source],
          'detail-type': [WEBHOOK_ACCEPTED],
          detail: { [PUBLISHED_MARKER]: [{ exists: true }], request: { job: [job] } },
        },
        Targets: [
          {
            Arn: { 'Fn::GetAtt': [fnId(job), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(prod().stack.deadLetters), 'Arn'] } },
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
            Id: Match.anyValue(),
          },
        ],
      });
    }
  });

  it('a request detail carrying the published marker would be refused anyway: the filter drops no valid request', async () => {
    // Act
    const attempt = normalizeTrigger(
      {
        source: config.events.source,
        'detail-type': NOTICE_EVENT,
        detail: { [PUBLISHED_MARKER]: 'x' },
        id: 'ev-2',
        time: '2026-03-02T19:00:00Z',
      },
      { job: 'teardown', eventSource: config.events.source },
    );

    // Assess
    await expect(attempt).rejects.toThrow(TriggerError);
  });
});
