import { describe, expect, it } from 'vitest';
import { inboundSmsParams, statusCallbackParams, withFallbackError } from './webhook-params.js';

const SM = 'SM0123456789abcdef0123456789abcdef';
const AC = 'AC0123456789abcdef0123456789abcdef';

describe('inboundSmsParams', () => {
  const base = { messageSid: SM, accountSid: AC, from: '+447700900123', to: '+447700900999', body: 'Ack', numSegments: 1 };

  it("produces Twilio's parameter set with empty geo fields", () => {
    expect(inboundSmsParams(base)).toEqual({
      MessageSid: SM,
      SmsSid: SM,
      SmsMessageSid: SM,
      AccountSid: AC,
      From: '+447700900123',
      To: '+447700900999',
      Body: 'Ack',
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
      FromCity: '',
      FromState: '',
      FromZip: '',
      FromCountry: '',
      ToCity: '',
      ToState: '',
      ToZip: '',
      ToCountry: '',
    });
  });

  it('adds the SMSC extras and MessagingServiceSid only when present', () => {
    const params = inboundSmsParams({
      ...base,
      numSegments: 3,
      smscId: 'test',
      deliveryTime: '02024-37-15 02:37:05',
      messagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
    });
    expect(params.SmscId).toBe('test');
    expect(params.SmscDeliveryTime).toBe('02024-37-15 02:37:05');
    expect(params.MessagingServiceSid).toBe('MG0123456789abcdef0123456789abcdef');
    expect(params.NumSegments).toBe('3');
    const without = inboundSmsParams({ ...base, smscId: null, deliveryTime: null, messagingServiceSid: null });
    expect(Object.keys(without)).not.toContain('SmscId');
    expect(Object.keys(without)).not.toContain('SmscDeliveryTime');
    expect(Object.keys(without)).not.toContain('MessagingServiceSid');
  });

  it('adds SmscCoding, SmscUdh and SmscPayloadHex when known, for binary content', () => {
    const params = inboundSmsParams({ ...base, body: '0001FF', coding: 'binary', udh: '0605040B8423F0', payloadHex: '0001FF' });
    expect(params).toMatchObject({ Body: '0001FF', SmscCoding: 'binary', SmscUdh: '0605040B8423F0', SmscPayloadHex: '0001FF' });
    const without = inboundSmsParams({ ...base, coding: null, udh: null, payloadHex: null });
    expect(Object.keys(without).filter((key) => key.startsWith('Smsc'))).toEqual([]);
  });
});

describe('statusCallbackParams', () => {
  const base = { messageSid: SM, accountSid: AC, from: '+15005550006', to: '+15551234567' };

  it('sends MessageStatus and SmsStatus without ErrorCode on success', () => {
    expect(statusCallbackParams({ ...base, status: 'delivered', rawDlrDoneDate: '2406151437' })).toEqual({
      MessageSid: SM,
      MessageStatus: 'delivered',
      SmsSid: SM,
      SmsStatus: 'delivered',
      AccountSid: AC,
      From: '+15005550006',
      To: '+15551234567',
      ApiVersion: '2010-04-01',
      RawDlrDoneDate: '2406151437',
    });
  });

  it('adds ErrorCode for failures', () => {
    const params = statusCallbackParams({ ...base, status: 'undelivered', errorCode: 30003 });
    expect(params.ErrorCode).toBe('30003');
    expect(params.MessageStatus).toBe('undelivered');
    expect(Object.keys(params)).not.toContain('RawDlrDoneDate');
  });
});

describe('withFallbackError', () => {
  it('adds ErrorCode and ErrorUrl without touching the original', () => {
    const original = { Body: 'hi' };
    const params = withFallbackError(original, { errorCode: 11200, errorUrl: 'https://example.com/sms?x=1' });
    expect(params).toEqual({ Body: 'hi', ErrorCode: '11200', ErrorUrl: 'https://example.com/sms?x=1' });
    expect(original).toEqual({ Body: 'hi' });
  });
});
