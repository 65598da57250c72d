import { describe, expect, it } from 'vitest';
import { JOB_ACTIONS, JOBS } from '#lib/jobs/types.ts';
import { TriggerError } from '#lib/triggers/errors.ts';
import { parseJobRequest, requestSchemas } from '#lib/triggers/requests.ts';
import { thrownBy } from '#test/helpers/thrown.ts';

const KEEP_ALIVE = {
  cluster: 'dev-payments',
  until: '2026-01-16T06:00:00Z',
  by: 'alice',
  reason: 'load test',
};
const SET_SOURCE = {
  source: 'office-vpn',
  entries: [{ cidr: '203.0.113.0/24', description: 'Berlin office' }],
};

const failure = (value: unknown, expectedJob?: Parameters<typeof parseJobRequest>[1]): TriggerError =>
  thrownBy(TriggerError, () => parseJobRequest(value, expectedJob));

describe('parseJobRequest', () => {
  it('has a schema for exactly the actions of JOB_ACTIONS', () => {
    // Prepare / Act
    const schemaActions = Object.fromEntries(
      JOBS.map((job) => [job, Object.keys(requestSchemas()[job]).sort()]),
    );
    const declared = Object.fromEntries(JOBS.map((job) => [job, [...JOB_ACTIONS[job]].sort()]));
    // Assess
    expect(schemaActions).toEqual(declared);
  });

  it.each([
    { job: 'backup', action: 'run' },
    { job: 'backup', action: 'run', dryRun: true, clusterIds: ['1b0d1e0d-1111-2222-3333-444455556666'] },
    { job: 'teardown', action: 'notice' },
    { job: 'teardown', action: 'run', clusterIds: ['c-1'] },
    { job: 'teardown', action: 'recreate', dryRun: true },
    { job: 'teardown', action: 'keep-alive', payload: KEEP_ALIVE },
    {
      job: 'teardown',
      action: 'keep-alive',
      dryRun: true,
      payload: { ...KEEP_ALIVE, until: '2026-01-16T07:00:00+01:00' },
    },
    { job: 'allowlist-sync', action: 'sync' },
    { job: 'allowlist-sync', action: 'sync', clusterIds: ['c-1', 'c-2'] },
    { job: 'allowlist-sync', action: 'set-source', payload: SET_SOURCE },
    {
      job: 'allowlist-sync',
      action: 'set-source',
      payload: { ...SET_SOURCE, entries: [], updatedBy: 'netops' },
    },
  ])('accepts $job $action %#', (request) => {
    // Act
    const parsed = parseJobRequest(request);
    // Assess
    expect(parsed).toEqual(request);
  });

  it('drops dryRun false, trims text and removes duplicate cluster ids', () => {
    // Act
    const run = parseJobRequest({ job: 'backup', action: 'run', dryRun: false, clusterIds: ['a', 'b', 'a'] });
    const keep = parseJobRequest({
      job: 'teardown',
      action: 'keep-alive',
      payload: { ...KEEP_ALIVE, by: '  alice ', reason: ' load test\n' },
    });
    // Assess
    expect(run).toEqual({ job: 'backup', action: 'run', clusterIds: ['a', 'b'] });
    expect('dryRun' in run).toBe(false);
    expect(keep.payload).toEqual(KEEP_ALIVE);
  });

  it.each([
    ['a non-object', 'run now', '(request)', /must be a JSON object, got string/],
    ['an array', [{ job: 'backup' }], '(request)', /got an array/],
    [
      'an unknown job',
      { job: 'restore', action: 'run' },
      'job',
      /job: must be one of backup, teardown, allowlist-sync/,
    ],
    [
      'an unknown action',
      { job: 'teardown', action: 'suspend' },
      'action',
      /notice, run, recreate, keep-alive/,
    ],
    ['an unknown key', { job: 'backup', action: 'run', force: true }, 'force', /unknown field force/],
    [
      'a string dryRun',
      { job: 'backup', action: 'run', dryRun: 'true' },
      'dryRun',
      /dryRun: must be true or false/,
    ],
    [
      'an empty clusterIds',
      { job: 'backup', action: 'run', clusterIds: [] },
      'clusterIds',
      /at least one cluster/,
    ],
    [
      'a bad cluster id',
      { job: 'backup', action: 'run', clusterIds: ['ok', 'a b'] },
      'clusterIds.1',
      /cluster uuid/,
    ],
    [
      'a payload on backup',
      { job: 'backup', action: 'run', payload: {} },
      'payload',
      /unknown field payload/,
    ],
    [
      'clusterIds on keep-alive',
      { job: 'teardown', action: 'keep-alive', clusterIds: ['a'], payload: KEEP_ALIVE },
      'clusterIds',
      /unknown field clusterIds/,
    ],
    ['a missing payload', { job: 'teardown', action: 'keep-alive' }, 'payload', /payload/],
    [
      'a keep-alive without reason',
      { job: 'teardown', action: 'keep-alive', payload: { ...KEEP_ALIVE, reason: undefined } },
      'payload.reason',
      /payload\.reason/,
    ],
    [
      'a blank keep-alive reason',
      { job: 'teardown', action: 'keep-alive', payload: { ...KEEP_ALIVE, reason: '   ' } },
      'payload.reason',
      /payload\.reason: must not be empty/,
    ],
    [
      'an over-long keep-alive reason',
      { job: 'teardown', action: 'keep-alive', payload: { ...KEEP_ALIVE, reason: 'x'.repeat(501) } },
      'payload.reason',
      /at most 500 characters/,
    ],
    [
      'a keep-alive until without offset',
      { job: 'teardown', action: 'keep-alive', payload: { ...KEEP_ALIVE, until: '2026-01-16T06:00:00' } },
      'payload.until',
      /payload\.until: must be an ISO 8601 instant/,
    ],
    [
      'a keep-alive until in words',
      { job: 'teardown', action: 'keep-alive', payload: { ...KEEP_ALIVE, until: 'tomorrow 6am' } },
      'payload.until',
      /ISO 8601 instant/,
    ],
    [
      'an unknown keep-alive field',
      { job: 'teardown', action: 'keep-alive', payload: { ...KEEP_ALIVE, hours: 4 } },
      'payload.hours',
      /unknown field hours/,
    ],
    [
      'an upper-case source name',
      { job: 'allowlist-sync', action: 'set-source', payload: { ...SET_SOURCE, source: 'Office_VPN' } },
      'payload.source',
      /lower-case letters, digits or dashes/,
    ],
    [
      'a 64-character source name',
      { job: 'allowlist-sync', action: 'set-source', payload: { ...SET_SOURCE, source: 'a'.repeat(64) } },
      'payload.source',
      /payload\.source/,
    ],
    [
      'an entry without description',
      {
        job: 'allowlist-sync',
        action: 'set-source',
        payload: { ...SET_SOURCE, entries: [{ cidr: '10.0.0.0/8' }] },
      },
      'payload.entries.0.description',
      /payload\.entries\.0\.description/,
    ],
    [
      'a numeric cidr',
      {
        job: 'allowlist-sync',
        action: 'set-source',
        payload: { ...SET_SOURCE, entries: [{ cidr: 10, description: '' }] },
      },
      'payload.entries.0.cidr',
      /payload\.entries\.0\.cidr/,
    ],
    [
      'entries that are not a list',
      { job: 'allowlist-sync', action: 'set-source', payload: { ...SET_SOURCE, entries: '10.0.0.0/8' } },
      'payload.entries',
      /payload\.entries/,
    ],
  ])('refuses %s with 422 naming %s', (_name, value, path, message) => {
    // Act
    const err = failure(value);
    // Assess
    expect(err.status).toBe(422);
    expect(err.path).toBe(path);
    expect(err.message).toMatch(message);
  });

  it('accepts a recreate follow-up numbered 1–100 and refuses any other continuation', () => {
    // Act / Assess
    expect(
      parseJobRequest({ job: 'teardown', action: 'recreate', payload: { continuation: 3 } }),
    ).toMatchObject({ payload: { continuation: 3 } });
    for (const continuation of [0, -1, 1.5, 101, '2', null]) {
      const err = failure({ job: 'teardown', action: 'recreate', payload: { continuation } });
      expect(err.message).toMatch(/payload\.continuation/);
    }
    expect(
      failure({ job: 'teardown', action: 'recreate', payload: { continuation: 1, extra: 1 } }).message,
    ).toMatch(/extra/);
  });

  it("refuses a request for another function's job", () => {
    // Act
    const err = failure({ job: 'backup', action: 'run' }, 'teardown');
    // Assess
    expect(err.status).toBe(422);
    expect(err.path).toBe('job');
    expect(err.message).toBe('job: this function runs the teardown job, not backup');
  });

  it('does not accept an action inherited from Object.prototype', () => {
    // Act
    const err = failure({ job: 'backup', action: 'toString' });
    // Assess
    expect(err.path).toBe('action');
  });
});

