import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClaimLoop, type ClaimLoopOptions } from './claim-loop.js';

// The loop is driven by vitest's fake clock: every wait is a timer, so time only moves when the test says so.

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function fakeLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger;
  return { logger, lines };
}

/** A queue of due items, and runs that end when the test says so. */
function harness(overrides: Partial<ClaimLoopOptions<number>> = {}) {
  const { logger, lines } = fakeLogger();
  const due: number[] = [];
  const claims: number[] = [];
  const runs = new Map<number, Deferred>();
  const signals: AbortSignal[] = [];
  const released: string[] = [];
  let next = 1;
  const options: ClaimLoopOptions<number> = {
    name: 'test loop',
    logger,
    capacity: 8,
    pollIntervalMs: 100,
    errorBackoffMaxMs: 1000,
    claim: (limit) => {
      claims.push(limit);
      return Promise.resolve(due.splice(0, limit));
    },
    run: (item, signal) => {
      // Ends when the test finishes it, or at the abort (as every run must with 'after-drain').
      const run = deferred();
      runs.set(item, run);
      signals.push(signal);
      signal.addEventListener('abort', () => run.resolve(), { once: true });
      return run.promise;
    },
    abortOnStop: 'after-drain',
    release: () => {
      released.push('released');
      return Promise.resolve({ released: 0 });
    },
    ...overrides,
  };
  const loop = new ClaimLoop(options);
  const enqueue = (count: number) => {
    for (let i = 0; i < count; i += 1) due.push(next++);
  };
  const finish = (...items: number[]) => {
    for (const item of items) runs.get(item)?.resolve();
  };
  return { loop, lines, due, claims, runs, signals, released, enqueue, finish };
}

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

/** stop() waits out its drain on a timer: move the fake clock past it. */
async function stop(loop: ClaimLoop<number>, drainMs = 0): Promise<void> {
  let done = false;
  const stopped = loop.stop(drainMs).then(() => (done = true));
  for (let i = 0; i < 100 && !done; i += 1) await tick(i === 0 ? drainMs : 1);
  await stopped;
}

