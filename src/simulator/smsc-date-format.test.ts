import { describe, expect, it } from 'vitest';
import { parseSmscDate } from '../encoding/index.js';
import { formatSmscDate } from './smsc-date-format.js';

describe('formatSmscDate (the SMSC broken yyyyy-mm-dd hh:mm:ss)', () => {
  it('reproduces the JDK 17 observation of spec §8', () => {
    expect(formatSmscDate(new Date('2024-06-15T14:37:05Z'))).toBe('02024-37-15 02:37:05');
  });

  it('writes midnight and noon as hour 12 (Java hh is 1-12)', () => {
    expect(formatSmscDate(new Date('2024-01-02T00:05:09Z'))).toBe('02024-05-02 12:05:09');
    expect(formatSmscDate(new Date('2024-01-02T12:59:00Z'))).toBe('02024-59-02 12:59:00');
  });

  it('pads single-digit fields and keeps morning hours as they are', () => {
    expect(formatSmscDate(new Date('2031-12-09T09:00:01Z'))).toBe('02031-00-09 09:00:01');
  });

  it('is read back by the service-side parser as the partial date it is', () => {
    expect(parseSmscDate(formatSmscDate(new Date('2024-06-15T14:37:05Z')))).toEqual({
      kind: 'partial', year: 2024, day: 15, hour12: 2, minute: 37, second: 5,
    });
  });

  it('refuses an invalid date', () => {
    expect(() => formatSmscDate(new Date(Number.NaN))).toThrow(RangeError);
  });
});
