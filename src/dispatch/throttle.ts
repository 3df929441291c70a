// In-process throttles of the dispatcher: a token bucket for messages per second and a counting window for the
// submissions in flight. Both are per process: N instances allow N times the configured rate (docs/pipeline.md).

/** A clock in ms; injected so tests are deterministic. */
export type Clock = () => number;

export interface TokenBucketOptions {
  /** Tokens added per second; 0 means unlimited. */
  ratePerSecond: number;
  /** Most tokens held at once. 1 paces sends evenly, so that no sliding second ever exceeds the rate. */
  burst?: number;
  now?: Clock;
}

/**
 * A token bucket whose waiters queue in order. A token is taken at the moment the waiter is let through, never
 * reserved ahead, so timer lateness cannot bunch sends: with burst 1, no sliding second sees more than the rate.
 * One timer serves the whole queue, so a thousand waiters cost one wake-up per token, not a thousand.
 */
export class TokenBucket {
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: Clock;
  private tokens: number;
  private updatedAt: number;
  private readonly waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(options: TokenBucketOptions) {
    this.rate = options.ratePerSecond;
    this.burst = Math.max(1, options.burst ?? 1);
    this.now = options.now ?? Date.now;
    this.tokens = this.burst;
    this.updatedAt = this.now();
  }

  get unlimited(): boolean {
    return this.rate <= 0;
  }

  /** Resolves when a token has been taken for the caller, or at once when `signal` aborts (check it). */
  take(signal?: AbortSignal): Promise<void> {
    if (this.unlimited || signal?.aborted) return Promise.resolve();
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const waiter = () => {
        signal?.removeEventListener('abort', abandon);
        resolve();
      };
      const abandon = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve();
      };
      signal?.addEventListener('abort', abandon, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /** How long a new caller would wait now, behind the queue (0 when a token is free). */
  estimateWaitMs(): number {
    if (this.unlimited) return 0;
    this.refill();
    const missing = this.waiters.length + 1 - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.rate);
  }

  /** Tokens free now, less the callers queued for them (negative while a queue waits). */
  available(): number {
    if (this.unlimited) return Number.POSITIVE_INFINITY;
    this.refill();
    return this.tokens - this.waiters.length;
  }

  /** True when the bucket is full and nobody waits, i.e. forgetting it changes nothing. */
  isIdle(): boolean {
    return this.waiters.length === 0 && this.available() >= this.burst;
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiters.shift()?.();
      }
      this.schedule();
    }, waitMs);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.rate) / 1000);
    this.updatedAt = now;
  }
}

/** One token bucket per key (the sender), forgotten once full again so the map does not grow without bound. */
export class KeyedTokenBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly options: TokenBucketOptions) {}

  estimateWaitMs(key: string): number {
    return this.buckets.get(key)?.estimateWaitMs() ?? 0;
  }

  take(key: string, signal?: AbortSignal): Promise<void> {
    if (this.options.ratePerSecond <= 0) return Promise.resolve();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.options);
      this.buckets.set(key, bucket);
    }
    return bucket.take(signal);
  }

  /** Drops full, unused buckets; call now and then. */
  prune(): void {
    for (const [key, bucket] of this.buckets) if (bucket.isIdle()) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** A counting semaphore without queueing: the dispatcher claims only as many messages as there are free slots. */
export class InFlightWindow {
  private used = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly capacity: number) {}

  get inFlight(): number {
    return this.used;
  }

  get free(): number {
    return Math.max(0, this.capacity - this.used);
  }

  /** Takes up to `wanted` slots and returns how many it took. */
  acquire(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.free));
    this.used += granted;
    return granted;
  }

  release(count = 1): void {
    this.used = Math.max(0, this.used - count);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next release (or at once when nothing is in flight). */
  whenReleased(): Promise<void> {
    if (this.used === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
