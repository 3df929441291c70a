import { describe, expect, it } from 'vitest';
import { embeddedIpv4, ipv6Groups, isPrivateAddress, literalPrivateHost } from './address-ranges.js';

describe('ipv6Groups', () => {
  it.each([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['64:ff9b::a00:1', [0x64, 0xff9b, 0, 0, 0, 0, 0xa00, 1]],
    ['64:ff9b::10.0.0.1', [0x64, 0xff9b, 0, 0, 0, 0, 0xa00, 1]],
    ['2002:c0a8:101::1', [0x2002, 0xc0a8, 0x101, 0, 0, 0, 0, 1]],
    ['FE80::1%eth0', [0xfe80, 0, 0, 0, 0, 0, 0, 1]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
  ])('%s', (address, groups) => {
    expect(ipv6Groups(address)).toEqual(groups);
  });
});

describe('embedded IPv4 forms: judged by the IPv4 they lead to', () => {
  // Each form once with a private and once with a public IPv4 inside.
  it.each([
    ['NAT64 64:ff9b::/96', '64:ff9b::a00:1', '10.0.0.1', '64:ff9b::808:808'],
    ['NAT64, dotted', '64:ff9b::127.0.0.1', '127.0.0.1', '64:ff9b::8.8.8.8'],
    ['NAT64 to metadata', '64:ff9b::a9fe:a9fe', '169.254.169.254', '64:ff9b::5db8:d822'],
    ['6to4 2002::/16', '2002:c0a8:101::1', '192.168.1.1', '2002:808:808::1'],
    ['6to4 to loopback', '2002:7f00:1::', '127.0.0.1', '2002:5db8:d822:1::1'],
    ['IPv4-translated ::ffff:0:0:0/96', '::ffff:0:a00:1', '10.0.0.1', '::ffff:0:808:808'],
    ['IPv4-translated, dotted', '::ffff:0:127.0.0.1', '127.0.0.1', '::ffff:0:8.8.8.8'],
    ['IPv4-mapped ::ffff:0:0/96', '::ffff:c0a8:1', '192.168.0.1', '::ffff:808:808'],
    // Teredo: server 65.54.227.120 (public), client 10.0.0.1 stored inverted (f5ff:fffe).
    ['Teredo 2001::/32, private client', '2001:0:4136:e378:8000:63bf:f5ff:fffe', '10.0.0.1', '2001:0:4136:e378:8000:63bf:a247:27dd'],
  ])('%s: %s is private, %s public', (_form, privateAddress, inner, publicAddress) => {
    expect(embeddedIpv4(ipv6Groups(privateAddress))).toContain(inner);
    expect(isPrivateAddress(privateAddress)).toBe(true);
    expect(isPrivateAddress(publicAddress)).toBe(false);
  });

  it('Teredo with a private server is private too', () => {
    // server 10.1.2.3, client 8.8.8.8 (inverted f7f7:f7f7)
    expect(embeddedIpv4(ipv6Groups('2001:0:a01:203::f7f7:f7f7'))).toEqual(['10.1.2.3', '8.8.8.8']);
    expect(isPrivateAddress('2001:0:a01:203::f7f7:f7f7')).toBe(true);
  });

  it('other addresses embed nothing', () => {
    expect(embeddedIpv4(ipv6Groups('2606:4700::1111'))).toEqual([]);
    expect(embeddedIpv4(ipv6Groups('2001:4860::8888'))).toEqual([]);
  });
});

describe('isPrivateAddress: IPv6 ranges refused whole', () => {
  it.each(['fc00::1', 'fd12:3456::1', 'fdff:ffff::1', 'fe80::1', 'fec0::1', 'ff02::1', '::1', '::', '::10.0.0.1',
    '64:ff9b:1::808:808', '100::1', '2001:db8::1'])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['2606:4700::1111', '2001:4860:4860::8888', 'fbff::1', '2003::1'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('literalPrivateHost', () => {
  it.each([
    ['http://10.0.0.1/cb', '10.0.0.1'],
    ['http://[64:ff9b::a00:1]/cb', '64:ff9b::a00:1'],
    ['https://[2002:7f00:1::]:8443/x', '2002:7f00:1::'],
    ['http://[::ffff:0:7f00:1]/', '::ffff:0:7f00:1'],
    ['http://2130706433/', '127.0.0.1'],
  ])('%s names %s', (url, host) => {
    expect(literalPrivateHost(url)).toBe(host);
  });

  it.each(['https://hooks.example.com/cb', 'http://8.8.8.8/cb', 'http://[64:ff9b::808:808]/cb', 'http://localhost/', 'not a url'])(
    '%s names none (host names are judged at call time)',
    (url) => {
      expect(literalPrivateHost(url)).toBeNull();
    },
  );
});
