import { describe, expect, it } from 'vitest';
import { cidrMatcher } from './allowed-sources.js';

describe('cidrMatcher', () => {
  it('matches IPv4 CIDRs and bare addresses, including IPv4-mapped IPv6 sources', () => {
    const allowed = cidrMatcher(['10.0.0.0/8', '192.0.2.7', '172.16.0.0/12']);
    expect(['10.255.1.2', '192.0.2.7', '::ffff:10.1.1.1', '172.31.255.255'].map(allowed)).toEqual([true, true, true, true]);
    expect(['11.0.0.1', '192.0.2.8', '172.32.0.0', 'not-an-ip', '::1'].map(allowed)).toEqual([false, false, false, false, false]);
  });

  it('matches IPv6 CIDRs with non-octet prefixes', () => {
    const allowed = cidrMatcher(['2001:db8::/33', '::1']);
    expect(['2001:db8:7fff::1', '::1', '0:0:0:0:0:0:0:1'].map(allowed)).toEqual([true, true, true]);
    expect(['2001:db8:8000::1', '::2', '127.0.0.1'].map(allowed)).toEqual([false, false, false]);
  });

  it('allows nothing for an empty list and everything for 0.0.0.0/0', () => {
    expect(cidrMatcher([])('127.0.0.1')).toBe(false);
    expect(cidrMatcher(['0.0.0.0/0'])('203.0.113.9')).toBe(true);
  });

  it.each(['10.0.0.0/33', '10.0.0/8', 'fe80::/129', '1.2.3.4/8/9', '1.2.3.4/x'])('rejects %s', (cidr) => {
    expect(() => cidrMatcher([cidr])).toThrow(`Bad CIDR`);
  });
});
