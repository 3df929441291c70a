import { describe, expect, it } from 'vitest';
import { TimerSet } from './timer-set.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TimerSet', () => {
  it('runs callbacks of one delay in order, each no earlier than its own due time', async () => {
    const timers = new TimerSet();
    const fired: Array<{ name: string; lateBy: number }> = [];
    const add = (name: string) => {
      const due = Date.now() + 30;
      timers.later(30, () => fired.push({ name, lateBy: Date.now() - due }));
    };
    add('a');
    await pause(10);
    add('b');
    timers.later(5, () => fired.push({ name: 'short', lateBy: 0 }));
    await pause(300);
    // Across delays the order depends on when each was added (the pause above may run long on a busy machine).
    expect(fired.map((f) => f.name).filter((name) => name !== 'short')).toEqual(['a', 'b']);
    expect(fired.map((f) => f.name)).toContain('short');
    for (const f of fired) expect(f.lateBy).toBeGreaterThanOrEqual(-1);
  });

  it('keeps running the queue when a callback adds to it, and sleeps resolve true', async () => {
    const timers = new TimerSet();
    const fired: string[] = [];
    timers.later(10, () => {
      fired.push('first');
      timers.later(10, () => fired.push('second'));
    });
    expect(await timers.sleep(300)).toBe(true);
    expect(fired).toEqual(['first', 'second']);
  });

  it('cancels everything on clear(): pending callbacks never run and sleeps resolve false', async () => {
    const timers = new TimerSet();
    const fired: string[] = [];
    timers.later(20, () => fired.push('late'));
    const sleeping = timers.sleep(20);
    timers.clear();
    expect(await sleeping).toBe(false);
    timers.later(1, () => fired.push('after clear'));
    await pause(40);
    expect(fired).toEqual([]);
    timers.reset();
    timers.later(1, () => fired.push('after reset'));
    await pause(200);
    expect(fired).toEqual(['after reset']);
  });
});
