import { describe, expect, it } from 'vitest';
import type { TwimlMessage } from './twiml.js';
import { inboundRefFromParams, planReplies, type InboundMessageRef } from './twiml-reply.js';

const inbound: InboundMessageRef = {
  sid: 'SM00000000000000000000000000000001',
  accountSid: 'AC00000000000000000000000000000001',
  from: '+447700900123',
  to: '+15005550006',
};

let counter = 0;
const sids = () => `SM${String(++counter).padStart(32, '0')}`;
const message = (overrides: Partial<TwimlMessage>): TwimlMessage => ({ body: 'hi', media: [], ...overrides });

describe('planReplies', () => {
  it('defaults to = inbound From and from = inbound To, as Twilio does', () => {
    const plan = planReplies({ inbound, messages: [message({ body: 'Thanks' })], newSid: sids });
    expect(plan.problems).toEqual([]);
    expect(plan.replies).toEqual([{
      sid: expect.stringMatching(/^SM\d{32}$/),
      accountSid: inbound.accountSid,
      inReplyToSid: inbound.sid,
      from: '+15005550006',
      to: '+447700900123',
      body: 'Thanks',
      numSegments: 1,
      coding: 0,
      statusCallback: null,
      statusCallbackMethod: 'POST',
      checkOwner: true,
      apiDialect: null,
      sipHeaders: null,
    }]);
  });

  it('uses action as the status callback, else the deprecated statusCallback, with the method', () => {
    const plan = planReplies({
      inbound,
      messages: [
        message({ action: 'https://a.example/act', statusCallback: 'https://a.example/old', method: 'GET' }),
        message({ statusCallback: 'https://a.example/old' }),
      ],
      newSid: sids,
    });
    expect(plan.replies.map((r) => [r.statusCallback, r.statusCallbackMethod])).toEqual([
      ['https://a.example/act', 'GET'],
      ['https://a.example/old', 'POST'],
    ]);
  });

  it('counts segments and picks the coding from the text', () => {
    const plan = planReplies({ inbound, messages: [message({ body: 'é'.repeat(161) }), message({ body: 'Привет' })], newSid: sids });
    expect(plan.replies.map((r) => [r.numSegments, r.coding])).toEqual([[2, 0], [1, 2]]);
  });

  it('an alphanumeric from needs no ownership check', () => {
    const plan = planReplies({ inbound, messages: [message({ from: 'ACME' })], newSid: sids });
    expect(plan.replies[0]).toMatchObject({ from: 'ACME', checkOwner: false });
  });

  it('reports invalid addresses, over-long bodies and media with their codes', () => {
    const plan = planReplies({
      inbound,
      messages: [
        message({ to: '447700900123' }),
        message({ from: 'whatsapp:+15005550006' }),
        message({ body: 'x'.repeat(1601) }),
        message({ body: '', media: ['https://a.example/cat.png'] }),
        message({ body: 'caption', media: ['https://a.example/cat.png'] }),
      ],
      newSid: sids,
    });
    expect(plan.problems.map((p) => p.code)).toEqual([14101, 14102, 21617, 21620, 21620]);
    expect(plan.problems[0]!.message).toBe('Reply \'to\' "447700900123" is not an E.164 number; the message was not sent');
    expect(plan.replies.map((r) => r.body)).toEqual(['caption']);
  });
});

describe('inboundRefFromParams', () => {
  it('takes SID and account from the delivery row, From/To from the parameters', () => {
    const params = { MessageSid: 'SM1', AccountSid: 'AC1', From: '+447700900123', To: '+15005550006' };
    expect(inboundRefFromParams(params, { messageSid: 'SMx', accountSid: 'ACx' })).toEqual({ sid: 'SMx', accountSid: 'ACx', from: '+447700900123', to: '+15005550006' });
    expect(inboundRefFromParams({}, { messageSid: 'SMx', accountSid: 'ACx' })).toEqual({ sid: 'SMx', accountSid: 'ACx', from: '', to: '' });
  });
});