function connectionLost(): Error {
  return Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ClaimLoop', () => {
  it('claims the free window, polls again at once after a full claim and after the interval after a short one', async () => {
    const h = harness({ capacity: 4 });
    h.enqueue(6);
    h.loop.start();
    await tick();
    // 4 fit, the claim was full: the next poll follows at once, finds the window full, and sleeps.
    expect(h.claims).toEqual([4]);
    expect(h.loop.inFlight).toBe(4);
    h.finish(1, 2);
    await tick();
    expect(h.claims).toEqual([4, 2]);
    expect(h.loop.inFlight).toBe(4);
    h.finish(3, 4, 5, 6);
    await tick();
    // Nothing due and the window was not full: the freed slots do not wake the loop; the poll interval does.
    expect(h.claims).toEqual([4, 2, 4]);
    await tick(99);
    expect(h.claims).toHaveLength(3);
    await tick(1);
    expect(h.claims).toEqual([4, 2, 4, 4]);
    await stop(h.loop);
  });

  it('never has more runs in flight than its capacity, and wakes when a quarter of a full window is free', async () => {
    const h = harness({ capacity: 8 });
    h.enqueue(20);
    h.loop.start();
    await tick();
    expect(h.loop.inFlight).toBe(8);
    h.finish(1);
    await tick();
    // One of eight free is less than a quarter: the loop sleeps on.
    expect(h.claims).toEqual([8]);
    h.finish(2);
    await tick();
    expect(h.claims).toEqual([8, 2]);
    expect(h.loop.inFlight).toBe(8);
    expect(h.loop.window.inFlight).toBe(8);
    await stop(h.loop);
  });

  it('wakes at wake() instead of sleeping out the poll interval, and remembers a wake during a poll', async () => {
    const h = harness();
    h.loop.start();
    await tick();
    expect(h.claims).toHaveLength(1);
    h.enqueue(1);
    h.loop.wake();
    await tick();
    expect(h.claims).toHaveLength(2);
    expect(h.loop.inFlight).toBe(1);

    await stop(h.loop);

    let started = 0;
    const slow = harness({
      claim: async () => {
        started += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
        return [];
      },
    });
    slow.loop.start();
    await tick(10);
    slow.loop.wake(); // arrives while the claim runs: the next poll must not sleep out the 100 ms interval
    await tick(45);
    expect(started).toBe(2);
    await tick(100);
    expect(started).toBe(2);
    await stop(slow.loop);
  });

  it('follows the plan: a wait claims nothing, a limit caps the claim', async () => {
    let plan: { claim: number } | { waitMs: number } = { waitMs: 500 };
    const h = harness({ plan: () => plan });
    h.enqueue(10);
    h.loop.start();
    await tick(499);
    expect(h.claims).toEqual([]);
    plan = { claim: 3 };
    await tick(1);
    // Full claims of 3 follow each other at once until the window (8) is full.
    expect(h.claims).toEqual([3, 3, 2]);
    await stop(h.loop);
  });

  it('uses the wait afterClaim returns', async () => {
    const h = harness({ afterClaim: () => 300 });
    h.loop.start();
    await tick();
    await tick(299);
    expect(h.claims).toHaveLength(1);
    await tick(1);
    expect(h.claims).toHaveLength(2);
    await stop(h.loop);
  });

  it('backs off (doubling up to the cap) while the database is gone, keeps running, and resets once it is back', async () => {
    let failing = true;
    const due: number[] = [];
    const attempts: number[] = [];
    const h = harness({
      pollIntervalMs: 100,
      errorBackoffMaxMs: 400,
      claim: (limit) => {
        attempts.push(Date.now());
        if (failing) return Promise.reject(connectionLost());
        return Promise.resolve(due.splice(0, limit));
      },
    });
    const start = Date.now();
    h.loop.start();
    await tick(100 + 200 + 400 + 400);
    expect(attempts.map((at) => at - start)).toEqual([0, 100, 300, 700, 1100]);
    // The window is whole again after each failed claim.
    expect(h.loop.window.inFlight).toBe(0);
    const warnings = h.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(5);
    expect(warnings[0]?.fields).toMatchObject({ failure: 'connection-lost', consecutiveFailures: 1, retryInMs: 100 });
    failing = false;
    due.push(1);
    await tick(400);
    expect(h.loop.inFlight).toBe(1);
    // One failure after a success waits the poll interval again, not the cap.
    failing = true;
    await tick(100);
    const before = attempts.length;
    await tick(100);
    expect(attempts.length).toBe(before + 1);
    h.finish(1);
    await stop(h.loop);
  });

  it('logs a failure that is not the database at error level, and a throwing plan is a failed poll too', async () => {
    let calls = 0;
    const h = harness({
      plan: () => {
        calls += 1;
        if (calls === 1) throw new Error('bug');
        return { claim: 1 };
      },
    });
    h.loop.start();
    await tick();
    expect(h.lines.find((line) => line.level === 'error')?.msg).toBe('test loop poll failed');
    await tick(100);
    expect(h.claims).toEqual([1]);
    await stop(h.loop);
  });

  it('frees the slot of a run that rejects or throws, and logs it', async () => {
    let mode: 'reject' | 'throw' = 'reject';
    const h = harness({
      capacity: 2,
      run: () => {
        if (mode === 'throw') throw new Error('sync bug');
        return Promise.reject(new Error('async bug'));
      },
    });
    h.enqueue(1);
    h.loop.start();
    await tick();
    expect(h.loop.inFlight).toBe(0);
    expect(h.loop.window.inFlight).toBe(0);
    mode = 'throw';
    h.enqueue(1);
    h.loop.wake();
    await tick();
    expect(h.loop.window.inFlight).toBe(0);
    expect(h.lines.filter((line) => line.level === 'error')).toHaveLength(2);
    await stop(h.loop);
  });

  it('asks wakeOnFreedSlot at each freed slot', async () => {
    const h = harness({ capacity: 8, wakeOnFreedSlot: (window) => window.free >= 1 });
    h.enqueue(3);
    h.loop.start();
    await tick();
    expect(h.claims).toEqual([8]);
    h.enqueue(1);
    h.finish(1);
    await tick();
    expect(h.claims).toEqual([8, 6]);
    await stop(h.loop);
  });

  it('renews the leases of the runs in flight, and survives a failed renewal', async () => {
    const renewed: number[][] = [];
    let fail = false;
    const h = harness({
      renew: {
        everyMs: 1000,
        renew: (items) => {
          renewed.push([...items]);
          return fail ? Promise.reject(connectionLost()) : Promise.resolve();
        },
      },
    });
    h.loop.start();
    await tick(1000);
    expect(renewed).toEqual([]); // nothing in flight: no statement
    h.enqueue(2);
    h.loop.wake();
    await tick();
    await tick(1000);
    expect(renewed).toEqual([[1, 2]]);
    h.finish(1);
    fail = true;
    await tick(1000);
    expect(renewed).toEqual([[1, 2], [2]]);
    expect(h.lines.some((line) => line.msg === 'test loop: renewing leases failed')).toBe(true);
    h.finish(2);
    await stop(h.loop);
    expect(vi.getTimerCount()).toBe(0); // the renewal timer is gone with the loop
  });

  it("'after-drain' lets runs finish within the drain, then aborts the rest, records, and releases", async () => {
    const order: string[] = [];
    const h = harness({
      abortOnStop: 'after-drain',
      run: (item, signal) =>
        new Promise<void>((resolve) => {
          let done = false;
          signal.addEventListener('abort', () => {
            if (!done) order.push(`aborted ${item}`);
            resolve();
          });
          if (item === 1) setTimeout(() => ((done = true), order.push('finished 1'), resolve()), 100);
        }),
      afterDrain: () => {
        order.push('afterDrain');
        return Promise.resolve();
      },
      release: () => {
        order.push('release');
        return Promise.resolve({ released: 1 });
      },
    });
    h.enqueue(2);
    h.loop.start();
    await tick();
    const stopped = h.loop.stop(500);
    expect(h.loop.state).toBe('stopping');
    await tick(500);
    await stopped;
    expect(order).toEqual(['finished 1', 'aborted 2', 'afterDrain', 'release']);
    expect(h.loop.state).toBe('stopped');
    expect(h.lines.find((line) => line.msg === 'test loop stopped')?.fields).toEqual({ released: 1 });
  });

  it("'before-drain' aborts at once, and stop() resolves after the drain even if a run never ends", async () => {
    const signals: AbortSignal[] = [];
    const h = harness({
      abortOnStop: 'before-drain',
      run: (_item, signal) => {
        signals.push(signal);
        return new Promise<void>(() => undefined); // a send stuck on the wire
      },
    });
    h.enqueue(1);
    h.loop.start();
    await tick();
    const stopped = h.loop.stop(300);
    await tick();
    expect(signals[0]?.aborted).toBe(true);
    let done = false;
    void stopped.then(() => (done = true));
    await tick(299);
    expect(done).toBe(false);
    await tick(1);
    expect(done).toBe(true);
    expect(h.released).toEqual(['released']);
    expect(h.loop.inFlight).toBe(1); // still running: its owner logs it when it ends
  });

  it('polls no more once stopped, stops once however often asked, and logs a failed release instead of throwing', async () => {
    const h = harness({ release: () => Promise.reject(connectionLost()) });
    h.loop.start();
    await tick();
    const first = h.loop.stop(0);
    expect(h.loop.stop(0)).toBe(first);
    await tick();
    await expect(first).resolves.toBeUndefined();
    const polls = h.claims.length;
    h.loop.wake();
    await tick(10_000);
    expect(h.claims).toHaveLength(polls);
    expect(h.lines.find((line) => line.level === 'error')?.msg).toBe('test loop stopped; releasing its claims failed, their leases will expire');
  });

  it('releases nothing when stopped before it started', async () => {
    const h = harness();
    await stop(h.loop);
    expect(h.released).toEqual([]);
    h.loop.start();
    await tick(1000);
    expect(h.claims).toEqual([]);
  });
});
