import { describe, expect, it } from 'vitest';
import { expectToContainAll } from '#test/helpers/text.ts';
import { ranOn } from '#test/unit/bench/fixtures.ts';
import {
  ACTION_ROUTES,
  auditActions,
  boundRatio,
  checkGoals,
  clusterIdOf,
  consoleCalls,
  type JobRun,
  type JobsBenchReport,
  jobsSection,
  type LoggedRequest,
  rateLimitBoundMs,
  renderJobsSection,
  rssMB,
  type WorkerResult,
} from '../../../bench/lib/jobs-report.ts';

const POST_BACKUP = ACTION_ROUTES.backup;

function req(route: string, path: string, status: number): LoggedRequest {
  const [method = 'GET'] = route.split(' ');
  return { method, path, route, status };
}

function worker(overrides: Partial<WorkerResult> = {}): WorkerResult {
  return {
    job: 'backup',
    action: 'run',
    wallMs: 10_000,
    counts: { done: 8, skipped: 2, failed: 0, deferred: 0 },
    clusters: 10,
    notes: [],
    actions: { 'backup-created': 8 },
    reasons: { 'skipped: cluster is Suspended': 2 },
    maxRssKiB: 150_000,
    client: { requests: 20, retries: 1, throttled: 1, failures: 0, gateWaits: 3, throttledMs: 1000 },
    ...overrides,
  };
}

function run(overrides: Partial<JobRun> = {}, w: Partial<WorkerResult> = {}): JobRun {
  return {
    label: 'backup run',
    worker: worker(w),
    calls: { total: 21, throttled: 1, needed: 20, byRoute: { [POST_BACKUP]: 9, 'GET /clusters': 1 } },
    audit: {
      route: POST_BACKUP,
      applied: 8,
      clusters: 8,
      duplicates: 0,
      duplicateClusters: [],
      throttled: 1,
      otherFailures: 0,
    },
    boundMs: 9_000,
    ...overrides,
  };
}

describe('rateLimitBoundMs', () => {
  it('is the calls divided by the rate, in milliseconds', () => {
    // Act / Assess
    expect(rateLimitBoundMs(500, { perSecond: 50 })).toBe(10_000);
    expect(rateLimitBoundMs(1, { perSecond: 4 })).toBe(250);
    expect(rateLimitBoundMs(0, { perSecond: 50 })).toBe(0);
  });

  it('refuses a rate that is not positive and a negative call count', () => {
    expect(() => rateLimitBoundMs(10, { perSecond: 0 })).toThrow(RangeError);
    expect(() => rateLimitBoundMs(-1, { perSecond: 10 })).toThrow(RangeError);
  });
});

describe('clusterIdOf', () => {
  it('takes the uuid from any path under one cluster, and none from the collection routes', () => {
    expect(clusterIdOf('/clusters/abc-123/backups')).toBe('abc-123');
    expect(clusterIdOf('/clusters/abc-123')).toBe('abc-123');
    expect(clusterIdOf('/clusters/a%2Fb/ipallowlist')).toBe('a/b');
    expect(clusterIdOf('/clusters')).toBeUndefined();
    expect(clusterIdOf('/clusters/parameters')).toBeUndefined();
    expect(clusterIdOf('/meta/ip-ranges')).toBeUndefined();
  });
});

describe('consoleCalls', () => {
  it('counts Console requests without OAuth, and splits off the 429 answers', () => {
    // Prepare
    const log: LoggedRequest[] = [
      { method: 'POST', path: '/oauth/token', route: 'oauth', status: 200 },
      req('GET /clusters', '/clusters', 200),
      req(POST_BACKUP, '/clusters/a/backups', 429),
      req(POST_BACKUP, '/clusters/a/backups', 200),
      { method: 'GET', path: '/nope', status: 404 },
    ];
    // Act
    const calls = consoleCalls(log);
    // Assess
    expect(calls).toEqual({
      total: 4,
      throttled: 1,
      needed: 3,
      byRoute: { 'GET /clusters': 1, [POST_BACKUP]: 2, 'GET (unmatched)': 1 },
    });
  });
});

