import { describe, expect, it } from 'vitest';
import { EncodingError } from '../encoding/encoding-error.js';
import { createPdu } from './smpp-lib.js';
import { buildSubmitSms, SubmitBuildError, toSmppAddress, type SubmitInput } from './submit-builder.js';

const base: SubmitInput = {
  to: '+447700900123',
  from: '+15005550006',
  text: 'Hello @_',
  coding: 0,
  registeredDelivery: true,
  longMessageMode: 'udh',
  bodyEncoding: 'gsm7',
};

const hex = (buffer: Buffer | undefined): string => (buffer ?? Buffer.alloc(0)).toString('hex');

describe('toSmppAddress', () => {
  it('maps E.164, plain digits and alphanumeric sender ids', () => {
    expect(toSmppAddress('+447700900123')).toEqual({ ton: 1, npi: 1, address: '447700900123' });
    expect(toSmppAddress('40404')).toEqual({ ton: 0, npi: 1, address: '40404' });
    expect(toSmppAddress('MyBrand')).toEqual({ ton: 5, npi: 0, address: 'MyBrand' });
  });

  it.each(['', '+', '+0123', 'TwelveCharsX', 'ab\u00e9'])('rejects %j', (value) => {
    expect(() => toSmppAddress(value)).toThrowError(expect.objectContaining({ code: 'INVALID_ADDRESS' }));
  });
});

describe('buildSubmitSms', () => {
  it('builds one GSM 7-bit submit_sm, unpacked, with exact wire bytes', () => {
    const [params, ...rest] = buildSubmitSms(base);
    expect(rest).toEqual([]);
    const wire = createPdu('submit_sm', { ...params, sequence_number: 7 }).toBuffer().toString('hex');
    expect(wire).toBe(
      '00000040' + '00000004' + '00000000' + '00000007' +
        '00' + '0101' + Buffer.from('15005550006\0').toString('hex') +
        '0101' + Buffer.from('447700900123\0').toString('hex') +
        '00' + '00' + '00' + '00' + '00' + '01' + '00' + '00' + '00' +
        '08' + '48656c6c6f200011',
    );
  });

  it('writes UTF-8 bytes for RestComm (bodyEncoding utf-8) and UCS-2 for bodyEncoding ucs2', () => {
    expect(hex(buildSubmitSms({ ...base, bodyEncoding: 'utf-8' })[0]?.short_message)).toBe('48656c6c6f20405f');
    expect(hex(buildSubmitSms({ ...base, text: 'é', bodyEncoding: 'utf-8' })[0]?.short_message)).toBe('c3a9');
    expect(hex(buildSubmitSms({ ...base, text: 'Hi', bodyEncoding: 'ucs2' })[0]?.short_message)).toBe('00480069');
  });

  it('maps the alphabet code to data_coding and sets validity and receipts', () => {
    const [params] = buildSubmitSms({ ...base, coding: 2, text: 'Жж', registeredDelivery: false, validityPeriod: new Date('2030-01-02T03:04:05Z') });
    expect(params).toMatchObject({ data_coding: 0x08, registered_delivery: 0, validity_period: '300102030405000+', esm_class: 0 });
    expect(hex(params?.short_message)).toBe('04160436');
    expect(buildSubmitSms({ ...base, coding: 1, text: 'hi' })[0]).toMatchObject({ data_coding: 0x04, short_message: Buffer.from('hi') });
  });

  it('splits 161 GSM characters into 153 + 8 with an 8-bit concatenation UDH', () => {
    const parts = buildSubmitSms({ ...base, text: 'a'.repeat(161), concatReference: 0x2a });
    expect(parts.map((part) => part.esm_class)).toEqual([0x40, 0x40]);
    expect(hex(parts[0]?.short_message)).toBe('0500032a0201' + '61'.repeat(153));
    expect(hex(parts[1]?.short_message)).toBe('0500032a0202' + '61'.repeat(8));
  });

  it('uses a 16-bit reference (152 septets per part) when asked', () => {
    const parts = buildSubmitSms({ ...base, text: 'a'.repeat(161), concatReference: 0x1234, concatReferenceBits: 16 });
    expect(hex(parts[0]?.short_message)).toBe('06080412340201' + '61'.repeat(152));
    expect(hex(parts[1]?.short_message)).toBe('06080412340202' + '61'.repeat(9));
  });

  it('never splits an escape pair: 152 a + € + 152 a needs three parts', () => {
    const parts = buildSubmitSms({ ...base, text: `${'a'.repeat(152)}€${'a'.repeat(152)}`, concatReference: 1 });
    expect(parts.map((part) => part.short_message.length - 6)).toEqual([152, 153, 1]);
    expect(hex(parts[1]?.short_message).slice(12, 16)).toBe('1b65');
  });

  it('splits UCS-2 at 67 code units per part', () => {
    const parts = buildSubmitSms({ ...base, coding: 2, text: 'Ж'.repeat(71), concatReference: 9 });
    expect(parts.map((part) => [part.data_coding, part.short_message.length])).toEqual([[8, 6 + 134], [8, 6 + 8]]);
    expect(hex(parts[1]?.short_message)).toBe('050003090202' + '0416'.repeat(4));
  });

  it('derives the same default reference for the same message (a resubmission reuses it)', () => {
    const one = buildSubmitSms({ ...base, text: 'b'.repeat(200) });
    const two = buildSubmitSms({ ...base, text: 'b'.repeat(200) });
    expect(one[0]?.short_message.subarray(0, 6)).toEqual(two[0]?.short_message.subarray(0, 6));
  });

  it('sends one message_payload PDU in payload mode', () => {
    const parts = buildSubmitSms({ ...base, text: 'a'.repeat(200), longMessageMode: 'payload' });
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ esm_class: 0, short_message: Buffer.alloc(0), message_payload: Buffer.from('a'.repeat(200)) });
  });

  it('prefixes a caller UDH (X-SMS-UDH) and sets UDHI', () => {
    const [params] = buildSubmitSms({ ...base, text: 'hi', udhHex: '06050413011301' });
    expect(params?.esm_class).toBe(0x40);
    expect(hex(params?.short_message)).toBe('06050413011301' + '6869');
    const [payload] = buildSubmitSms({ ...base, text: 'hi', udhHex: '06050413011301', longMessageMode: 'payload' });
    expect(hex(payload?.message_payload)).toBe('06050413011301' + '6869');
  });

  it('refuses text that cannot fit beside a caller UDH without concatenation', () => {
    const attempt = (): unknown => buildSubmitSms({ ...base, text: 'a'.repeat(153), udhHex: '06050413011301' });
    expect(attempt).toThrow(SubmitBuildError);
    expect(attempt).toThrowError(expect.objectContaining({ code: 'TEXT_TOO_LONG_FOR_UDH' }));
  });

  it('rejects non-GSM text for the GSM alphabet with the encoder error code', () => {
    const attempt = (): unknown => buildSubmitSms({ ...base, text: 'aжb' });
    expect(attempt).toThrow(EncodingError);
    expect(attempt).toThrowError(expect.objectContaining({ code: 'GSM7_UNSUPPORTED_CHARACTER' }));
  });
});
