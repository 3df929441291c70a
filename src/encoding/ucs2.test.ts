import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeUcs2, encodeUcs2 } from './ucs2.js';

describe('UCS-2 / UTF-16BE', () => {
  it('encodes BMP text two octets per character, big-endian', () => {
    expect(encodeUcs2('AЖ€').toString('hex').toUpperCase()).toBe('0041041620AC');
  });

  it('encodes a character outside the BMP as a surrogate pair', () => {
    expect(encodeUcs2('😀').toString('hex').toUpperCase()).toBe('D83DDE00');
    expect(decodeUcs2(Uint8Array.from([0xd8, 0x3d, 0xde, 0x00]))).toBe('😀');
  });

  it('keeps a lone surrogate so that parts split inside a pair join back into the character', () => {
    const first = decodeUcs2(Uint8Array.from([0x00, 0x61, 0xd8, 0x3d]));
    const second = decodeUcs2(Uint8Array.from([0xde, 0x00]));
    expect(first + second).toBe('a😀');
  });

  it('rejects an odd number of octets', () => {
    expect(() => decodeUcs2(Uint8Array.from([0x00, 0x41, 0x00]))).toThrowError(
      expect.objectContaining({
        code: 'UCS2_ODD_LENGTH',
        message: 'UCS-2 data must have an even number of octets; got 3',
      }),
    );
  });

  it('round-trips any UTF-16 string, emoji included (property)', () => {
    const anyUtf16 = fc.string({ unit: 'binary', maxLength: 50 });
    const emojiText = fc.string({ unit: fc.constantFrom('😀', '🇮🇹', 'Ж', 'a', '👨‍👩‍👧'), maxLength: 100 });
    for (const texts of [anyUtf16, emojiText]) {
      fc.assert(
        fc.property(texts, (text) => {
          expect(decodeUcs2(encodeUcs2(text))).toBe(text);
        }),
      );
    }
  });
});
