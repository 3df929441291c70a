import { describe, expect, it } from 'vitest';
import type { IncomingSipMessage } from './port.js';
import {
  decodeInboundSms, encodeOutboundSms, formatValidity, SipDecodeError, SmsContentError, type SipOutboundSms,
} from './header-codec.js';

const base: SipOutboundSms = {
  to: '+447700900123',
  from: '+447700900456',
  body: 'Привет',
  coding: 2,
  sendValidity: false,
  requestReceipt: true,
  smscUri: 'sip:10.0.0.5:5060;transport=udp',
  localHostPort: '10.0.0.9:5070',
};

describe('encodeOutboundSms', () => {
  it('builds the §4.6 example: digits without +, transport only on the Request-URI, UTF-8 body for UCS2', () => {
    const message = encodeOutboundSms(base);
    expect(message).toEqual({
      requestUri: 'sip:447700900123@10.0.0.5:5060;transport=udp',
      to: 'sip:447700900123@10.0.0.5:5060',
      from: 'sip:447700900456@10.0.0.9:5070',
      headers: [['X-SMS-CODING', '2'], ['X-REG-DELIVERY', '1']],
      contentType: 'text/plain;charset=UTF-8',
      body: Buffer.from('d09fd180d0b8d0b2d0b5d182', 'hex'),
    });
  });

  it('writes every optional header with the exact spelling, UDH uppercased, validity in UTC 24-hour', () => {
    const message = encodeOutboundSms({
      ...base,
      to: '447700900123',
      from: 'My Shop',
      body: 'hi',
      coding: 0,
      udhHex: '050003a70201',
      validUntil: new Date('2024-06-15T14:37:05.900Z'),
      sendValidity: true,
      messageClass: 1,
      requestReceipt: false,
      smscUri: 'sip:[2001:db8::5]',
    });
    expect(message.requestUri).toBe('sip:447700900123@[2001:db8::5]');
    expect(message.from).toBe('sip:My%20Shop@10.0.0.9:5070');
    expect(message.headers).toEqual([
      ['X-SMS-CODING', '0'],
      ['X-SMS-UDH', '050003A70201'],
      ['X-SMS-VALIDITY', '2024-06-15 14:37:05'],
      ['X-M-CLASS', '1'],
    ]);
  });

  it('leaves X-SMS-VALIDITY out unless asked to send it', () => {
    const message = encodeOutboundSms({ ...base, validUntil: new Date('2024-06-15T14:37:05Z') });
    expect(message.headers.map(([name]) => name)).toEqual(['X-SMS-CODING', 'X-REG-DELIVERY']);
  });

  it('carries 8-bit octets as the UTF-8 encoding of U+0000..U+00FF (§4.3)', () => {
    const message = encodeOutboundSms({ ...base, coding: 1, body: '\u0000\u007f\u0080\u00ff' });
    expect(message.body.toString('hex')).toBe('007fc280c3bf');
    expect(() => encodeOutboundSms({ ...base, coding: 1, body: 'a\u0100' })).toThrow('8-bit body has a character above U+00FF at index 1');
  });

  it.each([
    [{ to: '+44 7700' }, 'Destination "+44 7700" is not 1-20 digits'],
    [{ udhHex: '0500' }, 'X-SMS-UDH: UDHL 5 does not match 1 following octets'],
    [{ udhHex: '05000' }, 'X-SMS-UDH: "05000" is not an even number of hex digits'],
    [{ messageClass: 4 }, 'Message class 4 is not 0-3'],
    [{ smscUri: 'tel:+1' }, 'Not a SIP URI: tel:+1'],
  ])('refuses %j', (change, message) => {
    expect(() => encodeOutboundSms({ ...base, ...change })).toThrow(message);
  });

  it('formats validity dates as yyyy-mm-dd hh:mm:ss in UTC', () => {
    expect(formatValidity(new Date('1999-12-31T23:59:59Z'))).toBe('1999-12-31 23:59:59');
  });
});

