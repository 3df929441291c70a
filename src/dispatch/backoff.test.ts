import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay } from './backoff.js';

const policy = { baseMs: 100, maxMs: 1000 };

describe('backoff', () => {
  it('doubles the ceiling per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((a) => backoffCeiling(policy, a))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('draws the delay uniformly between 0 and the ceiling (full jitter)', () => {
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(200);
    expect(backoffDelay(policy, 3, () => 0.99999)).toBe(400);
    expect(backoffDelay(policy, 9, () => 0.99999)).toBe(1000);
  });

  it('treats attempt 0 or less like the first retry', () => {
    expect(backoffCeiling(policy, 0)).toBe(100);
  });
});