describe('auditActions', () => {
  it('finds no duplicate when each cluster got its action applied once, 429s and retries aside', () => {
    // Prepare
    const log = [
      req(POST_BACKUP, '/clusters/a/backups', 429),
      req(POST_BACKUP, '/clusters/a/backups', 200),
      req(POST_BACKUP, '/clusters/b/backups', 200),
      req('GET /clusters/{clusterUuid}/backups', '/clusters/a/backups', 200),
    ];
    // Act
    const audit = auditActions(log, POST_BACKUP);
    // Assess
    expect(audit).toEqual({
      route: POST_BACKUP,
      applied: 2,
      clusters: 2,
      duplicates: 0,
      duplicateClusters: [],
      throttled: 1,
      otherFailures: 0,
    });
  });

  it('counts every applied action beyond the first for the same cluster', () => {
    // Prepare: a created twice, c three times, b once; one refused with 400
    const log = [
      req(POST_BACKUP, '/clusters/a/backups', 200),
      req(POST_BACKUP, '/clusters/a/backups', 201),
      req(POST_BACKUP, '/clusters/b/backups', 200),
      req(POST_BACKUP, '/clusters/c/backups', 200),
      req(POST_BACKUP, '/clusters/c/backups', 200),
      req(POST_BACKUP, '/clusters/c/backups', 200),
      req(POST_BACKUP, '/clusters/b/backups', 400),
    ];
    // Act
    const audit = auditActions(log, POST_BACKUP);
    // Assess
    expect(audit.applied).toBe(6);
    expect(audit.clusters).toBe(3);
    expect(audit.duplicates).toBe(3);
    expect(audit.duplicateClusters).toEqual(['a', 'c']);
    expect(audit.otherFailures).toBe(1);
  });

  it('looks only at the route it is given: a DELETE of a backup is not a cluster delete', () => {
    // Prepare
    const log = [
      req('DELETE /clusters/{clusterUuid}/backups/{backupId}', '/clusters/a/backups/x', 200),
      req('DELETE /clusters/{clusterUuid}/backups/{backupId}', '/clusters/a/backups/y', 200),
      req(ACTION_ROUTES.teardown, '/clusters/a', 204),
    ];
    // Act
    const audit = auditActions(log, ACTION_ROUTES.teardown);
    // Assess
    expect(audit.applied).toBe(1);
    expect(audit.duplicates).toBe(0);
  });
});

describe('goals', () => {
  it('passes a run within 1.25× of its bound, under 200 MB, without duplicates or failures', () => {
    // Prepare: 10 s against a 9 s bound, 150,000 KiB ≈ 153.6 MB
    const r = run();
    // Act
    const goals = checkGoals(r);
    // Assess
    expect(boundRatio(r)).toBeCloseTo(10 / 9);
    expect(rssMB(150_000)).toBeCloseTo(153.6);
    expect(goals).toEqual({ bound: true, memory: true, duplicates: true, clean: true });
  });

  it('fails each goal on its own figure', () => {
    // Prepare: 12 s against 9 s; 196,000 KiB is 200.7 MB (but only 191 MiB); one duplicate; one deferred
    const r = run(
      { audit: { ...run().audit, duplicates: 1, duplicateClusters: ['a'] } },
      { wallMs: 12_000, maxRssKiB: 196_000, counts: { done: 8, skipped: 1, failed: 0, deferred: 1 } },
    );
    // Act
    const goals = checkGoals(r);
    // Assess
    expect(goals).toEqual({ bound: false, memory: false, duplicates: false, clean: false });
  });

  it('treats a handler error as unclean even without counts', () => {
    const r = run({}, { error: 'TypeError: boom', counts: undefined });
    expect(checkGoals(r).clean).toBe(false);
  });
});

