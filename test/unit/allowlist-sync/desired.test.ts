import { describe, expect, it } from 'vitest';
import { desiredFor } from '#functions/allowlist-sync/desired.ts';
import { AllowlistValidationError } from '#lib/allowlist/entries.ts';
import type { AllowlistSource } from '#lib/jobs/ports.ts';
import { recordingLog } from '#local/recording-log.ts';
import { thrownBy } from '#test/helpers/thrown.ts';
import { cluster, policy } from './fakes.ts';

function source(name: string, entries: AllowlistSource['entries']): AllowlistSource {
  return { name, entries, updatedAt: '2026-03-01T00:00:00.000Z', version: 1 };
}

const thrown = (fn: () => unknown) => thrownBy(AllowlistValidationError, fn);

describe('desiredFor', () => {
  it('adds every declared source whose selector matches the cluster, and only those', () => {
    // Prepare
    const p = policy({
      sources: {
        'office-vpn': {},
        'payments-partners': { selector: { labels: ['team-payments'] } },
      },
    });
    const sources = [
      source('payments-partners', [{ cidr: '192.0.2.0/24', description: 'partner' }]),
      source('office-vpn', [{ cidr: '198.51.100.10/32', description: 'vpn' }]),
    ];
    const payments = cluster('prod-payments', { labels: ['team-payments'] });
    const orders = cluster('prod-orders', { labels: ['team-orders'] });

    // Act
    const forPayments = desiredFor(payments, p, sources);
    const forOrders = desiredFor(orders, p, sources);

    // Assess
    expect(forPayments).toEqual([
      { cidr: '192.0.2.0/24', description: 'partner' },
      { cidr: '198.51.100.10/32', description: 'vpn' },
      { cidr: '203.0.113.0/24', description: 'office' },
    ]);
    expect(forOrders).toEqual([
      { cidr: '198.51.100.10/32', description: 'vpn' },
      { cidr: '203.0.113.0/24', description: 'office' },
    ]);
  });

  it('ignores a stored source the policy does not declare, with a warning', () => {
    // Prepare
    const log = recordingLog();
    const sources = [source('forgotten', [{ cidr: '10.0.0.0/8', description: 'old' }])];

    // Act
    const desired = desiredFor(cluster('prod-a'), policy(), sources, log);

    // Assess
    expect(desired).toEqual([{ cidr: '203.0.113.0/24', description: 'office' }]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', data: { source: 'forgotten' } }),
    );
  });

  it('merges an address listed by static entries and a source into one entry', () => {
    // Prepare
    const p = policy({ sources: { vpn: {} } });
    const sources = [source('vpn', [{ cidr: '203.0.113.0/24', description: 'vpn' }])];

    // Act
    const desired = desiredFor(cluster('prod-a'), p, sources);

    // Assess
    expect(desired).toEqual([{ cidr: '203.0.113.0/24', description: 'office; vpn' }]);
  });

  it('refuses an empty list unless the policy allows it', () => {
    // Prepare
    const strict = policy({ static: [], sources: { vpn: {} } });
    const lenient = policy({ static: [], sources: { vpn: {} }, allowEmpty: true });
    const sources = [source('vpn', [])];

    // Act
    const error = thrown(() => desiredFor(cluster('prod-a'), strict, sources));
    const allowed = desiredFor(cluster('prod-a'), lenient, sources);

    // Assess
    expect(error.message).toContain('empty');
    expect(allowed).toEqual([]);
  });

  it("names the source of a bad entry and checks the source's own maxEntries", () => {
    // Prepare
    const p = policy({ sources: { vpn: { maxEntries: 1 }, partners: {} } });
    const bad = [source('partners', [{ cidr: '10.0.0.0/33', description: 'typo' }])];
    const tooMany = [
      source('vpn', [
        { cidr: '198.51.100.1/32', description: 'a' },
        { cidr: '198.51.100.2/32', description: 'b' },
      ]),
    ];

    // Act
    const badError = thrown(() => desiredFor(cluster('prod-a'), p, bad));
    const tooManyError = thrown(() => desiredFor(cluster('prod-a'), p, tooMany));

    // Assess
    expect(badError.problems).toEqual([
      expect.objectContaining({ index: 0, field: 'cidr', value: '10.0.0.0/33' }),
    ]);
    expect(badError.message).toContain("source 'partners'");
    expect(tooManyError.message).toContain('maxEntries 1');
    expect(tooManyError.message).toContain("source 'vpn'");
  });

  it('refuses a combined list over the policy maxEntries', () => {
    // Prepare
    const p = policy({ maxEntries: 2, sources: { vpn: {} } });
    const sources = [
      source('vpn', [
        { cidr: '198.51.100.1/32', description: 'a' },
        { cidr: '198.51.100.2/32', description: 'b' },
      ]),
    ];

    // Act
    const error = thrown(() => desiredFor(cluster('prod-a'), p, sources));

    // Assess
    expect(error.message).toContain('3 entries');
    expect(error.message).toContain("cluster 'prod-a'");
  });
});