function inbound(
  headers: Array<[string, string]>,
  body: Buffer,
  toUser = '14155550100',
  addresses: { from?: string; to?: string } = {},
): IncomingSipMessage {
  return {
    method: 'MESSAGE',
    requestUri: 'sip:14155550100@10.0.0.9:5070',
    from: addresses.from ?? '<sip:447700900123@10.0.0.5:5060>',
    to: addresses.to ?? (toUser === '' ? '<sip:10.0.0.9:5070>' : `<sip:${toUser}@10.0.0.9:5070>`),
    fromUser: '447700900123',
    toUser,
    callId: 'c',
    cseq: '2 MESSAGE',
    headers,
    body,
    source: { transport: 'udp', address: '10.0.0.5', port: 5060 },
  };
}

const utf8Charsets = { bodyCharset: { 0: 'utf-8', 1: 'binary', 2: 'utf-8' } } as const;

describe('decodeInboundSms', () => {
  it('decodes the §5.6 MO segment with case-insensitive lookups and keeps unknown X- headers', () => {
    const sms = decodeInboundSms(
      inbound(
        [
          ['x-sms-coding', '0'],
          ['X-DELIVERY_TIME', '02024-37-15 02:37:05'],
          ['X-SMS-VALIDITY', '02024-37-18 02:37:05'],
          ['X-SMS-UDH', '050003a70201'],
          ['X-SMSC-ID', 'test'],
          ['X-Vendor', 'v1'],
          ['Content-Type', 'text/plain'],
        ],
        Buffer.from('Grüße ✓', 'utf8'),
      ),
      utf8Charsets,
    );
    expect(sms).toEqual({
      fromUser: '447700900123',
      toUser: '14155550100',
      coding: 0,
      udhHex: '050003A70201',
      smscId: 'test',
      deliveryTime: '02024-37-15 02:37:05',
      validity: '02024-37-18 02:37:05',
      text: 'Grüße ✓',
      decodeError: null,
      rawBody: Buffer.from('Grüße ✓', 'utf8'),
      otherXHeaders: { 'X-Vendor': 'v1' },
      xHeaders: {
        'x-sms-coding': '0', 'X-DELIVERY_TIME': '02024-37-15 02:37:05', 'X-SMS-VALIDITY': '02024-37-18 02:37:05',
        'X-SMS-UDH': '050003a70201', 'X-SMSC-ID': 'test', 'X-Vendor': 'v1',
      },
    });
  });

  it('defaults to coding 0 and falls back to the Request-URI user', () => {
    const sms = decodeInboundSms(inbound([], Buffer.from('hi'), ''), utf8Charsets);
    expect([sms.coding, sms.toUser, sms.udhHex, sms.smscId, sms.text]).toEqual([0, '14155550100', null, null, 'hi']);
  });

  it('decodes UTF-16BE, raw 8-bit and unpacked GSM 03.38 bodies per configured charset', () => {
    const charsets = { bodyCharset: { 0: 'gsm7', 1: 'binary', 2: 'utf-16be' } } as const;
    expect(decodeInboundSms(inbound([['X-SMS-CODING', '2']], Buffer.from('041f0440d83dde00', 'hex')), charsets).text).toBe('Пр😀');
    expect(decodeInboundSms(inbound([['X-SMS-CODING', '1']], Buffer.from('00ff80', 'hex')), charsets).text).toBe('\u0000\u00ff\u0080');
    // "@£" then ESC + 0x65 = €
    expect(decodeInboundSms(inbound([['X-SMS-CODING', '0']], Buffer.from('00011b65', 'hex')), charsets).text).toBe('@£€');
  });

  it.each([
    [[['X-SMS-CODING', '8']], 'X-SMS-CODING', '"8" is not 0, 1 or 2'],
    [[['X-SMS-CODING', 'abc']], 'X-SMS-CODING', '"abc" is not 0, 1 or 2'],
    [[['X-SMS-UDH', '05000']], 'X-SMS-UDH', '"05000" is not an even number of hex digits'],
    [[['X-SMS-UDH', 'zz']], 'X-SMS-UDH', '"zz" is not an even number of hex digits'],
  ] as const)('refuses the SMS of %j for good (SmsContentError, answered 606)', (headers, header, reason) => {
    const caught = decodeError(inbound(headers.map(([n, v]) => [n, v]), Buffer.from('x')));
    expect(caught).toBeInstanceOf(SmsContentError);
    expect(caught).toMatchObject({ header, reason });
  });

  it('keeps a body its charset cannot read, byte for byte, with the reason (never U+FFFD silently)', () => {
    const charsets = { bodyCharset: { 0: 'utf-8', 1: 'binary', 2: 'utf-16be' } } as const;
    const odd = decodeInboundSms(inbound([['X-SMS-CODING', '2']], Buffer.from('00410042ff', 'hex')), charsets);
    expect(odd).toMatchObject({ text: 'AB\ufffd', decodeError: 'UTF-16BE body has odd length 5', rawBody: Buffer.from('00410042ff', 'hex') });
    const invalid = decodeInboundSms(inbound([['X-SMS-CODING', '0']], Buffer.from('6869c328ff', 'hex')), charsets);
    expect(invalid.decodeError).toBe('not valid UTF-8 (invalid sequences read as U+FFFD)');
    expect(invalid.rawBody.toString('hex')).toBe('6869c328ff');
    const nul = decodeInboundSms(inbound([['X-SMS-CODING', '0']], Buffer.from('610062', 'hex')), charsets);
    expect(nul).toMatchObject({ text: 'a\u0000b', decodeError: null });
  });

  it('keeps an X-SMS-UDH whose UDHL does not match its octets as it came (it is then no concatenation)', () => {
    expect(decodeInboundSms(inbound([['X-SMS-UDH', '0500']], Buffer.from('x')), utf8Charsets).udhHex).toBe('0500');
  });

  it.each([
    [{ from: 'garbage' }, 'From'],
    [{ from: '<sip:@smsc.example>' }, 'From'],
    [{ from: 'sip:@smsc.example' }, 'From'],
    [{ from: '<sip:smsc.example>' }, 'From'],
    [{ from: '<sip:%zz@smsc.example>' }, 'From'],
    [{ from: '<sip:44%0077@smsc.example>' }, 'From'],
    [{ from: '<tel:>' }, 'From'],
    [{ to: 'garbage' }, 'To'],
    [{ to: '<sip:@10.0.0.9>' }, 'To'],
  ])('answers 400 for the malformed address %j (SipDecodeError)', (addresses, header) => {
    const caught = decodeError(inbound([], Buffer.from('x'), '14155550100', addresses));
    expect(caught).toBeInstanceOf(SipDecodeError);
    expect(caught).toMatchObject({ header });
  });

  it('reads the sender from the From value itself (display name, tel: URI, %-escapes), not from the adapter', () => {
    const read = (from: string) => decodeInboundSms(inbound([], Buffer.from('x'), '14155550100', { from }), utf8Charsets).fromUser;
    expect(read('"Shop" <sip:My%20Shop@smsc.example>;tag=1')).toBe('My Shop');
    expect(read('<tel:+447700900123;phone-context=x>')).toBe('+447700900123');
    expect(read('sip:447700900123@10.0.0.5;tag=a')).toBe('447700900123');
  });

  it('answers 400 for a header value holding a NUL', () => {
    const caught = decodeError(inbound([['X-SMSC-ID', 'es\u0000me']], Buffer.from('x')));
    expect(caught).toBeInstanceOf(SipDecodeError);
    expect(caught).toMatchObject({ header: 'X-SMSC-ID', reason: 'the header value holds a NUL character' });
  });
});

function decodeError(message: IncomingSipMessage): unknown {
  try {
    decodeInboundSms(message, utf8Charsets);
  } catch (error) {
    return error;
  }
  return undefined;
}
