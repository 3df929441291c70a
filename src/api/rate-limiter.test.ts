import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.js';

describe('createRateLimiter', () => {
  it('admits perSecond requests per account per second', () => {
    const limiter = createRateLimiter({ perSecond: 2 });
    const t = 1_700_000_000_000;
    expect([limiter.admit('AC1', t), limiter.admit('AC1', t + 10), limiter.admit('AC1', t + 20)]).toEqual([true, true, false]);
    expect(limiter.admit('AC2', t + 30)).toBe(true);
    expect(limiter.admit('AC1', t + 1000)).toBe(true);
  });
});
