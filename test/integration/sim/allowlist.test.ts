import { describe, expect, it } from 'vitest';
import { call, clusterOf, idOf, simulatorsPerTest, withCluster } from '#test/integration/sim/http.ts';

const start = simulatorsPerTest();

describe('simulator: IP allowlist', () => {
  it('replaces the whole allowlist, IPv4, IPv6 and comma-separated lists alike', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-payments');
    const rules = [
      { description: 'office', ip: '198.51.100.0/24' },
      { description: 'nat gateways', ip: '203.0.113.7, 203.0.113.8/32' },
      { description: 'v6', ip: '2001:db8::/32' },
    ];

    // Act
    const res = await call(s, 'PUT', `/clusters/${id}/ipallowlist`, { body: { ipallowlist: rules } });

    // Assess
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await clusterOf(s, id)).ipallowlist).toEqual(rules);
  });

  it('removes the allowlist with an empty list', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-payments');

    // Act
    const res = await call(s, 'PUT', `/clusters/${id}/ipallowlist`, { body: { ipallowlist: [] } });

    // Assess
    expect(res.status).toBe(204);
    expect((await clusterOf(s, id)).ipallowlist).toEqual([]);
  });

  it.each([
    ['a prefix over 32', '10.0.0.0/33'],
    ['an octet over 255', '10.0.0.256'],
    ['a hostname', 'example.com'],
    ['an empty entry', '10.0.0.0/8,'],
    ['an IPv6 zone id', 'fe80::1%eth0'],
  ])('rejects %s with 400 and leaves the list unchanged', async (_name, ip) => {
    // Prepare
    const { s, id } = await withCluster(start(), 'prod-payments');
    const before = (await clusterOf(s, id)).ipallowlist;

    // Act
    const res = await call(s, 'PUT', `/clusters/${id}/ipallowlist`, {
      body: {
        ipallowlist: [
          { description: 'ok', ip: '10.0.0.0/8' },
          { description: 'bad', ip },
        ],
      },
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.text).toContain('ipallowlist[1]');
    expect((await clusterOf(s, id)).ipallowlist).toEqual(before);
  });

  it('moves a legacy ipwhitelist-only cluster to ipallowlist on write', async () => {
    // Prepare
    const { s, id } = await withCluster(start(), 'stage-payments');

    // Act
    await call(s, 'PUT', `/clusters/${id}/ipallowlist`, {
      body: { ipallowlist: [{ description: 'vpn', ip: '192.0.2.1' }] },
    });

    // Assess
    const c = await clusterOf(s, id);
    expect(c.ipallowlist).toEqual([{ description: 'vpn', ip: '192.0.2.1' }]);
    expect(c.ipwhitelist).toBeUndefined();
  });

  it('answers 403 on a plan without allowlists, 404 for an unknown cluster and 410 to the deprecated ipwhitelist PUT', async () => {
    // Prepare
    const s = await start();
    const body = { ipallowlist: [{ description: 'x', ip: '10.0.0.0/8' }] };

    // Act
    const starter = await call(s, 'PUT', `/clusters/${idOf(s, 'dev-payments')}/ipallowlist`, { body });
    const unknown = await call(s, 'PUT', '/clusters/nope/ipallowlist', { body });
    const legacy = await call(s, 'PUT', `/clusters/${idOf(s, 'prod-payments')}/ipwhitelist`, {
      body: { ipwhitelist: body.ipallowlist },
    });

    // Assess
    expect(starter.status).toBe(403);
    expect(unknown.status).toBe(404);
    expect(legacy.status).toBe(410);
  });
});
