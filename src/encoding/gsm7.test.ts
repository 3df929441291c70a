import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import vectors from './fixtures/vectors.json' with { type: 'json' };
import { decodeGsm7, encodeGsm7, gsm7Length, isGsm7, nonGsm7Characters, packSeptets, unpackSeptets } from './gsm7.js';
import { BASIC_TABLE, EXTENSION_TABLE } from './gsm7-alphabet.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));

const gsmChars = [
  ...vectors.gsm7_default_alphabet.basic.filter((entry) => entry.unicode !== null).map((entry) => entry.char),
  ...vectors.gsm7_default_alphabet.extension.map((entry) => entry.char),
];

describe('GSM 03.38 alphabet', () => {
  it.each(vectors.gsm7_default_alphabet.basic)('basic septet $septet is $unicode', (entry) => {
    expect(BASIC_TABLE[entry.septet]).toBe(entry.unicode === null ? '' : entry.char);
    const septetHex = entry.septet.toString(16).toUpperCase().padStart(2, '0');
    if (entry.unicode !== null) expect(hex(encodeGsm7(entry.char))).toBe(septetHex);
  });

  it.each(vectors.gsm7_default_alphabet.extension)('extension ESC+$septetAfterEsc is $unicode', (entry) => {
    expect(EXTENSION_TABLE.get(entry.septetAfterEsc)).toBe(entry.char);
    expect([...encodeGsm7(entry.char)]).toEqual([0x1b, entry.septetAfterEsc]);
    expect(decodeGsm7(Uint8Array.from([0x1b, entry.septetAfterEsc]))).toBe(entry.char);
  });

  it('has exactly 127 basic characters and 10 extension characters', () => {
    expect(BASIC_TABLE.filter((char) => char !== '')).toHaveLength(127);
    expect(EXTENSION_TABLE.size).toBe(10);
  });
});

describe('isGsm7', () => {
  it('accepts the whole alphabet and rejects the usual traps', () => {
    expect(isGsm7(gsmChars.join(''))).toBe(true);
    for (const char of ['ç', '`', 'ê', 'â', 'α', '\u001b', '\t', 'Ж', '😀', '\ud83d']) expect(isGsm7(char)).toBe(false);
  });

  it('lists the characters that force UCS-2, once each', () => {
    expect(nonGsm7Characters('aç😀bçé')).toEqual(['ç', '😀']);
  });
});

describe('encodeGsm7 / decodeGsm7', () => {
  it.each(vectors.gsm7_codec_vectors.filter((v) => v.septets_unpacked_hex !== undefined))(
    '$text -> unpacked $septets_unpacked_hex',
    (vector) => {
      expect(hex(encodeGsm7(vector.text))).toBe(vector.septets_unpacked_hex);
      expect(decodeGsm7(fromHex(vector.septets_unpacked_hex as string))).toBe(vector.text);
    },
  );

  it('counts extension characters as two septets', () => {
    expect(gsm7Length('{}[]~\\|^€\f')).toBe(20);
  });

  it('refuses a non-GSM character with its code point and index', () => {
    expect(() => encodeGsm7('ab ж')).toThrowError(
      expect.objectContaining({
        code: 'GSM7_UNSUPPORTED_CHARACTER',
        message: 'character U+0436 ("ж") at index 3 is not in the GSM 03.38 alphabet',
      }),
    );
    expect(() => encodeGsm7('😀')).toThrowError(
      expect.objectContaining({
        code: 'GSM7_UNSUPPORTED_CHARACTER',
        message: 'character U+1F600 ("😀") at index 0 is not in the GSM 03.38 alphabet',
      }),
    );
  });

  it('applies the reserved-escape rules of TS 23.038', () => {
    expect(decodeGsm7(fromHex('1B1B'))).toBe(' '); // ESC ESC shows a space
    expect(decodeGsm7(fromHex('1B41'))).toBe('A'); // undefined code: the basic-table character
    expect(decodeGsm7(fromHex('1B0D'))).toBe('\r'); // CR2 is reserved: shown as CR
    expect(decodeGsm7(fromHex('611B'))).toBe('a'); // a trailing lone ESC carries nothing
  });

  it('rejects an octet above 0x7F instead of guessing', () => {
    expect(() => decodeGsm7(fromHex('41C3'))).toThrowError(
      expect.objectContaining({
        code: 'GSM7_INVALID_SEPTET',
        message: 'octet 0xC3 at index 1 is not a GSM-7 septet (0x00-0x7F)',
      }),
    );
  });
});

describe('packSeptets / unpackSeptets', () => {
  it.each(vectors.gsm7_codec_vectors.filter((v) => v.packed_hex !== undefined))(
    '$text packs to $packed_hex with $fill_bits fill bits',
    (vector) => {
      const septets = encodeGsm7(vector.text);
      const packed = packSeptets(septets, vector.fill_bits);
      expect(hex(packed)).toBe(vector.packed_hex);
      expect(decodeGsm7(unpackSeptets(packed, septets.length, vector.fill_bits))).toBe(vector.text);
    },
  );

  it('honours the septet count: 7 septets do not grow a trailing @', () => {
    const packed = fromHex('31D98C56B3DD00');
    expect(decodeGsm7(unpackSeptets(packed, 7))).toBe('1234567');
    expect(decodeGsm7(unpackSeptets(packed, 8))).toBe('1234567@');
  });

  it('reports short input and bad fill bits', () => {
    expect(() => unpackSeptets(fromHex('E832'), 3)).toThrowError(
      expect.objectContaining({
        code: 'GSM7_SHORT_INPUT',
        message: '3 septets with 0 fill bits need 3 octets; got 2',
      }),
    );
    expect(() => packSeptets(new Uint8Array(1), 7)).toThrowError(
      expect.objectContaining({
        code: 'GSM7_INVALID_FILL_BITS',
        message: 'fill bits must be an integer 0..6; got 7',
      }),
    );
  });
});

describe('GSM-7 round trips (property)', () => {
  const gsmText = fc.array(fc.constantFrom(...gsmChars), { maxLength: 400 }).map((chars) => chars.join(''));

  it('decode(encode(text)) === text', () => {
    fc.assert(fc.property(gsmText, (text) => decodeGsm7(encodeGsm7(text)) === text));
  });

  it('unpack(pack(septets)) === septets for every fill', () => {
    fc.assert(
      fc.property(gsmText, fc.integer({ min: 0, max: 6 }), (text, fill) => {
        const septets = encodeGsm7(text);
        expect(unpackSeptets(packSeptets(septets, fill), septets.length, fill)).toEqual(septets);
      }),
    );
  });
});
