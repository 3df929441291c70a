// Collects outcomes for a few milliseconds (or until a batch is full) and writes them in one transaction, so a
// burst of 1,000 answers costs ten commits instead of a thousand. One write runs at a time. A failed write keeps
// its outcomes and is retried: dropping them would leave the messages to lease recovery, i.e. send them twice.

export interface OutcomeBatcherOptions<T> {
  /** Most outcomes per transaction. */
  maxBatch: number;
  /** How long the first outcome of a batch may wait for company. */
  delayMs: number;
  /** Pause after a failed write before the next try. */
  retryDelayMs: number;
  write(batch: T[]): Promise<void>;
  onWriteError(error: unknown, batchSize: number): void;
}

export class OutcomeBatcher<T> {
  private buffer: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Items ever added, and items written so far: batches go in order, so the first `written` are done. */
  private added = 0;
  private written = 0;
  private waiters: Array<{ target: number; resolve: () => void }> = [];

  constructor(private readonly options: OutcomeBatcherOptions<T>) {}

  get pending(): number {
    return this.buffer.length;
  }

  add(item: T): void {
    this.added += 1;
    this.buffer.push(item);
    if (this.buffer.length >= this.options.maxBatch) this.kick();
    else this.schedule(this.options.delayMs);
  }

  /** Writes everything buffered now; resolves when the buffer is empty or a write failed. */
  async flush(): Promise<void> {
    this.clearTimer();
    while (this.running) await this.running;
    if (this.buffer.length > 0) await this.start();
  }

  /**
   * Resolves once every item added before the call is written, or as soon as a write fails; starts a write now
   * if none is running. Unlike flush() it does not wait for items added later, so it ends under sustained load.
   */
  writeBuffered(): Promise<void> {
    const target = this.added;
    if (this.written >= target || this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    this.kick();
    return done;
  }

  /** Stops scheduling writes (shutdown); what is still buffered is returned, not written. */
  close(): T[] {
    this.closed = true;
    this.clearTimer();
    this.wakeWaiters(true);
    return this.buffer.splice(0);
  }

  private wakeWaiters(all: boolean): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (all || waiter.target <= this.written) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }

  private closed = false;

  private schedule(delayMs: number): void {
    if (this.timer || this.running || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private kick(): void {
    this.clearTimer();
    if (!this.running) void this.start();
  }

  private start(): Promise<void> {
    const run = this.drain().finally(() => {
      this.running = null;
      // Outcomes that arrived during the write wait for their own (short) timer.
      if (this.buffer.length > 0) this.schedule(this.failed ? this.options.retryDelayMs : 0);
    });
    this.running = run;
    return run;
  }

  private failed = false;

  private async drain(): Promise<void> {
    this.failed = false;
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.maxBatch);
      try {
        await this.options.write(batch);
      } catch (error) {
        this.buffer.unshift(...batch);
        this.failed = true;
        this.options.onWriteError(error, batch.length);
        this.wakeWaiters(true);
        return;
      }
      this.written += batch.length;
      this.wakeWaiters(false);
    }
  }
}
