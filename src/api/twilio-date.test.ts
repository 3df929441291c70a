import { describe, expect, it } from 'vitest';
import { toTwilioDate } from './twilio-date.js';

describe('toTwilioDate', () => {
  it('writes RFC 2822 with +0000', () => {
    expect(toTwilioDate(new Date('2023-08-24T05:01:45.678Z'))).toBe('Thu, 24 Aug 2023 05:01:45 +0000');
  });
});
