import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import vectors from './fixtures/vectors.json' with { type: 'json' };
import {
  buildUdh,
  concatenationIe,
  concatenationOf,
  parseUdh,
  portsIe,
  portsOf,
  splitUserData,
  udhToHex,
} from './udh.js';

const error = (code: string, message: string) => expect.objectContaining({ code, message, name: 'UdhError' });

describe('UDH vectors', () => {
  it.each(vectors.udh_vectors)('$hex', (vector) => {
    if (vector.decoded.valid === false) {
      // The whole header is invalid (its IEs overrun UDHL): an error, never a partial result.
      expect(() => parseUdh(vector.hex)).toThrowError(expect.objectContaining({ code: 'UDH_LENGTH_MISMATCH' }));
      return;
    }
    const udh = parseUdh(vector.hex);
    expect(udh.length).toBe(vector.decoded.udhl);
    expect(udh.ies.map((ie) => ie.iei)).toEqual(vector.decoded.ies?.map((ie) => ie.iei));
    expect(udhToHex(buildUdh(udh.ies))).toBe(vector.hex);
    expect(udhToHex(udh.bytes)).toBe(vector.hex);
    for (const ie of vector.decoded.ies ?? []) {
      if ('length' in ie) expect(udh.ies.find((each) => each.iei === ie.iei)?.data.length).toBe(ie.length);
      if ('valid' in ie && ie.valid === false) expect(concatenationOf(udh)).toBeNull();
      if ('reference' in ie && !('valid' in ie)) {
        expect(concatenationOf(udh)).toMatchObject({ reference: ie.reference, total: ie.total, sequence: ie.sequence });
      }
      if ('destination_port' in ie) {
        expect(portsOf(udh)).toEqual({ destination: ie.destination_port, source: ie.originator_port, bits: 16 });
      }
    }
  });

  it('reads the SMSC example 06050413011301 as 16-bit ports 4865 -> 4865, no concatenation', () => {
    const udh = parseUdh('06050413011301');
    expect(portsOf(udh)).toEqual({ destination: 4865, source: 4865, bits: 16 });
    expect(concatenationOf(udh)).toBeNull();
    expect(udhToHex(buildUdh([portsIe({ destination: 4865, source: 4865, bits: 16 })]))).toBe('06050413011301');
  });

  it('reads WAP push ports plus an 8-bit concatenation from one header', () => {
    const udh = parseUdh('0b05040b8423f00003a70201'); // lowercase hex is accepted
    expect(portsOf(udh)).toEqual({ destination: 2948, source: 9200, bits: 16 });
    expect(concatenationOf(udh)).toEqual({ reference: 167, total: 2, sequence: 1, referenceBits: 8 });
  });

  it('reads 8- and 16-bit concatenation references', () => {
    expect(concatenationOf(parseUdh('050003A70201'))).toEqual({
      reference: 167,
      total: 2,
      sequence: 1,
      referenceBits: 8,
    });
    expect(concatenationOf(parseUdh('0608040F2A0302'))).toEqual({
      reference: 3882,
      total: 3,
      sequence: 2,
      referenceBits: 16,
    });
  });

  it('ignores a concatenation IE with sequence > total, sequence 0 or total 0 (TS 23.040)', () => {
    expect(concatenationOf(parseUdh('050003A70203'))).toBeNull();
    expect(concatenationOf(parseUdh('050003A70200'))).toBeNull();
    expect(concatenationOf(parseUdh('050003A70001'))).toBeNull();
  });

  it('keeps unknown IEs as they are (national single shift, a private IEI)', () => {
    const udh = parseUdh('03240101');
    expect(udh.ies).toEqual([{ iei: 0x24, data: Uint8Array.from([1]) }]);
    const custom = parseUdh('0A70030102030003010201');
    expect(custom.ies[0]).toEqual({ iei: 0x70, data: Uint8Array.from([1, 2, 3]) });
    expect(udhToHex(buildUdh(custom.ies))).toBe('0A70030102030003010201');
  });

  it('8-bit ports round-trip', () => {
    const bytes = buildUdh([portsIe({ destination: 0x10, source: 0x20, bits: 8 })]);
    expect(udhToHex(bytes)).toBe('0404021020');
    expect(portsOf(parseUdh(bytes))).toEqual({ destination: 16, source: 32, bits: 8 });
  });
});

