import { describe, expect, it } from 'vitest';
import type { IncomingSipMessage } from '../sip/port.js';
import { receiptWanted, validateSubmit } from './submit-validation.js';

function message(overrides: { from?: string; to?: string; headers?: Array<[string, string]>; body?: string } = {}): IncomingSipMessage {
  return {
    method: 'MESSAGE', requestUri: 'sip:447700900123@127.0.0.1:5060',
    from: overrides.from ?? '<sip:447700900456@10.0.0.9>;tag=a1', to: overrides.to ?? '<sip:447700900123@10.0.0.5>',
    fromUser: '', toUser: '', callId: 'c1', cseq: '1 MESSAGE', headers: overrides.headers ?? [],
    body: Buffer.from(overrides.body ?? 'Hello', 'utf8'), source: { transport: 'udp', address: '127.0.0.1', port: 5070 },
  };
}

describe('validateSubmit', () => {
  it('accepts a plain MESSAGE with the SMSC defaults (coding 0, no receipt)', () => {
    expect(validateSubmit(message())).toEqual({
      kind: 'accept',
      submit: { sourceAddress: '447700900456', sourceTon: 1, destinationAddress: '447700900123', coding: 0, registeredDelivery: 0, udhHex: null, validity: null, text: 'Hello' },
    });
  });

  it('treats a From with a + or letters as alphanumeric, cut to 11 characters', () => {
    const verdict = validateSubmit(message({ from: '<sip:+447700900456@x>' }));
    expect(verdict).toMatchObject({ kind: 'accept', submit: { sourceAddress: '+4477009004', sourceTon: 5 } });
  });

  it('rejects with 500 a destination with +, letters outside a-c, or over 20 characters', () => {
    for (const to of ['<sip:+447700900123@x>', '<sip:shop@x>', `<sip:${'1'.repeat(21)}@x>`]) {
      expect(validateSubmit(message({ to }))).toMatchObject({ kind: 'reject', status: 500 });
    }
    expect(validateSubmit(message({ to: '<sip:12*#abc@x>' })).kind).toBe('accept');
  });

  it('gives no response for a tel: URI, a non-integer coding or registered delivery, or an odd UDH', () => {
    const cases: Array<[Parameters<typeof message>[0], string]> = [
      [{ to: '<tel:+447700900123>' }, 'From or To is not a SIP URI'],
      [{ headers: [['X-SMS-CODING', '0x08']] }, 'X-SMS-CODING "0x08" is not an integer'],
      [{ headers: [['x-sms-coding', '99999999999']] }, 'X-SMS-CODING "99999999999" is not an integer'],
      [{ headers: [['X-REG-DELIVERY', '1.0']] }, 'X-REG-DELIVERY "1.0" is not an integer'],
      [{ headers: [['X-SMS-UDH', '0500030']] }, 'X-SMS-UDH "0500030" has an odd length'],
    ];
    for (const [overrides, reason] of cases) expect(validateSubmit(message(overrides))).toEqual({ kind: 'no-response', reason });
  });

  it('checks the validity only for the digits-digits-digits digits:digits:digits shape', () => {
    expect(validateSubmit(message({ headers: [['X-SMS-VALIDITY', '2024-06-15T14:37:05Z']] }))).toMatchObject({ kind: 'reject', status: 500 });
    expect(validateSubmit(message({ headers: [['X-SMS-VALIDITY', '02024-37-15 02:37:05']] }))).toMatchObject({ kind: 'accept', submit: { validity: '02024-37-15 02:37:05' } });
  });

  it('runs the checks in the SMSC order: a bad validity (500) wins over a bad X-REG-DELIVERY (silence)', () => {
    const headers: Array<[string, string]> = [['X-REG-DELIVERY', 'x'], ['X-SMS-VALIDITY', 'never']];
    expect(validateSubmit(message({ headers }))).toMatchObject({ kind: 'reject' });
  });

  it('reads coding, registered delivery and UDH (uppercased), accepting Java\'s signed integers', () => {
    const headers: Array<[string, string]> = [['X-SMS-CODING', '2'], ['X-REG-DELIVERY', '+3'], ['X-SMS-UDH', '050003a70201']];
    expect(validateSubmit(message({ headers }))).toMatchObject({ kind: 'accept', submit: { coding: 2, registeredDelivery: 3, udhHex: '050003A70201' } });
  });

  it('rejects a payload over 132 x 255 octets', () => {
    expect(validateSubmit(message({ body: 'a'.repeat(38469) }))).toMatchObject({ kind: 'reject', reason: 'Message is too long' });
    expect(validateSubmit(message({ body: 'a'.repeat(38468) })).kind).toBe('accept');
    expect(validateSubmit(message({ headers: [['X-SMS-CODING', '2']], body: 'Ж'.repeat(16831) }))).toMatchObject({ kind: 'reject' });
  });
});

describe('receiptWanted', () => {
  it('follows X-REG-DELIVERY bits 0x03: 1 both, 2 failure only, 3 success only, 0 none', () => {
    const table = [0, 1, 2, 3, 0x11].map((value) => [receiptWanted(value, true), receiptWanted(value, false)]);
    expect(table).toEqual([[false, false], [true, true], [false, true], [true, false], [true, true]]);
  });
});
