import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, plannedAttempts, retryCeilingMs, retryDelayMs } from './retry-schedule.js';

describe('retryDelayMs', () => {
  it('doubles from the base up to the cap, random between half and all of it', () => {
    const schedule = { baseMs: 1000, maxMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => retryCeilingMs(schedule, n))).toEqual(
      [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000],
    );
    expect(retryDelayMs(schedule, 1, () => 0)).toBe(500);
    expect(retryDelayMs(schedule, 1, () => 0.999_999)).toBe(1000);
    expect(retryDelayMs(schedule, 9, () => 0)).toBe(30_000);
    expect(retryDelayMs(schedule, 9, () => 0.5)).toBe(45_000);
  });

  it('a cap below the base means the base', () => {
    expect(retryCeilingMs({ baseMs: 2000, maxMs: 500 }, 3)).toBe(2000);
  });
});

describe('plannedAttempts with the defaults (no attempt limit, 1 h deadline)', () => {
  const attempts = plannedAttempts(DEFAULT_RETRY_SCHEDULE, { deadlineMs: 3_600_000, maxAttempts: 0 });

  it('keeps trying until the deadline, not 14 s (issue 12 point 6)', () => {
    const last = attempts.at(-1);
    expect(last?.latestMs).toBe(3_600_000);
    // With the old fixed 5 attempts, the last one started at most 15 s after the first.
    expect(attempts.length).toBeGreaterThan(60);
  });

  it('an app down for 10 minutes gets every webhook within a minute of coming back', () => {
    // Even when every wait comes out shortest, attempts still start after the 10 minutes ...
    expect(attempts.some((a) => a.earliestMs >= 600_000)).toBe(true);
    // ... and no wait is longer than the cap, so the first attempt after recovery is at most 60 s away.
    for (const { attempt } of attempts) expect(retryCeilingMs(DEFAULT_RETRY_SCHEDULE, attempt)).toBeLessThanOrEqual(60_000);
  });

  it('honours an attempt limit', () => {
    expect(plannedAttempts(DEFAULT_RETRY_SCHEDULE, { deadlineMs: 3_600_000, maxAttempts: 5 }).map((a) => a.latestMs)).toEqual(
      [0, 1000, 3000, 7000, 15_000],
    );
  });
});
