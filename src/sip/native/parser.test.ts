import { describe, expect, it } from 'vitest';
import { getHeader } from '../port.js';
import { parseSipMessage } from './parser.js';
import { serializeRequest, serializeResponse } from './serializer.js';
import { SipParseError, type SipRequest } from './sip-message.js';

const crlf = (...lines: string[]): string => lines.join('\r\n');

/** The SMSC's MO MESSAGE (smsc-sip-interface §5.6): no From tag, CSeq 2, text/plain without charset. */
const SMSC_MO = crlf(
  'MESSAGE sip:14155550100@10.0.0.9:5070 SIP/2.0',
  'Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKabc',
  'From: <sip:447700900123@10.0.0.5:5060>',
  'To: <sip:14155550100@10.0.0.9:5070>',
  'Call-ID: 1@10.0.0.5',
  'CSeq: 2 MESSAGE',
  'Max-Forwards: 70',
  'Content-Type: text/plain',
  'X-SMS-CODING: 0',
  'X-DELIVERY_TIME: 02024-37-15 02:37:05',
  'X-SMS-UDH: 050003A70201',
  'Content-Length: 11',
  '',
  'Grüße ✓',
);

function parseError(text: string | Buffer): SipParseError {
  try {
    parseSipMessage(Buffer.isBuffer(text) ? text : Buffer.from(text));
  } catch (error) {
    if (error instanceof SipParseError) return error;
    throw error;
  }
  throw new Error('parsed without error');
}

