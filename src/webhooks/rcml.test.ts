import { describe, expect, it } from 'vitest';
import { replyXHeaders } from '../sip/x-headers.js';
import { parseTwiml } from './twiml.js';

const base = 'https://app.example/sms/first';

describe('<Sms> in a webhook answer', () => {
  it('becomes an rcml reply with its to/from, and <Message> keeps working beside it', () => {
    const result = parseTwiml('<Response><Sms to="+447700900999" from="+15005550006">hi</Sms><Message>twilio</Message></Response>', { baseUrl: base });
    expect(result.messages).toEqual([
      { to: '+447700900999', from: '+15005550006', body: 'hi', media: [], dialect: 'rcml' },
      { body: 'twilio', media: [] },
    ]);
  });

  it('with action: the action (relative to the document) is the next document, with SmsStatus=sending, and later verbs never run', () => {
    const result = parseTwiml('<Response><Sms action="next" method="get">a</Sms><Sms>b</Sms></Response>', { baseUrl: base });
    expect(result.messages.map((m) => m.body)).toEqual(['a']);
    expect(result.messages[0]).toMatchObject({ statusCallback: 'https://app.example/sms/next', method: 'GET' });
    expect(result.redirect).toEqual({ url: 'https://app.example/sms/next', method: 'GET', params: { SmsStatus: 'sending' } });
  });

  it('honours statusCallback (RestComm ignores it) as the reply\'s callback, the action staying the next document', () => {
    const result = parseTwiml('<Response><Sms action="/n" statusCallback="/cb">a</Sms></Response>', { baseUrl: base });
    expect(result.messages[0]).toMatchObject({ statusCallback: 'https://app.example/cb', method: 'POST' });
    expect(result.redirect?.url).toBe('https://app.example/n');
  });

  it('stops at an empty <Sms> with 14103; a bad method is POST with 14104; other verbs are 14110 events', () => {
    const result = parseTwiml('<Response><Say>x</Say><Sms action="/n" method="PUT">a</Sms></Response>', { baseUrl: base });
    expect(result.warnings.map((w) => w.code)).toEqual([14110, 14104]);
    expect(result.redirect?.method).toBe('POST');
    const empty = parseTwiml('<Response><Sms> </Sms><Sms>never</Sms></Response>');
    expect(empty.messages).toEqual([]);
    expect(empty.warnings.map((w) => w.code)).toEqual([14103]);
  });
});

describe('replyXHeaders', () => {
  it('keeps safe X- headers, drops the SMSC\'s own, unsafe and denied ones with a reason', () => {
    const result = replyXHeaders({ 'X-Custom': 'v', 'X-SMS-CODING': '1', 'X-Bad': 'a\u0001b', 'X-Denied': 'd', 'Content-Type': 'x' }, { deny: ['x-denied'] });
    expect(result.headers).toEqual({ 'X-Custom': 'v' });
    expect(result.dropped.map((d) => d.name)).toEqual(['X-SMS-CODING', 'X-Bad', 'X-Denied']);
  });
});
