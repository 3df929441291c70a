import { describe, expect, it } from 'vitest';
import { pickSender } from './sender-pool.js';

const pool = ['+15125550100', '+12125550100', '+447700900100', '+12125550101'];
const base = { pool, sticky: null, stickySender: true, areaCodeGeomatch: true };

describe('pickSender', () => {
  it('reuses the sticky sender while it is in the pool and sticky sender is on', () => {
    expect(pickSender({ ...base, to: '+12125559999', sticky: '+447700900100' })).toBe('+447700900100');
    expect(pickSender({ ...base, to: '+12125559999', sticky: '+15550000000' })).toMatch(/^\+1212/);
    expect(pickSender({ ...base, to: '+12125559999', sticky: '+447700900100', stickySender: false })).toMatch(/^\+1212/);
  });

  it('prefers the area code, then the country, then anyone', () => {
    expect(pickSender({ ...base, to: '+15125551234' })).toBe('+15125550100');
    expect(pickSender({ ...base, to: '+14155551234', areaCodeGeomatch: true })).toMatch(/^\+1/);
    expect(pickSender({ ...base, to: '+447700900999' })).toBe('+447700900100');
    expect(pool).toContain(pickSender({ ...base, to: '+33612345678' }));
    expect(pickSender({ ...base, pool: [], to: '+33612345678' })).toBeNull();
  });

  it('gives one recipient the same number every time and spreads recipients', () => {
    const to = '+12125551111';
    expect(new Set(Array.from({ length: 5 }, () => pickSender({ ...base, to })))).toHaveProperty('size', 1);
    const chosen = new Set(Array.from({ length: 40 }, (_, i) => pickSender({ ...base, to: `+1212555${String(1000 + i)}` })));
    expect(chosen).toEqual(new Set(['+12125550100', '+12125550101']));
  });
});
