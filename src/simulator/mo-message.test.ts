import { describe, expect, it } from 'vitest';
import { buildMoParts, MoRequestError } from './mo-message.js';

const dates = { submitDate: new Date('2024-06-15T14:37:05Z'), validityDate: new Date('2024-06-18T14:37:05Z'), reference: 0xa7 };

describe('buildMoParts', () => {
  it('builds one part with the SMSC headers and broken dates for a short GSM text', () => {
    expect(buildMoParts({ ...dates, from: '1', to: '2', text: 'Hello!' })).toEqual([{
      sequence: 1, text: 'Hello!', body: Buffer.from('Hello!'), udhHex: null,
      xHeaders: [['X-SMS-CODING', '0'], ['X-DELIVERY_TIME', '02024-37-15 02:37:05'], ['X-SMS-VALIDITY', '02024-37-18 02:37:05']],
    }]);
  });

  it('splits at 153 septets with uppercase 050003<ref><total><seq>, extension characters counting twice', () => {
    const text = '€'.repeat(81); // 162 septets: parts of 76 (152 septets) + 5 characters
    const parts = buildMoParts({ ...dates, from: '1', to: '2', text });
    expect(parts.map((p) => [p.udhHex, p.text.length])).toEqual([['050003A70201', 76], ['050003A70202', 5]]);
    expect(parts[0]!.xHeaders.at(-1)).toEqual(['X-SMS-UDH', '050003A70201']);
  });

  it('chooses UCS-2 for non-GSM text, keeps the body UTF-8, and splits at 67 units', () => {
    const parts = buildMoParts({ ...dates, from: '1', to: '2', text: '日'.repeat(71), smscId: 'esme' });
    expect(parts.map((p) => p.text.length)).toEqual([67, 4]);
    expect(parts[0]!.body).toEqual(Buffer.from('日'.repeat(67), 'utf8'));
    expect(parts[0]!.xHeaders.slice(0, 2)).toEqual([['X-SMSC-ID', 'esme'], ['X-SMS-CODING', '2']]);
  });

  it('keeps a 70-unit UCS-2 text in one part and wraps the reference modulo 256', () => {
    expect(buildMoParts({ ...dates, from: '1', to: '2', text: 'ж'.repeat(70) })).toHaveLength(1);
    const parts = buildMoParts({ ...dates, reference: 257, from: '1', to: '2', text: 'xy', segments: 2 });
    expect(parts.map((p) => p.udhHex)).toEqual(['050003010201', '050003010202']);
  });

  it('refuses GSM coding for non-GSM text and impossible segment counts', () => {
    expect(() => buildMoParts({ ...dates, from: '1', to: '2', text: 'ж', coding: 0 })).toThrow(MoRequestError);
    expect(() => buildMoParts({ ...dates, from: '1', to: '2', text: 'ab', segments: 3 })).toThrow('Cannot cut 2 characters into 3 parts');
    expect(() => buildMoParts({ ...dates, from: '1', to: '2', text: 'a'.repeat(400), segments: 2 })).toThrow('parts of 1..153 septets');
  });
});
