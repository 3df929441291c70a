import { describe, expect, it } from 'vitest';
import { serializeRequest } from '../sip/native/serializer.js';
import { buildSmscRequest, parseServiceUri } from './smsc-request.js';

describe('buildSmscRequest', () => {
  it('writes the SMSC wire form: no From tag, CSeq 2, text/plain without charset, X- headers in order', () => {
    const request = buildSmscRequest({
      destinationUser: '14155550100', sourceUser: '447700900123',
      service: parseServiceUri('sip:10.0.0.9:5070;transport=udp'),
      local: { transport: 'udp', host: '10.0.0.5', port: 5060 },
      xHeaders: [['X-SMS-CODING', '0'], ['X-SMS-UDH', '050003A70201']],
      body: Buffer.from('Hi'), branch: 'z9hG4bK-1', callId: 'abc@10.0.0.5',
    });
    expect(serializeRequest(request).toString('utf8')).toBe([
      'MESSAGE sip:14155550100@10.0.0.9:5070 SIP/2.0',
      'Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-1',
      'From: <sip:447700900123@10.0.0.5:5060>',
      'To: <sip:14155550100@10.0.0.9:5070>',
      'Call-ID: abc@10.0.0.5',
      'CSeq: 2 MESSAGE',
      'Max-Forwards: 70',
      'Content-Type: text/plain',
      'X-SMS-CODING: 0',
      'X-SMS-UDH: 050003A70201',
      'Content-Length: 2',
      '',
      'Hi',
    ].join('\r\n'));
  });

  it('escapes an alphanumeric sender that a SIP user part cannot carry', () => {
    const request = buildSmscRequest({
      destinationUser: '1', sourceUser: 'My Shop', service: { transport: 'tcp', host: '::1', port: 5070 },
      local: { transport: 'tcp', host: '::1', port: 5060 }, xHeaders: [], body: Buffer.alloc(0), branch: 'z9hG4bK-2', callId: 'c',
    });
    expect(request.headers[1]).toEqual(['From', '<sip:My%20Shop@[::1]:5060>']);
    expect(request.uri).toBe('sip:1@[::1]:5070');
  });

  it('reads the transport of the service URI, UDP by default, and refuses others', () => {
    expect(parseServiceUri('sip:127.0.0.1:5070')).toEqual({ transport: 'udp', host: '127.0.0.1', port: 5070 });
    expect(parseServiceUri('sip:127.0.0.1;transport=TCP')).toEqual({ transport: 'tcp', host: '127.0.0.1', port: 5060 });
    expect(() => parseServiceUri('sip:127.0.0.1;transport=tls')).toThrow('Unsupported transport "tls"');
  });
});
