import { describe, expect, it } from 'vitest';
import { buildResponse } from './response-builder.js';
import { serializeResponse } from './serializer.js';

const request: Array<[string, string]> = [
  ['v', 'SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKabc;rport'],
  ['Via', 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKdef'],
  ['From', '<sip:447700900123@10.0.0.5:5060>'],
  ['To', '<sip:14155550100@10.0.0.9:5070>'],
  ['Call-ID', '1@10.0.0.5'],
  ['CSeq', '2 MESSAGE'],
  ['X-SMS-CODING', '0'],
];

describe('buildResponse', () => {
  it('copies Via/From/To/Call-ID/CSeq, adds a To tag, stamps received/rport on the top Via only', () => {
    const response = buildResponse(request, { status: 202, toTag: 'T1', source: { address: '192.0.2.7', port: 40000 }, headers: [['X-Ack', 'yes']] });
    expect(serializeResponse(response).toString()).toBe(
      [
        'SIP/2.0 202 Accepted',
        'v: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKabc;rport=40000;received=192.0.2.7',
        'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKdef',
        'From: <sip:447700900123@10.0.0.5:5060>',
        'To: <sip:14155550100@10.0.0.9:5070>;tag=T1',
        'Call-ID: 1@10.0.0.5',
        'CSeq: 2 MESSAGE',
        'X-Ack: yes',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  });

  it('keeps an existing To tag and leaves the Via alone when it already names the source', () => {
    const response = buildResponse(
      [['Via', 'SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKq'], ['To', 'sip:a@b;tag=peer']],
      { status: 500, reason: 'Oops', toTag: 'T2', source: { address: '127.0.0.1', port: 5061 } },
    );
    expect(response).toEqual({
      status: 500,
      reason: 'Oops',
      headers: [['Via', 'SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKq'], ['To', 'sip:a@b;tag=peer']],
      body: Buffer.alloc(0),
    });
  });
});
