import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.js';

describe('per-account rate limiter', () => {
  it('admits perSecond requests per account in one second, then refuses until the next second', () => {
    const limiter = createRateLimiter({ perSecond: 3 });
    const t = 1_700_000_000_000;
    expect([1, 2, 3, 4].map(() => limiter.admit('AC1', t + 10))).toEqual([true, true, true, false]);
    expect(limiter.admit('AC2', t + 20)).toBe(true);
    expect(limiter.admit('AC1', t + 999)).toBe(false);
    expect(limiter.admit('AC1', t + 1000)).toBe(true);
  });
});
