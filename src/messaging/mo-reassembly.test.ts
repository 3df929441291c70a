import { describe, expect, it } from 'vitest';
import { assembleGroup, concatenationFromUdh, partDigest, type StoredPart } from './mo-reassembly.js';
import { inboundFromAddress } from './receive-sms.js';

const part = (sequence: number, body: string, extra: Partial<StoredPart> = {}): StoredPart => ({
  sequence, body, payload: Buffer.from(body, 'utf8'), coding: 0, udh: null, smscId: null, deliveryTime: null, route: 'sip',
  dateReceived: new Date(0), ...extra,
});

describe('concatenationFromUdh', () => {
  it('reads 8- and 16-bit concatenation IEs', () => {
    expect(concatenationFromUdh('050003A70201')).toEqual({ reference: 0xa7, total: 2, sequence: 1, referenceBits: 8 });
    expect(concatenationFromUdh('060804BEEF0302')).toEqual({ reference: 0xbeef, total: 3, sequence: 2, referenceBits: 16 });
  });

  it('is null for no UDH, a port-only UDH, a one-part "concatenation" and an unreadable UDH', () => {
    expect(concatenationFromUdh(null)).toBeNull();
    expect(concatenationFromUdh('06050413011301')).toBeNull();
    expect(concatenationFromUdh('050003A70101')).toBeNull();
    expect(concatenationFromUdh('050003A7')).toBeNull();
  });

  it('is null for a concatenation IE with total 0, sequence 0 or a sequence above the total (TS 23.040)', () => {
    expect(concatenationFromUdh('050003A70001')).toBeNull();
    expect(concatenationFromUdh('050003A70000')).toBeNull();
    expect(concatenationFromUdh('050003A70200')).toBeNull();
    expect(concatenationFromUdh('050003A70203')).toBeNull();
    expect(concatenationFromUdh('060804BEEF0005')).toBeNull();
  });
});

describe('assembleGroup', () => {
  const group = { from: '+447700900123', to: '+14155550100', reference: 0xa7, total: 3 };

  it('joins the parts in order and takes the message fields from the first', () => {
    const assembled = assembleGroup(group, [part(1, 'ab', { smscId: 'esme', deliveryTime: 'T' }), part(2, 'cd', { coding: 2 }), part(3, 'ef')]);
    expect(assembled).toMatchObject({ text: 'abcdef', complete: true, missing: [], coding: 2, smscId: 'esme', deliveryTime: 'T' });
    expect(assembled.eventDetail.parts).toEqual([
      { sequence: 1, digest: partDigest('ab') }, { sequence: 2, digest: partDigest('cd') }, { sequence: 3, digest: partDigest('ef') },
    ]);
  });

  it('joins the payloads byte for byte and keeps the first part\'s UDH without its concatenation IE', () => {
    const binary = (sequence: number, hex: string) => part(sequence, hex.toUpperCase(), {
      coding: 1, payload: Buffer.from(hex, 'hex'), udh: `0B0003A703${sequence.toString(16).padStart(2, '0')}0504158A0000`,
    });
    const assembled = assembleGroup(group, [binary(2, '00ff'), binary(1, '0001'), binary(3, '00')]);
    expect(assembled).toMatchObject({ text: '000100FF00', coding: 1, udh: '060504158A0000', complete: true });
    expect(assembled.payload?.toString('hex')).toBe('000100ff00');
  });

  it('has no payload when a part has none (stored before payloads were kept), and no UDH when only concatenation was there', () => {
    const assembled = assembleGroup(group, [part(1, 'ab', { udh: '050003A70301' }), part(2, 'cd', { payload: null }), part(3, 'ef')]);
    expect([assembled.payload, assembled.udh]).toEqual([null, null]);
  });

  it('reports the gaps of an incomplete group', () => {
    expect(assembleGroup(group, [part(1, 'ab'), part(3, 'ef')])).toMatchObject({ text: 'abef', complete: false, received: [1, 3], missing: [2] });
  });
});

describe('partDigest', () => {
  it('is stable and distinguishes texts', () => {
    expect(partDigest('hello')).toBe('2cf24dba5fb0a30e');
    expect(partDigest('hello!')).not.toBe(partDigest('hello'));
  });
});

describe('inboundFromAddress', () => {
  it('writes a numeric sender as E.164 and passes an alphanumeric one through', () => {
    expect(inboundFromAddress('447700900123')).toBe('+447700900123');
    expect(inboundFromAddress('+447700900123')).toBe('+447700900123');
    expect(inboundFromAddress('My%20Bank')).toBe('My Bank');
    expect(inboundFromAddress('INFO')).toBe('INFO');
  });
});
