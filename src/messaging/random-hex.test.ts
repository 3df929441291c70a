import { describe, expect, it } from 'vitest';
import { randomHex } from './random-hex.js';

describe('randomHex', () => {
  it('gives 2 x bytes lowercase hex digits, never the same bytes twice across pool refills', () => {
    // 1,000 x 16 bytes spans several 4 KiB pools.
    const values = Array.from({ length: 1000 }, () => randomHex(16));
    expect(values.every((v) => /^[0-9a-f]{32}$/.test(v))).toBe(true);
    expect(new Set(values).size).toBe(values.length);
  });

  it('serves a request larger than the pool', () => {
    expect(randomHex(5000)).toMatch(/^[0-9a-f]{10000}$/);
  });
});