describe('malformed UDH: clear errors, never a crash', () => {
  it.each([
    ['050003A702', 'UDH_LENGTH_MISMATCH', 'UDHL says 5 octets follow, but 4 do'],
    ['050003A7020100', 'UDH_LENGTH_MISMATCH', 'UDHL says 5 octets follow, but 6 do'],
    ['', 'UDH_EMPTY', 'UDH is empty: it needs at least the UDHL octet'],
    ['05000', 'UDH_ODD_HEX', 'UDH hex has an odd number of digits (5): "05000"'],
    ['06 050413011301', 'UDH_BAD_HEX', 'UDH hex contains a non-hex character: "06 050413011301"'],
    ['0100', 'UDH_IE_OVERRUN', 'IE 0x00 at offset 1 has no length octet'],
    ['03000501', 'UDH_IE_OVERRUN', 'IE 0x00 at offset 1 declares 5 octets but only 1 remain'],
    ['0400020102', 'UDH_IE_BAD_LENGTH', 'IE 0x00 must carry 3 octets of data; got 2'],
  ])('%j -> %s', (hex, code, message) => {
    expect(() => parseUdh(hex)).toThrowError(error(code, message));
  });

  it('says where a malformed information element starts (offset, UDHL octet = 0)', () => {
    expect(() => parseUdh('06000304010205')).toThrowError(expect.objectContaining({ code: 'UDH_IE_OVERRUN', offset: 6 }));
  });

  it('parses any byte string without an unexpected exception (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          parseUdh(bytes);
        } catch (thrown) {
          expect((thrown as Error).name).toBe('UdhError');
        }
      }),
    );
  });

  it('refuses values a header cannot carry', () => {
    expect(() => concatenationIe({ reference: 256, total: 2, sequence: 1, referenceBits: 8 })).toThrowError(
      error('UDH_BAD_VALUE', 'reference must be an integer 0..255; got 256'),
    );
    expect(() => concatenationIe({ reference: 1, total: 2, sequence: 3, referenceBits: 16 })).toThrowError(
      error('UDH_BAD_VALUE', 'sequence must be an integer 1..2; got 3'),
    );
    expect(() => buildUdh([{ iei: 0x70, data: new Uint8Array(200) }])).toThrowError(
      error('UDH_TOO_LONG', 'UDH of 203 octets exceeds the 140-octet user data'),
    );
  });
});

describe('building and splitting user data', () => {
  it('builds the 6-octet and 7-octet concatenation headers', () => {
    expect(udhToHex(buildUdh([concatenationIe({ reference: 167, total: 2, sequence: 1, referenceBits: 8 })]))).toBe(
      '050003A70201',
    );
    expect(udhToHex(buildUdh([concatenationIe({ reference: 3882, total: 3, sequence: 2, referenceBits: 16 })]))).toBe(
      '0608040F2A0302',
    );
  });

  it('separates the UDH from the payload of a UDHI short_message', () => {
    const { udh, payload } = splitUserData(Uint8Array.from(Buffer.from('050003A702016869', 'hex')));
    expect(concatenationOf(udh)).toEqual({ reference: 167, total: 2, sequence: 1, referenceBits: 8 });
    expect([...payload]).toEqual([0x68, 0x69]);
    expect(() => splitUserData(Uint8Array.from([5, 0, 3]))).toThrowError(
      error('UDH_LENGTH_MISMATCH', 'UDHL says 5 octets follow, but the user data has only 2'),
    );
  });

  it('concatenation IEs round-trip (property)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 1, max: 255 }),
        fc.integer({ min: 1, max: 255 }),
        (wide, rawReference, total, rawSequence) => {
          const concat = {
            reference: wide ? rawReference : rawReference & 0xff,
            total,
            sequence: ((rawSequence - 1) % total) + 1,
            referenceBits: wide ? (16 as const) : (8 as const),
          };
          expect(concatenationOf(parseUdh(udhToHex(buildUdh([concatenationIe(concat)]))))).toEqual(concat);
        },
      ),
    );
  });
});
