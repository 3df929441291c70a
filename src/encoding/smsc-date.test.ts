import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSmscDate } from './smsc-date.js';

describe('parseSmscDate', () => {
  it('reads the documented yyyy-mm-dd hh:mm:ss as UTC on a 24-hour clock', () => {
    expect(parseSmscDate('2024-06-15 14:37:05')).toEqual({ kind: 'exact', date: new Date('2024-06-15T14:37:05Z') });
    expect(parseSmscDate(' 2024-02-29 00:00:00 ')).toEqual({ kind: 'exact', date: new Date('2024-02-29T00:00:00Z') });
  });

  it('reads what the SMSC really emits as the fields it carries, with no month', () => {
    // smsc-sip-interface.md §8: 2024-06-15 14:37:05 formatted with "yyyyy-mm-dd hh:mm:ss".
    expect(parseSmscDate('02024-37-15 02:37:05')).toEqual({
      kind: 'partial',
      year: 2024,
      day: 15,
      hour12: 2,
      minute: 37,
      second: 5,
    });
    expect(parseSmscDate('02025-00-01 12:00:59')).toEqual({
      kind: 'partial',
      year: 2025,
      day: 1,
      hour12: 12,
      minute: 0,
      second: 59,
    });
  });

  it.each([
    '',
    '2024-13-01 00:00:00',
    '2024-02-30 00:00:00',
    '2024-06-15 24:00:00',
    '2024-06-15T14:37:05Z',
    '2024-06-15',
    '02024-37-15 02:38:05', // the two minute fields disagree: not the SMSC's output
    '02024-37-15 13:37:05', // hh is a 12-hour clock
    '02024-37-32 02:37:05',
    'tomorrow',
  ])('returns null for %j', (value) => {
    expect(parseSmscDate(value)).toBeNull();
  });

  it('never throws, whatever arrives (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{4,5}-\d\d-\d\d \d\d:\d\d:\d\d$/)), (value) => {
        const result = parseSmscDate(value);
        expect(result === null || result.kind === 'exact' || result.kind === 'partial').toBe(true);
      }),
    );
  });

  it('exact dates round-trip through their own format (property)', () => {
    const dates = fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(dates, (date) => {
        const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
        const text = whole.toISOString().slice(0, 19).replace('T', ' ');
        expect(parseSmscDate(text)).toEqual({ kind: 'exact', date: whole });
      }),
    );
  });
});
