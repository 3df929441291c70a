import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

function clock() {
  const c = { t: 1_000, now: () => c.t };
  return c;
}

describe('TtlCache', () => {
  it('forgets an entry ttlMs after it was stored, however often it is read', () => {
    const c = clock();
    const cache = new TtlCache<string>({ ttlMs: 100, maxEntries: 10, now: c.now });
    cache.set('a', 'A');
    c.t += 99;
    expect(cache.get('a')).toBe('A');
    c.t += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the least recently used entry when full', () => {
    const cache = new TtlCache<number>({ ttlMs: 1_000, maxEntries: 2, now: clock().now });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // now b is the least recently used
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });

  it('keeps the recency order when the same key is hit repeatedly and then another one', () => {
    const cache = new TtlCache<number>({ ttlMs: 1_000, maxEntries: 2, now: clock().now });
    cache.set('a', 1);
    cache.set('b', 2);
    expect([cache.get('b'), cache.get('b'), cache.get('a')]).toEqual([2, 2, 1]); // now b is the least recently used
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
    cache.delete('c');
    cache.set('d', 4);
    cache.set('e', 5); // a, d full -> a goes
    expect([cache.get('a'), cache.get('d'), cache.get('e')]).toEqual([undefined, 4, 5]);
  });

  it('ignores a value read before a clear() (the generation moved on)', () => {
    const cache = new TtlCache<number>({ ttlMs: 1_000, maxEntries: 10, now: clock().now });
    const generation = cache.generation;
    cache.clear();
    cache.set('a', 1, generation);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 2, cache.generation);
    expect(cache.get('a')).toBe(2);
  });

  it('stores nothing when the TTL is 0 (caching off)', () => {
    const cache = new TtlCache<number>({ ttlMs: 0, maxEntries: 10 });
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('clears itself when its invalidatedBy version moves, and refuses a value read before that', () => {
    let version = 0;
    const cache = new TtlCache<number>({ ttlMs: 1_000, maxEntries: 10, now: clock().now, invalidatedBy: () => version });
    cache.set('a', 1);
    expect(cache.get('a')).toBe(1);
    const generation = cache.generation;
    version += 1; // a write, while a lookup that started before it is still reading
    cache.set('b', 2, generation);
    expect([cache.get('a'), cache.get('b')]).toEqual([undefined, undefined]);
    cache.set('b', 3, cache.generation);
    expect(cache.get('b')).toBe(3);
  });
});
