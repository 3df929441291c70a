// Timers the simulator owns (answer latency, receipt delays, retry pauses), so that stop() can cancel them all
// and leave no callback firing into closed sockets.
// Callbacks with the same delay (every receipt waits the configured receipt delay) share one queue and one
// armed timer: they come due in the order they were added, so the queue is FIFO and each still runs at its own
// time (not rounded), while the simulator arms one timer per burst instead of one per message.

interface Pending { due: number; callback: () => void }

class DelayQueue {
  private readonly items: Pending[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly onEmpty: () => void) {}

  add(due: number, callback: () => void): void {
    this.items.push({ due, callback });
    if (this.timer === null) this.arm();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.items.length = 0;
    this.head = 0;
  }

  private arm(): void {
    const next = this.items[this.head];
    if (!next) {
      this.items.length = 0;
      this.head = 0;
      this.onEmpty();
      return;
    }
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.due - Date.now()));
  }

  private fire(): void {
    this.timer = null;
    const now = Date.now();
    // A timer may fire up to a millisecond early by Date.now()'s reckoning: what is due within 1 ms runs now.
    while (this.head < this.items.length && this.items[this.head]!.due <= now + 1) {
      const { callback } = this.items[this.head]!;
      this.items[this.head] = undefined as unknown as Pending;
      this.head += 1;
      try {
        callback();
      } catch (error) {
        if (this.timer === null && this.items.length > 0) this.arm(); // the others still run, as separate timers would
        throw error;
      }
      if (this.timer !== null || this.items.length === 0) return; // cleared (or re-armed) by the callback
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.arm();
  }
}

export class TimerSet {
  private readonly queues = new Map<number, DelayQueue>();
  private readonly wakers = new Set<() => void>();
  private stopped = false;

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Runs `callback` after `ms` unless the set is cleared first. */
  later(ms: number, callback: () => void): void {
    if (this.stopped) return;
    const delay = Math.max(0, Math.round(ms));
    let queue = this.queues.get(delay);
    if (!queue) {
      queue = new DelayQueue(() => this.queues.delete(delay));
      this.queues.set(delay, queue);
    }
    queue.add(Date.now() + delay, callback);
  }

  /** Resolves true after `ms`, or false (at once) when the set is or gets cleared. */
  sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (): void => resolve(false);
      this.wakers.add(wake);
      this.later(ms, () => {
        this.wakers.delete(wake);
        resolve(true);
      });
    });
  }

  clear(): void {
    this.stopped = true;
    for (const queue of this.queues.values()) queue.clear();
    this.queues.clear();
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }

  /** Allows timers again after a restart. */
  reset(): void {
    this.stopped = false;
  }
}
