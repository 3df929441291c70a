import { describe, expect, it } from 'vitest';
import { restcommStatusCallbackParams } from './restcomm-callback-params.js';

describe('restcommStatusCallbackParams', () => {
  const base = { messageSid: 'SM1', accountSid: 'AC1', from: '+1', to: '+2', body: 'hi' };
  it('sends RestComm\'s parameters in its order, plus SmsSid/SmsStatus', () => {
    expect(Object.entries(restcommStatusCallbackParams({ ...base, status: 'delivered' }))).toEqual([
      ['From', '+1'], ['To', '+2'], ['Body', 'hi'], ['AccountSid', 'AC1'], ['MessageSid', 'SM1'], ['MessageStatus', 'delivered'],
      ['SmsSid', 'SM1'], ['SmsStatus', 'delivered'],
    ]);
  });
  it('gives ErrorCode as RestComm\'s enum name', () => {
    expect(restcommStatusCallbackParams({ ...base, status: 'undelivered', errorCode: 30005 }).ErrorCode).toBe('UNKNOWN_DESTINATION_HANDSET');
    expect(restcommStatusCallbackParams({ ...base, status: 'failed', errorCode: 30999 }).ErrorCode).toBe('UNKNOWN_ERROR');
  });
});
