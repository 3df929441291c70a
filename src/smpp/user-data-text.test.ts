import { describe, expect, it } from 'vitest';
import { alphabetOf, decodeUserData } from './user-data-text.js';

describe('alphabetOf', () => {
  it.each([
    [0x00, 'gsm7', 'gsm7'], [0x00, 'utf-8', 'utf-8'], [0x00, 'ucs2', 'ucs2'],
    [0x08, 'gsm7', 'ucs2'], [0x08, 'utf-8', 'utf-8'], [0x08, 'ucs2', 'ucs2'],
    [0x01, 'gsm7', 'ascii'], [0x03, 'gsm7', 'latin1'], [0x04, 'gsm7', 'binary'], [0x02, 'gsm7', 'binary'],
    [0x06, 'gsm7', 'iso-8859-5'], [0x07, 'gsm7', 'iso-8859-8'], [0x05, 'gsm7', 'unknown'],
    [0xf1, 'gsm7', 'gsm7'], [0xf6, 'gsm7', 'binary'], [0xc8, 'gsm7', 'gsm7'], [0xe0, 'gsm7', 'ucs2'], [0x48, 'gsm7', 'unknown'],
  ] as const)('dc 0x%s with %s bytes reads as %s', (dc, body, alphabet) => {
    expect(alphabetOf(dc, body)).toBe(alphabet);
  });
});

describe('decodeUserData', () => {
  it('decodes Latin-1, Cyrillic and Hebrew code pages', () => {
    expect(decodeUserData(Buffer.from('e9', 'hex'), 0x03, 'gsm7').text).toBe('é');
    expect(decodeUserData(Buffer.from('b6', 'hex'), 0x06, 'gsm7').text).toBe('Ж');
    expect(decodeUserData(Buffer.from('e0', 'hex'), 0x07, 'gsm7').text).toBe('א');
  });

  it('reports invalid UTF-8 instead of inventing replacement characters', () => {
    const decoded = decodeUserData(Buffer.from('c3', 'hex'), 0x00, 'utf-8');
    expect(decoded).toMatchObject({ text: '\u00c3', alphabet: 'utf-8' });
    expect(decoded.decodeError).toBe('The encoded data was not valid for encoding utf-8');
  });

  it('reports an odd UCS-2 length with the encoder message', () => {
    expect(decodeUserData(Buffer.from('004100', 'hex'), 0x08, 'gsm7').decodeError).toBe('UCS-2 data must have an even number of octets; got 3');
  });
});
