// Group commit, the one scheduling rule every hot write path shares (API creates, SIP receipts, inbound SMS).
// A commit costs a WAL flush and a round trip whatever it carries, so concurrent callers are collected and
// written by ONE batch function in ONE transaction; every caller's promise settles only after that commit, so
// nobody is told "stored" (a 201, a SIP 200) for work that is not durable.
//
// When a batch is written:
// - at once (next turn of the event loop) when nothing is being written: a lone request is not delayed, and the
//   requests that arrived in the same turn share its commit;
// - at once when maxBatchSize items wait;
// - otherwise, while other batches commit: as soon as one of them finishes, or after maxWaitMs (so that a second
//   connection can take a second batch), whichever is first. At most maxConcurrentBatches batches run at once;
//   with partialBatches below that, a batch of fewer than maxBatchSize items starts only while fewer than
//   partialBatches batches run (the other lanes take full batches only), so batches grow with the load instead
//   of splitting it into small commits.
//
// Failures: when a batch fails with an error that one item may cause without the others sharing it (by default
// SQLSTATE class 22 "data exception" or 23 "integrity constraint", and 40 "transaction rollback": a deadlock or
// serialization failure against another instance), its items are retried one by one, so the bad item gets its
// own error and the others are still committed. Any other error (connection lost, server shutting down)
// concerns every item alike: all callers of that batch are rejected with it. Nothing is ever dropped silently.

import { setTimeout as sleep } from 'node:timers/promises';

export interface GroupCommitOptions<In, Out> {
  /** Writes the items in one transaction and returns one result per item, in the same order. */
  writeBatch(items: In[]): Promise<Out[]>;
  /** Writes one item alone (in its own transaction): the fallback that isolates a bad item. */
  writeOne(item: In): Promise<Out>;
  /** Most items per batch (default 100). */
  maxBatchSize?: number;
  /** How long an item may wait for company while another batch is committing (default 2 ms). */
  maxWaitMs?: number;
  /** Batches in flight at once; each holds one pool connection while it runs (default 2). */
  maxConcurrentBatches?: number;
  /**
   * A batch of fewer than maxBatchSize items starts only while fewer than this many batches run (default:
   * maxConcurrentBatches). The lanes beyond it take full batches only: extra capacity under overload, or while a
   * batch is stuck, without splitting ordinary load into small commits.
   */
  partialBatches?: number;
  /** Whether a failed batch is retried item by item (default: SQLSTATE classes 22, 23 and 40). */
  retryOneByOne?(error: unknown): boolean;
}

export interface GroupCommit<In, Out> {
  /** Resolves with the item's result once its batch has committed. */
  submit(item: In): Promise<Out>;
  /** Items accepted but not yet committed (waiting or being written). */
  readonly pending: number;
  /** Resolves when nothing is pending any more (shutdown: let the last commits finish before closing). */
  idle(): Promise<void>;
}

interface Waiter<In, Out> {
  item: In;
  resolve(result: Out): void;
  reject(error: unknown): void;
}

export function createGroupCommit<In, Out>(options: GroupCommitOptions<In, Out>): GroupCommit<In, Out> {
  return new GroupCommitScheduler(options);
}

class GroupCommitScheduler<In, Out> implements GroupCommit<In, Out> {
  private readonly queue: Array<Waiter<In, Out>> = [];
  private writing = 0;
  private itemsWriting = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private readonly maxBatchSize: number;
  private readonly maxWaitMs: number;
  private readonly maxConcurrent: number;
  private readonly partialBatches: number;
  private readonly retryOneByOne: (error: unknown) => boolean;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: GroupCommitOptions<In, Out>) {
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? 100);
    this.maxWaitMs = Math.max(0, options.maxWaitMs ?? 2);
    this.maxConcurrent = Math.max(1, options.maxConcurrentBatches ?? 2);
    this.partialBatches = Math.min(this.maxConcurrent, Math.max(1, options.partialBatches ?? this.maxConcurrent));
    this.retryOneByOne = options.retryOneByOne ?? concernsSomeItems;
  }

  get pending(): number {
    return this.queue.length + this.itemsWriting;
  }

  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  submit(item: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Decides when the waiting items go; called on every arrival and whenever a batch finishes. */
  private schedule(): void {
    if (this.queue.length === 0 || this.writing >= this.maxConcurrent) return;
    if (this.queue.length >= this.maxBatchSize) {
      this.flush();
    } else if (this.writing >= this.partialBatches) {
      // Every lane that takes a partial batch is busy: wait for one to finish (or for a full batch).
    } else if (this.writing === 0) {
      // setImmediate, not a microtask: requests parsed in the same I/O phase join this batch.
      this.immediate ??= setImmediate(() => {
        this.immediate = null;
        this.flush();
      });
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.maxWaitMs);
    }
  }

  private flush(): void {
    if (this.queue.length === 0 || this.writing >= this.maxConcurrent) return;
    if (this.writing >= this.partialBatches && this.queue.length < this.maxBatchSize) return;
    const batch = this.queue.splice(0, this.maxBatchSize);
    this.writing += 1;
    this.itemsWriting += batch.length;
    void this.write(batch).finally(() => {
      this.writing -= 1;
      this.itemsWriting -= batch.length;
      // Items that waited during this commit go now, on the connection it just freed.
      this.flush();
      if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
    // A full queue left behind goes now (or its timer starts) rather than waiting for this batch.
    this.schedule();
  }

  private async write(batch: Array<Waiter<In, Out>>): Promise<void> {
    let results: Out[];
    try {
      results = await this.options.writeBatch(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`batch of ${batch.length} returned ${results.length} results`);
    } catch (error) {
      if ((batch.length > 1 && this.retryOneByOne(error)) || rolledBackByServer(error)) await this.writeOneByOne(batch);
      else for (const waiter of batch) waiter.reject(error);
      return;
    }
    batch.forEach((waiter, i) => waiter.resolve(results[i] as Out));
  }

  /** Isolates the bad item(s) of a failed batch: sequential, so a retry storm cannot take the whole pool. */
  private async writeOneByOne(batch: Array<Waiter<In, Out>>): Promise<void> {
    for (const waiter of batch) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          waiter.resolve(await this.options.writeOne(waiter.item));
          break;
        } catch (error) {
          // A deadlock victim or serialization failure was rolled back whole by the server: running it again is
          // PostgreSQL's own remedy, and the other party has committed or rolled back by then.
          if (rolledBackByServer(error) && attempt < ROLLBACK_RETRIES) {
            await sleep(1 + Math.random() * 10 * attempt);
            continue;
          }
          waiter.reject(error);
          break;
        }
      }
    }
  }
}

/** How often one item is tried when the server rolls its transaction back (deadlock, serialization failure). */
const ROLLBACK_RETRIES = 5;

/** SQLSTATE class 40, transaction rollback: 40P01 deadlock detected, 40001 serialization failure. */
export function rolledBackByServer(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('40');
}

/**
 * True for errors that one item of a batch may cause without the others sharing it: SQLSTATE 22xxx (data
 * exception), 23xxx (integrity constraint) and 40xxx (deadlock, serialization failure).
 */
export function concernsSomeItems(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(2[23]|40)[0-9A-Z]{3}$/.test(code);
}
