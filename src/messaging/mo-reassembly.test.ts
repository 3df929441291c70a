import { describe, expect, it } from 'vitest';
import { assembleGroup, concatenationFromUdh, partDigest, type StoredPart } from './mo-reassembly.js';
import { inboundFromAddress } from './receive-sms.js';

const part = (sequence: number, body: string, extra: Partial<StoredPart> = {}): StoredPart => ({
  sequence, body, coding: 0, udh: null, smscId: null, deliveryTime: null, route: 'sip', dateReceived: new Date(0), ...extra,
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
