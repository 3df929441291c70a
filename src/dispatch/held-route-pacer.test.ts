import { describe, expect, it } from 'vitest';
import { HeldRoutePacer } from './held-route-pacer.js';

describe('HeldRoutePacer', () => {
  const pacer = () => new HeldRoutePacer({ pollIntervalMs: 100, maxPolls: 8 });

  it('never skips while no route is held or claims come back full', () => {
    const p = pacer();
    p.claimed([], true, 0);
    expect(p.skip([], 1)).toBe(false);
    p.claimed(['smpp'], false, 0);
    expect(p.skip(['smpp'], 1)).toBe(false);
  });

  it('after short claims with a route held, waits one poll, then two, four, up to maxPolls', () => {
    const p = pacer();
    const waits: number[] = [];
    let now = 0;
    for (let i = 0; i < 6; i++) {
      p.claiming();
      p.claimed(['smpp'], true, now);
      let t = now;
      while (p.skip(['smpp'], t)) t += 10;
      waits.push(t - now);
      now = t;
    }
    expect(waits).toEqual([100, 200, 400, 800, 800, 800]);
  });

  it('claims at once after a nudge or when the held routes change', () => {
    const p = pacer();
    p.claimed(['smpp'], true, 0);
    expect(p.skip(['smpp'], 50)).toBe(true);
    p.nudge();
    expect(p.skip(['smpp'], 50)).toBe(false);
    p.claiming();
    p.claimed(['smpp'], true, 50);
    expect(p.skip(['smpp'], 60)).toBe(true);
    expect(p.skip([], 60)).toBe(false);
    expect(p.skip(['smpp'], 60)).toBe(false);
  });
});
