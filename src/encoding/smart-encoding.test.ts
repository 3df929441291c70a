import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import TwilioSmartEncodingMap from 'sms-segments-calculator/dist/libs/SmartEncodingMap.js';
import UnicodeToGsm from 'sms-segments-calculator/dist/libs/UnicodeToGSM.js';
import vectors from './fixtures/vectors.json' with { type: 'json' };
import { SMART_ENCODING_MAP } from './smart-encoding-map.js';
import { smartEncode } from './smart-encoding.js';
import { CHAR_TO_SEPTETS } from './gsm7-alphabet.js';
import { isGsm7 } from './gsm7.js';

// The dev-only oracle ships CommonJS with `exports.default`; unwrap whichever shape the loader hands us.
const unwrap = <T>(module: T | { default: T }): T =>
  typeof module === 'object' && module !== null && 'default' in module
    ? (module as { default: T }).default
    : (module as T);
const twilioMap = unwrap(TwilioSmartEncodingMap) as Record<string, string>;
const twilioGsm = unwrap(UnicodeToGsm) as Record<string, number[]>;

describe('Smart Encoding map', () => {
  it('equals the map in sms-segments-calculator@1.3.0 entry by entry (271 entries)', () => {
    expect(Object.keys(twilioMap)).toHaveLength(vectors.twilio_smart_encoding.total_mappings_in_map);
    expect(Object.fromEntries(SMART_ENCODING_MAP)).toEqual(twilioMap);
  });

  it('only ever produces GSM-7 text', () => {
    for (const replacement of SMART_ENCODING_MAP.values()) expect(isGsm7(replacement)).toBe(true);
  });

  it.each(Object.entries(vectors.twilio_smart_encoding.examples))('maps %j to %j', (from, to) => {
    expect(smartEncode(from)).toBe(to);
  });

  it('turns the published vector into GSM-7 text', () => {
    const { input, output } = vectors.twilio_smart_encoding.vector;
    expect(smartEncode(input)).toBe(output);
  });

  it('leaves unmapped characters alone, including emoji and lowercase full-width letters', () => {
    expect(smartEncode('Жç😀ａ')).toBe('Жç😀ａ');
  });

  it('matches the oracle on random text (property)', () => {
    const pool = [...Object.keys(twilioMap), 'a', 'Ж', '😀', ' '];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { maxLength: 50 }), (chars) => {
        const text = chars.join('');
        const expected = Array.from(text, (char) => twilioMap[char] ?? char).join('');
        expect(smartEncode(text)).toBe(expected);
      }),
    );
  });
});

describe('GSM alphabet parity with the calculator', () => {
  it('maps the same 137 characters to the same septets', () => {
    const ours = Object.fromEntries([...CHAR_TO_SEPTETS].map(([unit, septets]) => [String(unit), [...septets]]));
    expect(ours).toEqual(Object.fromEntries(Object.entries(twilioGsm).map(([unit, septets]) => [unit, septets])));
  });
});