describe('unsafe characters in request text', () => {
  it.each([
    [
      'by',
      { by: 'ali\u202Ece' },
      'payload.by',
      /payload\.by: contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\) at position 4/,
    ],
    ['reason', { reason: 'load\u200Btest' }, 'payload.reason', /payload\.reason: contains U\+200B/],
    ['reason', { reason: 'two\nlines' }, 'payload.reason', /payload\.reason: contains U\+000A \(LINE FEED\)/],
    ['cluster', { cluster: 'dev-\u2066x' }, 'payload.cluster', /U\+2066/],
  ])('refuses a keep-alive %s with an unsafe character', (_, change, path, message) => {
    try {
      parseJobRequest({ job: 'teardown', action: 'keep-alive', payload: { ...KEEP_ALIVE, ...change } });
    } catch (error) {
      expect(error).toBeInstanceOf(TriggerError);
      expect((error as TriggerError).status).toBe(422);
      expect((error as TriggerError).message).toMatch(message);
      expect((error as TriggerError).path).toBe(path);
      return;
    }
    throw new Error('expected a refusal');
  });

  it('refuses unsafe characters in a set-source description and updatedBy', () => {
    const bad = (payload: unknown) => () =>
      parseJobRequest({ job: 'allowlist-sync', action: 'set-source', payload });
    expect(
      bad({ source: 'office-vpn', entries: [{ cidr: '198.51.100.1', description: 'vpn\u202Eevil' }] }),
    ).toThrow(/payload\.entries\.0\.description: contains U\+202E/);
    expect(bad({ source: 'office-vpn', entries: [], updatedBy: 'bob\u0007' })).toThrow(
      /payload\.updatedBy: contains U\+0007/,
    );
  });
});
