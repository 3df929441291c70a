import { describe, expect, it } from 'vitest';
import type { AppError } from '../errors/app-error.js';
import { DEFAULT_SCHEDULE_WINDOW, planSchedule } from './schedule.js';

const now = new Date('2030-01-01T00:00:00Z');
const plan = (params: { ScheduleType?: string; SendAt?: string }, viaService = true) =>
  planSchedule(params, { viaService, now, window: DEFAULT_SCHEDULE_WINDOW });
const codeOf = (params: { ScheduleType?: string; SendAt?: string }, viaService = true): number | null => {
  try {
    plan(params, viaService);
    return null;
  } catch (error) {
    return (error as AppError).code;
  }
};

describe('planSchedule', () => {
  it('reads SendAt as twilio-node writes it, and strings with offsets', () => {
    expect(plan({ ScheduleType: 'fixed', SendAt: '2030-01-01T01:00:00Z' })?.toISOString()).toBe('2030-01-01T01:00:00.000Z');
    expect(plan({ ScheduleType: 'fixed', SendAt: '2030-01-01T03:04:05+01:00' })?.toISOString()).toBe('2030-01-01T02:04:05.000Z');
  });

  it('treats a SendAt without ScheduleType as unscheduled', () => {
    expect(plan({ SendAt: '2030-01-01T01:00:00Z' })).toBeNull();
    expect(plan({}, false)).toBeNull();
  });

  it('answers Twilio\'s codes', () => {
    expect(codeOf({ ScheduleType: 'fixed' })).toBe(35111);
    expect(codeOf({ ScheduleType: 'later', SendAt: '2030-01-01T01:00:00Z' })).toBe(35126);
    expect(codeOf({ ScheduleType: 'fixed', SendAt: 'tomorrow' })).toBe(35115);
    expect(codeOf({ ScheduleType: 'fixed', SendAt: '2030-01-01T00:05:00Z' })).toBe(35114); // exactly 300 s: not more than
    expect(codeOf({ ScheduleType: 'fixed', SendAt: '2030-01-01T00:05:01Z' })).toBeNull();
    expect(codeOf({ ScheduleType: 'fixed', SendAt: '2030-02-05T00:00:00Z' })).toBeNull(); // exactly 35 days is allowed
    expect(codeOf({ ScheduleType: 'fixed', SendAt: '2030-02-05T00:00:01Z' })).toBe(35114);
    expect(codeOf({ ScheduleType: 'fixed', SendAt: '2030-01-01T01:00:00Z' }, false)).toBe(35118);
  });
});
