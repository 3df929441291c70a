// Timers the simulator owns (answer latency, receipt delays, retry pauses), so that stop() can cancel them all
// and leave no callback firing into closed sockets.

export class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wakers = new Set<() => void>();
  private stopped = false;

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Runs `callback` after `ms` unless the set is cleared first. */
  later(ms: number, callback: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, ms);
    this.timers.add(timer);
  }

  /** Resolves true after `ms`, or false (at once) when the set is or gets cleared. */
  sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (): void => resolve(false);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.wakers.delete(wake);
        resolve(true);
      }, ms);
      this.timers.add(timer);
      this.wakers.add(wake);
    });
  }

  clear(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }

  /** Allows timers again after a restart. */
  reset(): void {
    this.stopped = false;
  }
}
