import { describe, expect, it } from 'vitest';
import { keepAliveIdleMs } from './http-transport.js';

describe('keepAliveIdleMs', () => {
  it.each([
    [undefined, 4000],
    ['timeout=5', 4000],
    ['timeout=5, max=1000', 4000],
    ['max=1000, timeout=75', 74_000],
    ['Timeout = 30', 29_000],
    ['timeout=86400', 600_000],
    ['max=10', 4000],
  ])('%s -> %i ms', (hint, expected) => {
    expect(keepAliveIdleMs(hint)).toBe(expected);
  });

  it('does not keep a connection the server closes within a second', () => {
    expect(keepAliveIdleMs('timeout=1')).toBeLessThanOrEqual(0);
    expect(keepAliveIdleMs('timeout=0')).toBeLessThanOrEqual(0);
  });
});
