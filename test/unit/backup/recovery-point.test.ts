import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessRecoveryPoint, fleetFigures, targetFor } from '#functions/backup/recovery-point.ts';
import type { Backup } from '#lib/console/client.ts';
import { cluster } from '#test/unit/backup/fakes.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * HOUR).toISOString();
const b = (uuid: string, status: Backup['status'], hoursAgo: number): Backup => ({
  uuid,
  status,
  created: at(hoursAgo),
});

describe('targetFor', () => {
  it('takes the strictest of the matching targets, whatever their order', () => {
    const targets = [
      { selector: { labels: ['prod'] }, maxAgeHours: 24 },
      { selector: { names: ['prod-*'] }, maxAgeHours: 1 },
      { selector: { names: ['stage-*'] }, maxAgeHours: 0.5 },
    ];
    expect(targetFor(cluster('prod-a', 'Healthy', ['prod']), targets)?.maxAgeHours).toBe(1);
    expect(targetFor(cluster('prod-a', 'Healthy', ['prod']), [...targets].reverse())?.maxAgeHours).toBe(1);
    expect(targetFor(cluster('dev-a', 'Healthy', ['prod']), targets)?.maxAgeHours).toBe(24);
    expect(targetFor(cluster('dev-a'), targets)).toBeUndefined();
  });
});

describe('assessRecoveryPoint', () => {
  it('measures the newest Complete backup of any kind, ignoring failed and running ones', () => {
    const point = assessRecoveryPoint(
      [b('old', 'Complete', 10), b('new', 'Complete', 2), b('run', 'In progress', 0.1), b('f', 'Failed', 1)],
      NOW,
      24,
    );
    expect(point).toMatchObject({
      status: 'ok',
      newestCompleteBackupId: 'new',
      newestCompleteAgeSeconds: 2 * 3600,
      completeBackups: 2,
      failedSinceComplete: 1,
    });
  });

  it('is past target once the newest Complete backup is older than the target', () => {
    expect(assessRecoveryPoint([b('a', 'Complete', 25)], NOW, 24)).toMatchObject({
      status: 'past-target',
      text: 'newest Complete backup 25h 0m old, past its 24h target',
    });
    expect(assessRecoveryPoint([b('a', 'Complete', 24)], NOW, 24).status).toBe('ok');
    expect(assessRecoveryPoint([], NOW, 24).status).toBe('no-complete-backup');
    expect(assessRecoveryPoint([b('a', 'Complete', 25)], NOW, undefined).status).toBe('no-target');
  });

  it('calls out failures after the last good backup before it ages out, with the time left', () => {
    // Two failures in a row after the only Complete backup.
    const twice = assessRecoveryPoint(
      [b('ok', 'Complete', 20), b('f1', 'Failed', 8), b('f2', 'Failed', 2)],
      NOW,
      24,
    );
    expect(twice.status).toBe('at-risk');
    expect(twice.text).toContain(
      '2 backup(s) failed since it and 1 Complete backup(s) left: it passes its target in 4h 0m',
    );
    // One failure with a single Complete backup left.
    expect(assessRecoveryPoint([b('ok', 'Complete', 5), b('f', 'Failed', 1)], NOW, 24).status).toBe(
      'at-risk',
    );
    // One failure with three Complete backups left is not (yet) a risk.
    expect(
      assessRecoveryPoint(
        [b('a', 'Complete', 30), b('b', 'Complete', 20), b('c', 'Complete', 5), b('f', 'Failed', 1)],
        NOW,
        48,
      ).status,
    ).toBe('ok');
  });

  it('never reports ok for a cluster whose newest Complete backup is older than its target (property)', () => {
    const status = fc.constantFrom<Backup['status']>('Complete', 'Failed', 'In progress');
    fc.assert(
      fc.property(
        fc.array(fc.record({ s: status, h: fc.double({ min: 0, max: 100, noNaN: true }) }), { maxLength: 8 }),
        fc.double({ min: 0.25, max: 72, noNaN: true }),
        (list, target) => {
          const backups = list.map((x, i) => b(`b${i}`, x.s, x.h));
          const point = assessRecoveryPoint(backups, NOW, target);
          const complete = backups.filter((x) => x.status === 'Complete');
          const newestAgeH = Math.min(...complete.map((x) => (NOW - Date.parse(x.created)) / HOUR));
          const breached = complete.length === 0 || newestAgeH > target;
          return breached ? point.status === 'past-target' || point.status === 'no-complete-backup' : true;
        },
      ),
      { seed: 1301, verbose: true },
    );
  });

  it('sums the fleet figures over targeted clusters only', () => {
    const points = [
      assessRecoveryPoint([b('a', 'Complete', 30)], NOW, 24),
      assessRecoveryPoint([], NOW, 24),
      assessRecoveryPoint([b('c', 'Complete', 1), b('f', 'Failed', 0.5)], NOW, 24),
      assessRecoveryPoint([b('d', 'Complete', 100)], NOW, undefined),
    ];
    expect(fleetFigures(points)).toEqual({ pastTarget: 2, atRisk: 1, oldestAgeSeconds: 30 * 3600 });
  });
});
