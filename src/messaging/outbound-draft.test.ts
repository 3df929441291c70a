import { describe, expect, it } from 'vitest';
import type { AppError } from '../errors/app-error.js';
import { draftOutboundMessage, type CreateMessageParams } from './outbound-draft.js';

const base: CreateMessageParams = { To: '+15551234567', From: '+15005550006', Body: 'hi' };
const codeOf = (params: CreateMessageParams): number => {
  try {
    draftOutboundMessage(params);
  } catch (error) {
    return (error as AppError).code;
  }
  return 0;
};

describe('draftOutboundMessage', () => {
  it('drafts a GSM-7 message with Twilio\'s defaults', () => {
    expect(draftOutboundMessage(base)).toEqual({
      to: '+15551234567', from: '+15005550006', fromKind: 'number', serviceSid: null, body: 'hi', coding: 0, numSegments: 1, udh: null,
      messageClass: null, validitySeconds: 36000, statusCallback: null, statusCallbackMethod: 'POST',
    });
  });
  it('counts segments and picks the coding', () => {
    expect(draftOutboundMessage({ ...base, Body: 'a'.repeat(160) }).numSegments).toBe(1);
    expect(draftOutboundMessage({ ...base, Body: 'a'.repeat(161) }).numSegments).toBe(2);
    expect(draftOutboundMessage({ ...base, Body: 'ж'.repeat(71) })).toMatchObject({ coding: 2, numSegments: 2 });
    expect(draftOutboundMessage({ ...base, Body: 'a'.repeat(71), SmscCoding: 'ucs2' })).toMatchObject({ coding: 2, numSegments: 2 });
    expect(draftOutboundMessage({ ...base, Body: '“quoted”', SmartEncoded: true })).toMatchObject({ body: '"quoted"', coding: 0 });
  });
  it('handles binary payloads and caller UDHs', () => {
    expect(draftOutboundMessage({ ...base, Body: undefined, SmscBinaryBody: 'ff'.repeat(141) })).toMatchObject({ coding: 1, numSegments: 2, body: 'FF'.repeat(141) });
    expect(draftOutboundMessage({ ...base, Body: 'a'.repeat(153), SmscUdh: '050003010201' })).toMatchObject({ numSegments: 1, udh: '050003010201' });
    expect(codeOf({ ...base, Body: 'a'.repeat(154), SmscUdh: '050003010201' })).toBe(70002);
    expect(codeOf({ ...base, SmscBinaryBody: '00' })).toBe(70002);
    expect(codeOf({ ...base, Body: 'ж', SmscCoding: 'gsm7' })).toBe(70002);
    expect(codeOf({ ...base, Body: undefined, SmscCoding: 'binary' })).toBe(70002);
  });
  it('answers each invalid request with its Twilio code', () => {
    expect(codeOf({ ...base, To: '' })).toBe(21604);
    expect(codeOf({ ...base, To: '555' })).toBe(21211);
    expect(codeOf({ ...base, To: '+15005550006' })).toBe(21266);
    expect(codeOf({ ...base, From: undefined })).toBe(21603);
    expect(codeOf({ ...base, From: '12345' })).toBe(21212);
    expect(codeOf({ ...base, Body: undefined })).toBe(21602);
    expect(codeOf({ ...base, Body: 'a'.repeat(1601) })).toBe(21617);
    expect(codeOf({ ...base, MediaUrl: ['https://x.example/a.png'] })).toBe(21620);
    expect(codeOf({ ...base, MessagingServiceSid: 'MG123' })).toBe(21705);
    expect(codeOf({ ...base, ContentSid: 'HX' + '0'.repeat(32) })).toBe(70002);
    expect(codeOf({ ...base, StatusCallback: 'https://bad_host.example.com/cb' })).toBe(21609);
    expect(draftOutboundMessage({ ...base, From: 'Acme' }).fromKind).toBe('alphanumeric');
  });

  it('lets a Messaging Service stand in for From, given as MessagingServiceSid or as an MG SID in From', () => {
    const mg = 'MG' + 'a'.repeat(32);
    expect(draftOutboundMessage({ ...base, From: undefined, MessagingServiceSid: mg })).toMatchObject({ from: null, fromKind: 'pool', serviceSid: mg });
    expect(draftOutboundMessage({ ...base, From: mg })).toMatchObject({ from: null, fromKind: 'pool', serviceSid: mg });
    expect(draftOutboundMessage({ ...base, MessagingServiceSid: mg })).toMatchObject({ from: base.From, fromKind: 'number', serviceSid: mg });
  });
});
