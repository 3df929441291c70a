// When a failed webhook is tried again: capped exponential backoff with "equal jitter". The delay after failed
// attempt n is random in [c/2, c] with c = min(maxDelay, baseDelay · 2^(n-1)), so the schedule is predictable
// (docs/webhooks.md has the table) while a burst that failed together spreads out instead of hitting the
// recovering app at once. Retries go on, at most one per maxDelay, until the delivery's deadline
// (WEBHOOK_RETRY_DEADLINE_S) or its attempt limit (WEBHOOK_MAX_ATTEMPTS, 0 = none); delivery-outcome.ts applies
// those two. Pure.
import { backoffCeiling } from '../dispatch/backoff.js';

export interface RetrySchedule {
  /** Delay ceiling after the first failed attempt, ms (WEBHOOK_RETRY_BASE_DELAY_MS). */
  baseMs: number;
  /** Largest delay between two attempts, ms (WEBHOOK_RETRY_MAX_DELAY_S). */
  maxMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 1000, maxMs: 60_000 };

/**
 * The wait after attempt `attempt` (1 = the first try) failed, in ms. `random` returns a number in [0, 1);
 * injected so tests are deterministic.
 */
export function retryDelayMs(schedule: RetrySchedule, attempt: number, random: () => number = Math.random): number {
  const ceiling = retryCeilingMs(schedule, attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The longest wait after failed attempt `attempt`; the shortest is half of it. */
export function retryCeilingMs(schedule: RetrySchedule, attempt: number): number {
  return backoffCeiling({ baseMs: schedule.baseMs, maxMs: Math.max(schedule.baseMs, schedule.maxMs) }, attempt);
}

export interface ScheduledAttempt {
  /** 1 = the first try. */
  attempt: number;
  /** Earliest and latest start of this attempt, ms after the first try (calls themselves taking no time). */
  earliestMs: number;
  latestMs: number;
}

/**
 * The attempts a delivery gets when every one fails at once, up to `deadlineMs` after its creation and at most
 * `maxAttempts` (0 = no limit). The last attempt may be moved earlier, onto the deadline itself.
 */
export function plannedAttempts(schedule: RetrySchedule, options: { deadlineMs: number; maxAttempts: number }): ScheduledAttempt[] {
  const attempts: ScheduledAttempt[] = [{ attempt: 1, earliestMs: 0, latestMs: 0 }];
  let earliest = 0;
  let latest = 0;
  for (let attempt = 1; options.maxAttempts === 0 || attempt < options.maxAttempts; attempt += 1) {
    // An attempt that starts at (or after) the deadline is the last one: it fails the delivery when it fails.
    if (earliest >= options.deadlineMs) break;
    const ceiling = retryCeilingMs(schedule, attempt);
    earliest = Math.min(options.deadlineMs, earliest + ceiling / 2);
    latest = Math.min(options.deadlineMs, latest + ceiling);
    attempts.push({ attempt: attempt + 1, earliestMs: earliest, latestMs: latest });
  }
  return attempts;
}
