import { describe, expect, it } from 'vitest';
import { parseNameAddr, parseSipUri, userOf } from './sip-uri.js';
import { parseTopVia } from './via.js';
import { parseSipListen } from './listen-address.js';
import { resolveTarget } from './outbound-request.js';

describe('SIP URIs and name-addrs', () => {
  it('parses users, IPv6 hosts, ports and params', () => {
    expect(parseSipUri('sip:447700900123@10.0.0.5:5060;transport=TCP')).toEqual({
      scheme: 'sip', user: '447700900123', host: '10.0.0.5', port: 5060, params: { transport: 'TCP' },
    });
    expect(parseSipUri('sip:[::1]')).toEqual({ scheme: 'sip', user: '', host: '::1', port: undefined, params: {} });
    expect(() => parseSipUri('tel:+447700900123')).toThrow('Not a SIP URI: tel:+447700900123');
  });

  it('separates URI params from header params (tag)', () => {
    expect(parseNameAddr('"Shop" <sip:a@b;transport=udp>;tag=9')).toEqual({ uri: 'sip:a@b;transport=udp', params: { tag: '9' } });
    expect(parseNameAddr('sip:a@b;tag=9')).toEqual({ uri: 'sip:a@b', params: { tag: '9' } });
    expect(userOf('<sip:447700900123@10.0.0.5:5060>')).toBe('447700900123');
    expect(userOf('<tel:123>')).toBe('');
  });

  it('reads the top Via', () => {
    expect(parseTopVia(['SIP/2.0/udp 10.0.0.5:5060;branch=z9hG4bKa;rport, SIP/2.0/TCP x;branch=z9hG4bKb'])).toEqual({
      transport: 'UDP', host: '10.0.0.5', port: 5060, params: { branch: 'z9hG4bKa', rport: '' },
    });
  });

  it('resolves outbound targets: UDP and 5060 by default, ;transport= selects TCP', () => {
    expect(resolveTarget('sip:1@10.0.0.5')).toEqual({ transport: 'udp', address: '10.0.0.5', port: 5060 });
    expect(resolveTarget('sip:1@127.0.0.1:5070;transport=tcp')).toEqual({ transport: 'tcp', address: '127.0.0.1', port: 5070 });
    expect(() => resolveTarget('sip:1@h;transport=sctp')).toThrow('Unsupported transport "sctp" in sip:1@h;transport=sctp');
  });
});

describe('parseSipListen', () => {
  it('parses a list, IPv6 in brackets, port 0', () => {
    expect(parseSipListen('udp:127.0.0.1:5070, TCP:[::1]:0')).toEqual([
      { transport: 'udp', host: '127.0.0.1', port: 5070 },
      { transport: 'tcp', host: '::1', port: 0 },
    ]);
  });

  it.each([
    ['', 'SIP listen list is empty; expected e.g. "udp:127.0.0.1:5060"'],
    ['tls:1.2.3.4:5061', 'Bad SIP listen address "tls:1.2.3.4:5061"; expected <udp|tcp>:<ip>:<port>'],
    ['udp:localhost:5060', 'Bad SIP listen address "udp:localhost:5060": "localhost" is not an IP address'],
    ['udp:1.2.3.4:70000', 'Bad SIP listen address "udp:1.2.3.4:70000": port 70000 is out of range'],
  ])('rejects %j', (value, message) => {
    expect(() => parseSipListen(value)).toThrow(message);
  });
});