describe('parseSipMessage', () => {
  it('parses the SMSC MO MESSAGE with a multibyte body counted in bytes', () => {
    const message = parseSipMessage(Buffer.from(SMSC_MO)) as SipRequest;
    expect(message.kind).toBe('request');
    expect(message.method).toBe('MESSAGE');
    expect(message.uri).toBe('sip:14155550100@10.0.0.9:5070');
    expect(getHeader(message.headers, 'cseq')).toBe('2 MESSAGE');
    expect(getHeader(message.headers, 'x-delivery_time')).toBe('02024-37-15 02:37:05');
    expect(message.body.toString('hex')).toBe('4772c3bc c39f65 20e29c93'.replace(/ /g, ''));
  });

  it('reads compact forms, any case, folded lines and several Via values', () => {
    const text = crlf(
      'OPTIONS sip:a@b SIP/2.0',
      'v: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK1, SIP/2.0/TCP 5.6.7.8;branch=z9hG4bK0',
      'VIA: SIP/2.0/UDP 9.9.9.9;branch=z9hG4bK9',
      'f: <sip:x@y>;tag=1',
      't: <sip:a@b>',
      'i: abc',
      'cseq: 7 OPTIONS',
      'x-custom: first',
      '  second',
      '\tthird',
      'l: 0',
      '',
      '',
    );
    const message = parseSipMessage(Buffer.from(text));
    expect(message.headers).toEqual([
      ['v', 'SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK1, SIP/2.0/TCP 5.6.7.8;branch=z9hG4bK0'],
      ['VIA', 'SIP/2.0/UDP 9.9.9.9;branch=z9hG4bK9'],
      ['f', '<sip:x@y>;tag=1'],
      ['t', '<sip:a@b>'],
      ['i', 'abc'],
      ['cseq', '7 OPTIONS'],
      ['x-custom', 'first second third'],
      ['l', '0'],
    ]);
    expect(message.body.length).toBe(0);
  });

  it('parses a response and keeps its reason phrase', () => {
    const text = crlf('SIP/2.0 202 Accepted', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'CSeq: 1 MESSAGE', 'Call-ID: c', 'Content-Length: 0', '', '');
    expect(parseSipMessage(Buffer.from(text))).toMatchObject({ kind: 'response', status: 202, reason: 'Accepted' });
  });

  it('takes the rest of a datagram as body when Content-Length is absent, and cuts extra bytes when present', () => {
    const base = ['MESSAGE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:x@y>', 'To: <sip:a@b>', 'Call-ID: c', 'CSeq: 2 MESSAGE'];
    expect(parseSipMessage(Buffer.from(crlf(...base, '', 'hello'))).body.toString()).toBe('hello');
    expect(parseSipMessage(Buffer.from(crlf(...base, 'Content-Length: 3', '', 'hello'))).body.toString()).toBe('hel');
  });

  it.each([
    ['garbage', 'hello world\r\n\r\n', 'Bad start line', false],
    ['a bad CSeq', crlf('MESSAGE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:x@y>', 'To: <sip:a@b>', 'Call-ID: c', 'CSeq: two MESSAGE', '', ''), 'Bad CSeq Header', true],
    ['a CSeq method mismatch', crlf('MESSAGE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:x@y>', 'To: <sip:a@b>', 'Call-ID: c', 'CSeq: 2 OPTIONS', '', ''), 'Bad CSeq Header', true],
    ['a header line without colon', crlf('MESSAGE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'no colon here', '', ''), 'Bad header line: no colon here', true],
    ['a Content-Length beyond the datagram', crlf('MESSAGE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:x@y>', 'To: <sip:a@b>', 'Call-ID: c', 'CSeq: 2 MESSAGE', 'Content-Length: 50', '', 'short'), 'Content-Length larger than the message body', true],
    ['a missing Call-ID', crlf('MESSAGE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'From: <sip:x@y>', 'To: <sip:a@b>', 'CSeq: 2 MESSAGE', '', ''), 'Missing Call-ID', true],
    ['no blank line', crlf('MESSAGE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx'), 'Missing empty line after headers', true],
  ])('rejects %s', (_name, text, reason, isRequest) => {
    const error = parseError(text);
    expect(error.reason).toBe(reason);
    expect(error.isRequest).toBe(isRequest);
  });

  it('keeps the headers recovered before the damage, so a Via can be answered', () => {
    const error = parseError(crlf('MESSAGE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'broken', '', ''));
    expect(error.headers).toEqual([['Via', 'SIP/2.0/UDP h;branch=z9hG4bKx']]);
  });
});

describe('serializer', () => {
  it('writes a request byte-exact with Content-Length in bytes, replacing any given Content-Length', () => {
    const bytes = serializeRequest({
      method: 'MESSAGE',
      uri: 'sip:447700900123@10.0.0.5:5060',
      headers: [['Via', 'SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK-1'], ['X-SMS-CODING', '2'], ['l', '99']],
      body: Buffer.from('Привет', 'utf8'),
    });
    expect(bytes.toString('utf8')).toBe(
      crlf('MESSAGE sip:447700900123@10.0.0.5:5060 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK-1', 'X-SMS-CODING: 2', 'Content-Length: 12', '', 'Привет'),
    );
  });

  it('writes a response and round-trips through the parser', () => {
    const bytes = serializeResponse({ status: 200, reason: 'OK', headers: [['CSeq', '2 MESSAGE'], ['Via', 'SIP/2.0/UDP h;branch=z9hG4bKq'], ['Call-ID', 'c']], body: Buffer.alloc(0) });
    expect(bytes.toString()).toBe(crlf('SIP/2.0 200 OK', 'CSeq: 2 MESSAGE', 'Via: SIP/2.0/UDP h;branch=z9hG4bKq', 'Call-ID: c', 'Content-Length: 0', '', ''));
    expect(parseSipMessage(bytes)).toMatchObject({ kind: 'response', status: 200 });
  });

  it('gives each message memory of its own, not a slice of the shared Buffer pool that a kept message would pin', () => {
    const bytes = serializeResponse({ status: 200, reason: 'OK', headers: [['Call-ID', 'c']], body: Buffer.from('x') });
    expect(bytes.toString()).toBe(crlf('SIP/2.0 200 OK', 'Call-ID: c', 'Content-Length: 1', '', 'x'));
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.length);
  });

  it('refuses header values that would inject lines', () => {
    expect(() => serializeResponse({ status: 200, reason: 'OK', headers: [['X-A', 'a\r\nX-B: b']], body: Buffer.alloc(0) })).toThrow('SIP header X-A contains a line break');
  });
});
