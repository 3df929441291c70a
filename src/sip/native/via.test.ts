import { describe, expect, it } from 'vitest';
import { parseTopVia, responseTarget } from './via.js';

const udp = { transport: 'udp' as const, address: '10.0.0.5', port: 40000 };

describe('responseTarget (RFC 3261 §18.2.2, RFC 3581)', () => {
  it('UDP without rport: the source address and the Via sent-by port (5060 when absent)', () => {
    expect(responseTarget(udp, parseTopVia(['SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKa']))).toEqual({ ...udp, port: 5070 });
    expect(responseTarget(udp, parseTopVia(['SIP/2.0/UDP smsc.example;branch=z9hG4bKa']))).toEqual({ ...udp, port: 5060 });
  });

  it('UDP with rport: the source port', () => {
    expect(responseTarget(udp, parseTopVia(['SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKa;rport']))).toEqual(udp);
  });

  it('TCP: the connection the request came on', () => {
    const tcp = { ...udp, transport: 'tcp' as const };
    expect(responseTarget(tcp, parseTopVia(['SIP/2.0/TCP 10.0.0.5:5070;branch=z9hG4bKa']))).toEqual(tcp);
  });
});
