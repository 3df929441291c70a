import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import vectors from './fixtures/vectors.json' with { type: 'json' };
import { analyzeText, capacityOf, countBinarySegments, splitText } from './segments.js';
import { gsm7Length } from './gsm7.js';

type TextSpec = string | { repeat: string; count: number } | TextSpec[];

/** vectors.json text: a string, {repeat, count}, or an array of pieces to concatenate. */
function expand(spec: TextSpec): string {
  if (typeof spec === 'string') return spec;
  if (Array.isArray(spec)) return spec.map(expand).join('');
  return spec.repeat.repeat(spec.count);
}

const unitsOf = (text: string, encoding: 'GSM7' | 'UCS2'): number =>
  encoding === 'GSM7' ? gsm7Length(text) : text.length;

describe('analyzeText and splitText on every text vector', () => {
  it.each(vectors.text_vectors.map((vector) => ({ ...vector, body: expand(vector.text as TextSpec) })))(
    '$id: $encoding, $segments segment(s)',
    (vector) => {
      expect(vector.body.length).toBe(vector.text_length_utf16);
      const analysis = analyzeText(vector.body);
      expect(analysis).toEqual({
        text: vector.body,
        encoding: vector.encoding,
        units: vector.units,
        segments: vector.segments,
        perSegment: vector.per_segment,
      });
      const parts = splitText({ text: vector.body, encoding: analysis.encoding });
      expect(parts.join('')).toBe(vector.body);
      expect(parts.map((part) => unitsOf(part, analysis.encoding))).toEqual(vector.per_segment);
      // The oracle agrees with the vector, so this also pins us to Twilio's calculator.
      expect(new SegmentedMessage(vector.body).segmentsCount).toBe(vector.segments);
    },
  );
});

describe('segment capacity (TS 23.040 §9.2.3.24.1)', () => {
  it.each(vectors.segment_capacity)('$meaning', (row) => {
    const udhOctets = row.udh_octets_incl_udhl;
    expect(capacityOf({ encoding: 'GSM7', udhOctets })).toBe(row.gsm7_septets);
    expect(capacityOf({ encoding: 'UCS2', udhOctets })).toBe(row.ucs2_units);
    expect(capacityOf({ encoding: 'BINARY', udhOctets })).toBe(row.octets_8bit);
  });

  it('counts 8-bit binary segments: 140 single, 134 per part', () => {
    expect([0, 1, 140, 141, 268, 269].map(countBinarySegments)).toEqual([1, 1, 1, 2, 2, 3]);
  });

  it('splits for a 16-bit reference UDH when asked (152 septets per part)', () => {
    const parts = splitText({ text: 'a'.repeat(305), encoding: 'GSM7', udhOctets: 7 });
    expect(parts.map((part) => part.length)).toEqual([152, 152, 1]);
  });
});

describe('encoding choice and Smart Encoding', () => {
  it('applies Smart Encoding only when asked', () => {
    const { input, output, segments_after } = vectors.twilio_smart_encoding.vector;
    expect(analyzeText(input)).toMatchObject({ text: input, encoding: 'UCS2' });
    expect(analyzeText(input, { smartEncoding: true })).toMatchObject({
      text: output,
      encoding: vectors.twilio_smart_encoding.vector.encoding_after,
      segments: segments_after,
    });
  });

  it('counts an empty body as one empty segment, as Twilio does', () => {
    expect(analyzeText('')).toEqual({ text: '', encoding: 'GSM7', units: 0, segments: 1, perSegment: [0] });
  });

  it('refuses to split a non-GSM text as GSM7', () => {
    expect(() => splitText({ text: 'ç', encoding: 'GSM7' })).toThrowError(
      expect.objectContaining({ code: 'GSM7_UNSUPPORTED_CHARACTER' }),
    );
  });

  it('cuts a pathological grapheme between code points, never inside a surrogate pair', () => {
    const text = `x${'\u0301'.repeat(40)}${'😀'.repeat(40)}`.repeat(2);
    for (const part of splitText({ text, encoding: 'UCS2' })) {
      expect(part.length).toBeLessThanOrEqual(67);
      expect(/^[\udc00-\udfff]|[\ud800-\udbff]$/.test(part)).toBe(false);
    }
  });
});

// Characters where Intl.Segmenter and the oracle's grapheme-splitter agree (see docs/encoding.md for the
// newer emoji sequences and Indic conjuncts where they do not).
const GSM = [...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0189:;<=>?¡AZÄÖÑÜ§¿azäöñüà', '{', '}', '[',
  ']', '~', '\\', '|', '^', '€', '\f', '\r\n'];
const UCS2 = ['Ж', 'ç', 'ê', '中', '“', '—', '…', '\u00a0', '\t'];
const EMOJI = ['😀', '👍🏽', '🇮🇹', '🇫🇷', '👨‍👩‍👧', '🏳️‍🌈', '❤️', 'é', '🧑‍💻'];

const textFrom = (pool: string[], maxLength: number) =>
  fc.array(fc.constantFrom(...pool), { maxLength }).map((chars) => chars.join(''));

const mixed = fc.oneof(
  textFrom(GSM, 500),
  textFrom([...GSM, ...UCS2], 300),
  textFrom([...GSM, ...EMOJI], 200),
  textFrom([...UCS2, ...EMOJI, 'a', '€'], 200),
);

describe('against Twilio (sms-segments-calculator) and round trips (property)', () => {
  it('encoding and segment count equal the calculator, with and without Smart Encoding', () => {
    fc.assert(
      fc.property(mixed, fc.boolean(), (text, smart) => {
        const oracle = new SegmentedMessage(text, 'auto', smart);
        const ours = analyzeText(text, { smartEncoding: smart });
        expect(ours.segments).toBe(oracle.segmentsCount);
        expect(ours.encoding).toBe(oracle.encodingName === 'GSM-7' ? 'GSM7' : 'UCS2');
      }),
      { numRuns: 500 },
    );
  });

  it('splitText parts re-join to the text, fit, and keep pairs whole', () => {
    fc.assert(
      fc.property(mixed, (text) => {
        const { encoding, segments } = analyzeText(text);
        const parts = splitText({ text, encoding });
        expect(parts.join('')).toBe(text);
        expect(parts).toHaveLength(segments);
        const limit = parts.length === 1 ? capacityOf({ encoding }) : capacityOf({ encoding, udhOctets: 6 });
        for (const part of parts) {
          expect(unitsOf(part, encoding)).toBeLessThanOrEqual(limit);
          expect(/^[\udc00-\udfff]|[\ud800-\udbff]$/.test(part)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
