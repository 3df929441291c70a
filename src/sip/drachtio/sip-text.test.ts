import { describe, expect, it } from 'vitest';
import { bodyToText, headerListToObject, parseHeaderSection, toDrachtioHeaders, uriUser } from './sip-text.js';
import { SipTransportError } from './sip-transport-error.js';

describe('toDrachtioHeaders', () => {
  it('wraps From/To, sets Content-Type, keeps X- spelling, folds duplicates and drops reserved headers', () => {
    const headers = toDrachtioHeaders({
      requestUri: 'sip:1@127.0.0.1',
      from: 'sip:2@127.0.0.1:5070',
      to: 'sip:1@127.0.0.1',
      headers: [['X-SMS-CODING', '0'], ['X-DELIVERY_TIME', 't'], ['Call-ID', 'mine'], ['x-dup', 'a'], ['x-dup', 'b']],
      contentType: 'text/plain;charset=UTF-8',
      body: Buffer.alloc(0),
    });
    expect(headers).toEqual({
      From: '<sip:2@127.0.0.1:5070>',
      To: '<sip:1@127.0.0.1>',
      'Content-Type': 'text/plain;charset=UTF-8',
      'X-SMS-CODING': '0',
      'X-DELIVERY_TIME': 't',
      'x-dup': 'a,b',
    });
  });

  it('folds duplicate reply headers the same way', () => {
    expect(headerListToObject([['X-A', '1'], ['X-A', '2'], ['X-B', '3']])).toEqual({ 'X-A': '1,2', 'X-B': '3' });
  });
});

describe('bodyToText', () => {
  it('decodes UTF-8 bodies', () => {
    expect(bodyToText(Buffer.from('Grüße ✓', 'utf8'))).toBe('Grüße ✓');
    expect(bodyToText(Buffer.alloc(0))).toBe('');
  });

  it.each([
    ['a NUL byte', Buffer.from([0x41, 0x00]), 'BODY_NOT_TEXT: body contains a NUL byte, which cannot travel over drachtio'],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0x41]), 'BODY_NOT_TEXT: body is not valid UTF-8, which cannot travel over drachtio'],
  ])('refuses %s', (_name, body, message) => {
    const error = (() => {
      try {
        bodyToText(body);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SipTransportError);
    expect((error as SipTransportError).code).toBe('BODY_NOT_TEXT');
    expect((error as SipTransportError).message).toBe(message);
  });
});

describe('parseHeaderSection', () => {
  it('keeps order and spelling, unfolds continuation lines and ignores the body', () => {
    const raw = 'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a\r\nX-SMSC-MSGID: 42\r\nSubject: one\r\n two\r\nl: 0\r\n\r\nX-Not: header';
    expect(parseHeaderSection(raw)).toEqual([
      ['Via', 'SIP/2.0/UDP a'],
      ['X-SMSC-MSGID', '42'],
      ['Subject', 'one two'],
      ['l', '0'],
    ]);
  });
});

describe('uriUser', () => {
  it.each([
    ['"Bob" <sip:447700900123@10.0.0.5:5060>;tag=1', '447700900123'],
    ['<sips:%2B4477@host>', '+4477'],
    ['<tel:+447700900123;phone-context=x>', '+447700900123'],
    ['<sip:10.0.0.5>', ''],
    ['<sip:bad%zz@host>', 'bad%zz'],
  ])('%s -> %s', (value, user) => {
    expect(uriUser(value)).toBe(user);
  });
});
