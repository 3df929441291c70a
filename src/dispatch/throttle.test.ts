import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InFlightWindow, KeyedTokenBuckets, TokenBucket } from './throttle.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});

afterEach(() => {
  vi.useRealTimers();
});

/** Starts `count` takes at once and returns the fake-clock time at which each was let through. */
async function passTimes(bucket: TokenBucket, count: number, runForMs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) void bucket.take().then(() => times.push(Date.now()));
  await vi.advanceTimersByTimeAsync(runForMs);
  return times;
}

describe('TokenBucket', () => {
  it('lets waiters through in order, evenly paced at the rate', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 10 });
    expect(await passTimes(bucket, 4, 1000)).toEqual([0, 100, 200, 300]);
  });

  it('never lets more than the rate through in any sliding second with burst 1', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 5 });
    const times = await passTimes(bucket, 12, 3000);
    expect(times).toHaveLength(12);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(5);
  });

  it('estimates the wait behind the queue without taking a token', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 2 });
    expect(bucket.estimateWaitMs()).toBe(0);
    await bucket.take();
    expect(bucket.estimateWaitMs()).toBe(500);
    void bucket.take();
    expect(bucket.estimateWaitMs()).toBe(1000);
    expect(bucket.available()).toBe(-1);
  });

  it('releases an aborted waiter at once and gives its turn to the next', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 10 });
    await bucket.take();
    const abort = new AbortController();
    const order: string[] = [];
    void bucket.take(abort.signal).then(() => order.push(`aborted@${Date.now()}`));
    void bucket.take().then(() => order.push(`next@${Date.now()}`));
    abort.abort();
    await vi.advanceTimersByTimeAsync(200);
    expect(order).toEqual(['aborted@0', 'next@100']);
  });

  it('is unlimited at rate 0', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 0 });
    expect(await passTimes(bucket, 1000, 0)).toHaveLength(1000);
    expect(bucket.available()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('KeyedTokenBuckets', () => {
  it('keeps one bucket per key and forgets the idle ones', async () => {
    const buckets = new KeyedTokenBuckets({ ratePerSecond: 1 });
    await buckets.take('a');
    expect(buckets.estimateWaitMs('a')).toBe(1000);
    expect(buckets.estimateWaitMs('b')).toBe(0);
    await buckets.take('b');
    buckets.prune();
    expect(buckets.size).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    buckets.prune();
    expect(buckets.size).toBe(0);
  });
});

describe('InFlightWindow', () => {
  it('grants at most the free slots and wakes waiters on release', async () => {
    const window = new InFlightWindow(3);
    expect(window.acquire(5)).toBe(3);
    expect(window.acquire(1)).toBe(0);
    let woke = false;
    const waiting = window.whenReleased().then(() => (woke = true));
    window.release();
    await waiting;
    expect(woke).toBe(true);
    expect(window.free).toBe(1);
  });
});
