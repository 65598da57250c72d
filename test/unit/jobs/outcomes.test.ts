// The outcome vocabulary every job reports in (lib/jobs/outcomes.ts): one shape per status, built from the
// two identifying fields of the subject only, detail only when given.
import { describe, expect, it } from 'vitest';
import { deferred, detailOf, done, failed, outcomePart, skipped, subjectOf } from '#lib/jobs/outcomes.ts';

const ITEM = { clusterId: 'c1', clusterName: 'cluster-1', cluster: { big: true } };

describe('outcome constructors', () => {
  it('build each status from the two identifying fields only', () => {
    const subject = { clusterId: 'c1', clusterName: 'cluster-1' };
    const cases = [
      [done(ITEM, 'backup-created'), { status: 'done', action: 'backup-created' }],
      [skipped(ITEM, 'in sync'), { status: 'skipped', reason: 'in sync' }],
      [failed(ITEM, 'boom'), { status: 'failed', error: 'boom' }],
      [deferred(ITEM, 'later'), { status: 'deferred', reason: 'later' }],
    ] as const;
    for (const [outcome, fields] of cases) expect(outcome).toEqual({ ...subject, ...fields });
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