const renderReport = (runs: JobRun[]): JobsBenchReport => ({
  ...ranOn('npm run bench:jobs'),
  durationMs: 45_000,
  load: { start: 0.5, end: 1.5 },
  orgClusters: 1000,
  latencyMs: 100,
  limit: { perSecond: 50, burst: 50 },
  concurrency: 10,
  budgetMs: 900_000,
  policies: { 'backup run': 'selector `{"labels":["env-prod"]}`' },
  runs,
});

describe('renderJobsSection', () => {
  it('shows the command, each job’s figures, and reads them against the goals', () => {
    // Act
    const text = renderJobsSection(renderReport([run()]));
    // Assess
    expectToContainAll(text, [
      '```sh\nnpm run bench:jobs\n```',
      'backup run: selector `{"labels":["env-prod"]}`',
      '| backup run | 10 | 8 / 2 / 0 / 0 | 20 (+ 1) | 2.00 | 9000 ms | 10000 ms | 1.11× | 154 MB | 8 (8) | 0 |',
      'Every job finished within 1.25× of the bound',
      'No action was applied twice',
      '2 × skipped: cluster is Suspended',
      'applied exactly as many actions as the run summaries report',
    ]);
  });

  it('points out a run whose applied actions differ from what its summary reports', () => {
    // Prepare: the simulator applied 9 POSTs, the summary reports 8 backups created
    const r = run({ audit: { ...run().audit, applied: 9, clusters: 9 } });
    // Act
    const text = renderJobsSection(renderReport([r]));
    // Assess
    expect(text).toContain('backup run 9 applied, 8 reported');
  });

  it('says which job missed a goal instead of claiming it was met', () => {
    // Prepare
    const slow = run({ label: 'teardown run' }, { wallMs: 20_000 });
    // Act
    const text = renderJobsSection(renderReport([run(), slow]));
    // Assess
    expect(text).toContain('teardown run missed the 1.25× goal');
    expect(text).not.toContain('Every job finished within');
  });
});

describe('jobsSection', () => {
  const ALL = [
    { job: 'backup', label: 'backup run' },
    { job: 'allowlist-sync', label: 'allowlist sync' },
    { job: 'secrets-sync', label: 'secrets sync' },
  ];

  it('writes the run of every job, in any order, to the jobs section', () => {
    // Act
    const section = jobsSection(['secrets-sync', 'backup', 'allowlist-sync'], ALL, 1000);
    // Assess
    expect(section).toEqual({ name: 'jobs', title: 'Jobs: 1,000 clusters through the real handlers' });
  });

  it('writes a run of some jobs to a section of their own, so the full run’s figures stay', () => {
    // Act
    const one = jobsSection(['secrets-sync'], ALL, 1000);
    const two = jobsSection(['secrets-sync', 'backup', 'backup'], ALL, 500);
    // Assess
    expect(one).toEqual({
      name: 'jobs-secrets-sync',
      title: 'Jobs: secrets sync alone, 1,000 clusters through the real handler',
    });
    expect(two).toEqual({
      name: 'jobs-backup-secrets-sync',
      title: 'Jobs: backup run and secrets sync alone, 500 clusters through the real handlers',
    });
  });

  it('shows how busy the worker’s CPU was, when the worker measured it, so a CPU-starved run can be told apart', () => {
    // Act
    const measured = renderJobsSection(renderReport([run({}, { cpuMs: 8_500 })]));
    const unmeasured = renderJobsSection(renderReport([run()]));
    // Assess
    expect(measured).toContain('Worker CPU 8500 ms in 10000 ms of wall time (85 %).');
    expect(unmeasured).not.toContain('Worker CPU');
  });

  it('puts the title it is given at the head of the section', () => {
    // Act
    const text = renderJobsSection({ ...renderReport([run()]), title: 'Jobs: backup run alone' });
    // Assess
    expect(text.split('\n')[0]).toBe('## Jobs: backup run alone');
  });
});
