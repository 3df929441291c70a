import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './backoff.js';

describe('reconnectDelayMs', () => {
  const options = { initialDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles per attempt with equal jitter (half fixed, half random)', () => {
    expect([0, 1, 2, 3].map((attempt) => reconnectDelayMs(attempt, { ...options, random: () => 0 }))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((attempt) => reconnectDelayMs(attempt, { ...options, random: () => 0.999999 }))).toEqual([100, 200, 400, 800]);
  });

  it('caps at maxDelayMs, also for huge attempt numbers', () => {
    expect(reconnectDelayMs(4, { ...options, random: () => 0.5 })).toBe(750);
    expect(reconnectDelayMs(10_000, { ...options, random: () => 1 })).toBe(1_000);
  });
});
