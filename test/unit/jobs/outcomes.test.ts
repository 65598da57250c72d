// The outcome vocabulary every job reports in (lib/jobs/outcomes.ts): one shape per status, built from the
// two identifying fields of the subject only, detail only when given.
import { describe, expect, it } from 'vitest';
import { deferred, detailOf, done, failed, outcomePart, skipped, subjectOf } from '#lib/jobs/outcomes.ts';

const ITEM = { clusterId: 'c1', clusterName: 'cluster-1', cluster: { big: true } };

describe('outcome constructors', () => {
  it('build each status from the two identifying fields only', () => {
    expect(done(ITEM, 'backup-created')).toEqual({
      clusterId: 'c1',
      clusterName: 'cluster-1',
      status: 'done',
      action: 'backup-created',
    });
    expect(skipped(ITEM, 'in sync')).toEqual({
      clusterId: 'c1',
      clusterName: 'cluster-1',
      status: 'skipped',
      reason: 'in sync',
    });
    expect(failed(ITEM, 'boom')).toEqual({
      clusterId: 'c1',
      clusterName: 'cluster-1',
      status: 'failed',
      error: 'boom',
    });
    expect(deferred(ITEM, 'later')).toEqual({
      clusterId: 'c1',
      clusterName: 'cluster-1',
      status: 'deferred',
      reason: 'later',
    });
  });

  it('carry a detail only when one is given', () => {
    expect(Object.keys(done(ITEM, 'x'))).not.toContain('detail');
    expect(detailOf(done(ITEM, 'x', { backupId: 'b1' }))).toEqual({ backupId: 'b1' });
    expect(detailOf(skipped(ITEM, 'x', { n: 1 }))).toEqual({ n: 1 });
    expect(detailOf(failed(ITEM, 'x', { n: 3 }))).toEqual({ n: 3 });
    expect(detailOf(failed(ITEM, 'x', { n: 2 }))).toEqual({ n: 2 });
    expect(detailOf(deferred(ITEM, 'later'))).toBeUndefined();
  });

  it('name a Console cluster by its uuid and name', () => {
    expect(subjectOf({ uuid: 'u1', name: 'dev-a' })).toEqual({ clusterId: 'u1', clusterName: 'dev-a' });
  });

  it('nest an outcome without its cluster in another one', () => {
    expect(outcomePart(done(ITEM, 'backup-created', { backupId: 'b1' }))).toEqual({
      status: 'done',
      action: 'backup-created',
      backupId: 'b1',
    });
    expect(outcomePart(failed(ITEM, 'boom'))).toEqual({ status: 'failed', error: 'boom' });
    expect(outcomePart(skipped(ITEM, 'in sync'))).toEqual({ status: 'skipped', reason: 'in sync' });
    expect(outcomePart(deferred(ITEM, 'later'))).toEqual({ status: 'deferred', reason: 'later' });
  });
});
