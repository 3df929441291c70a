import { describe, expect, it } from 'vitest';
import vectors from '../encoding/fixtures/vectors.json' with { type: 'json' };
import { formatSmppAbsoluteTime, parseSmppTime } from './smpp-time.js';

const DURATIONS: Record<string, number> = { P1D: 86_400, PT1H: 3_600, P11DT6H7M55S: 11 * 86_400 + 6 * 3_600 + 7 * 60 + 55 };

describe('SMPP time (§7.1)', () => {
  it.each(vectors.smpp_time_vectors)('parses $value ($kind)', (vector) => {
    const parsed = parseSmppTime(vector.value);
    if (vector.kind === 'null') return expect(parsed).toBeNull();
    if (vector.kind === 'absolute') {
      return expect(parsed).toEqual({ kind: 'absolute', date: new Date(vector.utc as string) });
    }
    expect(parsed).toEqual({ kind: 'relative', seconds: DURATIONS[vector.duration as string] });
  });

  it('formats absolute times in UTC with tenths', () => {
    expect(formatSmppAbsoluteTime(new Date('2030-01-02T03:04:05.000Z'))).toBe('300102030405000+');
    expect(formatSmppAbsoluteTime(new Date('2025-06-15T12:30:00.750Z'))).toBe('250615123000700+');
  });

  it('round-trips a formatted time', () => {
    const date = new Date('2031-12-31T23:59:58.300Z');
    expect(parseSmppTime(formatSmppAbsoluteTime(date))).toEqual({ kind: 'absolute', date });
  });

  it('rejects malformed values and out-of-range offsets', () => {
    expect(() => parseSmppTime('2506151430')).toThrow(RangeError);
    expect(() => parseSmppTime('250615143000049+')).toThrow('SMPP time offset out of range: 250615143000049+');
  });
});
