// The `allowlist` block of the config schema: static entries under their rules, sources.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#lib/config/schema.ts';
import { allowlistOn, issueAt, issuesOf } from './issues.ts';

describe('parseConfig refuses bad values, naming the setting', () => {
  it('names the failing static allowlist entry by index and field', () => {
    // Act
    const issues = issuesOf({
      allowlist: {
        static: [
          { cidr: '203.0.113.0/24', description: 'office' },
          { cidr: '198.51.100.0/24', description: '' },
          { cidr: '10.1.2.3/8', description: 'vpn' },
          'not-an-entry',
        ],
      },
    });
    // Assess
    expect(issues).toEqual([
      { path: 'allowlist.static[1].description', message: expect.stringMatching(/must not be empty/) },
      { path: 'allowlist.static[2].cidr', message: expect.stringMatching(/did you mean 10\.0\.0\.0\/8/) },
      { path: 'allowlist.static[3]', message: expect.stringMatching(/must be an object/) },
    ]);
  });

  it('checks static entries under the allowlist rules next to them', () => {
    // Prepare
    const catchAll = { static: [{ cidr: '0.0.0.0/0', description: 'everyone' }] };
    // Act / Assess
    expect(issueAt({ allowlist: catchAll }, 'allowlist.static[0].cidr')).toMatch(/allowCatchAll/);
    expect(parseConfig({ allowlist: { ...catchAll, allowCatchAll: true } }).allowlist.static).toHaveLength(1);
    expect(
      issueAt(
        {
          allowlist: {
            static: [{ cidr: '203.0.113.0/24', description: 'x'.repeat(11) }],
            maxDescriptionLength: 10,
          },
        },
        'allowlist.static[0].description',
      ),
    ).toMatch(/longer than 10/);
    expect(
      issueAt(
        {
          allowlist: {
            maxEntries: 1,
            static: [
              { cidr: '203.0.113.0/24', description: 'a' },
              { cidr: '198.51.100.0/24', description: 'b' },
            ],
          },
        },
        'allowlist.static',
      ),
    ).toMatch(/exceed maxEntries 1/);
  });

  it('refuses static entries broader than allowlist.maxBreadth, naming the entries; the limit is configurable', () => {
    // Prepare
    const halves = {
      static: [
        { cidr: '0.0.0.0/1', description: 'lower half' },
        { cidr: '128.0.0.0/1', description: 'upper half' },
      ],
    };
    const wide = { static: [{ cidr: '10.0.0.0/7', description: 'two /8s' }] };
    // Act / Assess
    expect(issueAt({ allowlist: halves }, 'allowlist.static')).toMatch(
      /admit every IPv4 address.*0\.0\.0\.0\/1 \(2\^31\), 128\.0\.0\.0\/1 \(2\^31\)/,
    );
    expect(issueAt({ allowlist: wide }, 'allowlist.static')).toMatch(/maxBreadth\.ipv4PrefixLength/);
    expect(
      issueAt(
        { allowlist: { static: [{ cidr: '64:ff9b::/96', description: 'nat64' }] } },
        'allowlist.static',
      ),
    ).toMatch(/admit every IPv4 address/);
    expect(
      parseConfig({ allowlist: { ...wide, maxBreadth: { ipv4PrefixLength: 7 } } }).allowlist.maxBreadth,
    ).toEqual({ ipv4PrefixLength: 7, ipv6PrefixLength: 32 });
    expect(
      issueAt(
        { allowlist: { maxBreadth: { ipv4PrefixLength: 33 } } },
        'allowlist.maxBreadth.ipv4PrefixLength',
      ),
    ).toMatch(/integer from 0 to 32/);
    expect(issueAt({ allowlist: { maxBreadth: { ipv6: 32 } } }, 'allowlist.maxBreadth.ipv6')).toMatch(
      /unknown setting/,
    );
  });

  it('refuses an enabled allowlist that would be empty unless allowEmpty', () => {
    // Prepare
    const empty = { enabled: true, selector: { all: true } };
    // Act / Assess
    expect(issueAt({ allowlist: empty }, 'allowlist.static')).toMatch(/opens the clusters to everyone/);
    expect(parseConfig({ allowlist: { ...empty, allowEmpty: true } }).allowlist.enabled).toBe(true);
    expect(parseConfig({ allowlist: { ...empty, sources: { 'office-vpn': {} } } }).allowlist.sources).toEqual(
      {
        'office-vpn': {},
      },
    );
  });

  it('requires an explicit allowlist selector when enabled', () => {
    expect(issueAt({ allowlist: { ...allowlistOn, selector: {} } }, 'allowlist.selector')).toMatch(
      /name the clusters to sync/,
    );
  });

  it.each(['Office-VPN', '-vpn', 'office vpn', 'a'.repeat(64), 'vpn_1'])(
    'refuses the source name %j',
    (name) => {
      expect(issueAt({ allowlist: { sources: { [name]: {} } } }, `allowlist.sources.${name}`)).toMatch(
        /lower-case letters, digits and -/,
      );
    },
  );

  it('accepts source names up to 63 characters of a-z, 0-9 and -', () => {
    // Prepare
    const name = `a${'-9'.repeat(31)}`;
    // Act / Assess
    expect(
      Object.keys(
        parseConfig({ allowlist: { sources: { [name]: {}, 'office-vpn': {} } } }).allowlist.sources,
      ),
    ).toEqual([name, 'office-vpn']);
  });

  it('checks source settings', () => {
    expect(
      issueAt({ allowlist: { sources: { vpn: { maxEntries: 0 } } } }, 'allowlist.sources.vpn.maxEntries'),
    ).toBe('must be an integer >= 1');
    expect(
      issueAt(
        { allowlist: { maxEntries: 10, sources: { vpn: { maxEntries: 11 } } } },
        'allowlist.sources.vpn.maxEntries',
      ),
    ).toMatch(/must not exceed allowlist.maxEntries \(10\)/);
    expect(
      issueAt({ allowlist: { sources: { vpn: { selector: {} } } } }, 'allowlist.sources.vpn.selector'),
    ).toMatch(/at least one criterion/);
    expect(
      issueAt({ allowlist: { sources: { vpn: { selectr: {} } } } }, 'allowlist.sources.vpn.selectr'),
    ).toMatch(/unknown setting/);
  });
});
