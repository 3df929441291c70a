import { describe, expect, it } from 'vitest';
import { parseXHeaderRequest, XHeaderError } from './x-headers.js';

const now = new Date('2026-12-03T10:00:00Z');
const parse = (fields: Record<string, string>, deny: string[] = []) => parseXHeaderRequest(fields, { deny, now });
const reason = (fields: Record<string, string>, deny: string[] = []): string => {
  try {
    parse(fields, deny);
  } catch (error) {
    if (error instanceof XHeaderError) return error.message;
    throw error;
  }
  return 'accepted';
};

describe('parseXHeaderRequest', () => {
  it('turns the SMSC\'s headers into the fields they stand for, any case', () => {
    expect(parse({ 'X-SMS-UDH': '050003a70201', 'x-sms-coding': '2', 'X-SMS-VALIDITY': '2026-12-03 11:00:00', 'X-M-CLASS': '1', 'X-REG-DELIVERY': '0' }))
      .toEqual({ seed: { udh: '050003A70201', coding: 2, validitySeconds: 3600, messageClass: 1, receipt: false }, passThrough: {} });
  });

  it('refuses bad values of the SMSC\'s headers with the header and the reason', () => {
    expect(reason({ 'X-SMS-UDH': '05000' })).toMatch(/^X-SMS-UDH: must be an even number of hex digits/);
    expect(reason({ 'X-SMS-CODING': '8' })).toMatch(/^X-SMS-CODING: must be 0/);
    expect(reason({ 'X-SMS-VALIDITY': '2026-12-03 09:00:00' })).toBe('X-SMS-VALIDITY: must be in the future');
    expect(reason({ 'X-SMS-VALIDITY': '02026-12-03 11:00:00' })).toMatch(/yyyy-mm-dd hh:mm:ss/);
    expect(reason({ 'X-M-CLASS': '4' })).toMatch(/^X-M-CLASS/);
    expect(reason({ 'X-REG-DELIVERY': 'yes' })).toMatch(/^X-REG-DELIVERY/);
  });

  it('passes other X- headers through when name and value are safe', () => {
    expect(parse({ 'X-Custom': 'v 1', 'X-Tenant_ID': 'abc' }).passThrough).toEqual({ 'X-Custom': 'v 1', 'X-Tenant_ID': 'abc' });
    expect(reason({ 'X-Bad Name': 'v' })).toMatch(/token characters/);
    expect(reason({ 'X-Inject': 'v\r\nVia: evil' })).toMatch(/without CR or LF/);
    expect(reason({ 'X-Long': 'v'.repeat(257) })).toMatch(/at most 256/);
    expect(reason({ 'X-SMSC-ID': 'forged' })).toMatch(/only the SMSC/);
    expect(reason({ 'X-Blocked': 'v' }, ['x-blocked'])).toMatch(/blocked by the operator/);
  });
});
