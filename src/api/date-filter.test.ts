import { describe, expect, it } from 'vitest';
import { parseDateFilter } from './date-filter.js';

const iso = (text: string) => {
  const interval = parseDateFilter(text);
  return interval && [interval.start.toISOString(), interval.end.toISOString()];
};

describe('parseDateFilter', () => {
  it('reads a date as its whole GMT day', () => {
    expect(iso('2019-06-11')).toEqual(['2019-06-11T00:00:00.000Z', '2019-06-12T00:00:00.000Z']);
  });
  it('reads twilio-node timestamps as one second', () => {
    expect(iso('2024-01-01T00:00:00Z')).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-01T00:00:01.000Z']);
    expect(iso('2024-01-01T02:00:00+02:00')).toEqual(['2024-01-01T00:00:00.000Z', '2024-01-01T00:00:01.000Z']);
  });
  it('reads the OAI example forms', () => {
    expect(iso('06/11/2019 22:05:25 MST')).toEqual(['2019-06-12T05:05:25.000Z', '2019-06-12T05:05:26.000Z']);
    expect(iso('2019-06-11 22:05:25.000')).toEqual(['2019-06-11T22:05:25.000Z', '2019-06-11T22:05:25.001Z']);
    expect(iso('Wed, 19 Jun 2019 22:04:00 -0000')).toEqual(['2019-06-19T22:04:00.000Z', '2019-06-19T22:04:01.000Z']);
    expect(iso('Thu, 24 Aug 2023 05:01:45 +0000')).toEqual(['2023-08-24T05:01:45.000Z', '2023-08-24T05:01:46.000Z']);
  });
  it('rejects what is not a date', () => {
    for (const text of ['yesterday', '2024-02-30', '2024-13-01', '06/11/2019 22:05:25 XYZ', '2024-01-01T25:00:00Z', '']) {
      expect(parseDateFilter(text), text).toBeNull();
    }
  });
});
