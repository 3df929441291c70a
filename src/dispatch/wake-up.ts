// A resettable alarm for the poll loop: `wait(ms)` resolves after `ms` or at the next `wake()`, whichever is
// first. A wake() while nobody waits is remembered, so a nudge that races the loop is never lost.
export class WakeUp {
  private pending = false;
  private resolve: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  wait(ms: number): Promise<void> {
    if (this.pending || ms <= 0) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(() => this.fire(), ms);
    });
  }

  wake(): void {
    if (this.resolve) this.fire();
    else this.pending = true;
  }

  private fire(): void {
    if (this.timer) clearTimeout(this.timer);
    const resolve = this.resolve;
    this.timer = null;
    this.resolve = null;
    this.pending = false;
    resolve?.();
  }
}
