// Group commit for the API's hot insert. A commit costs a WAL flush and a round trip whatever it carries, so
// concurrent insertMessage calls are collected and written by ONE statement (messages + their `queued` events,
// insertOutboundMessages) in ONE commit; every caller's promise settles only after that commit, so a 201 is never
// sent for a row that is not durable.
//
// When a batch is written:
// - at once (next turn of the event loop) when nothing is being written: a lone request is not delayed, and the
//   requests that arrived in the same turn share its commit;
// - at once when maxBatchSize rows wait;
// - otherwise, while other batches commit: as soon as one of them finishes, or after maxWaitMs (so that a second
//   connection can take a second batch), whichever is first. At most maxConcurrentBatches statements run at once.
//
// Failures: a batch that fails with an error about its data (SQLSTATE class 22 "data exception" or 23 "integrity
// constraint", e.g. a NUL byte in a body or a vanished account) is retried row by row, so the one bad row gets
// its own error and the others are still committed. Any other error (connection lost, server shutting down)
// concerns every row alike: all callers of that batch are rejected with it. No row is ever dropped silently.
import type { MessageRecord, MessageWriter, NewOutboundMessage } from '../messaging/ports.js';
import type { Database } from './database.js';
import { insertOutboundMessage, insertOutboundMessages } from './message-store.js';

export interface BatchedMessageWriterOptions {
  db: Database;
  /** Most rows per statement and commit (default 100; 13 array parameters whatever the size). */
  maxBatchSize?: number;
  /** How long a row may wait for company while another batch is committing (default 2 ms). */
  maxWaitMs?: number;
  /** Statements in flight at once; each holds one pool connection while it runs (default 2). */
  maxConcurrentBatches?: number;
}

export interface BatchedMessageWriter extends MessageWriter {
  /** Rows accepted but not yet committed (waiting or being written). */
  readonly pending: number;
}

interface Waiter {
  message: NewOutboundMessage;
  resolve(row: MessageRecord): void;
  reject(error: unknown): void;
}

export function createBatchedMessageWriter(options: BatchedMessageWriterOptions): BatchedMessageWriter {
  return new GroupCommitWriter(options);
}

class GroupCommitWriter implements BatchedMessageWriter {
  private readonly queue: Waiter[] = [];
  private writing = 0;
  private rowsWriting = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private readonly maxBatchSize: number;
  private readonly maxWaitMs: number;
  private readonly maxConcurrent: number;

  constructor(private readonly options: BatchedMessageWriterOptions) {
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? 100);
    this.maxWaitMs = Math.max(0, options.maxWaitMs ?? 2);
    this.maxConcurrent = Math.max(1, options.maxConcurrentBatches ?? 2);
  }

  get pending(): number {
    return this.queue.length + this.rowsWriting;
  }

  insertMessage(message: NewOutboundMessage): Promise<MessageRecord> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      this.schedule();
    });
  }

  /** Decides when the waiting rows go; called on every arrival and whenever a batch finishes. */
  private schedule(): void {
    if (this.queue.length === 0 || this.writing >= this.maxConcurrent) return;
    if (this.queue.length >= this.maxBatchSize) {
      this.flush();
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
    const batch = this.queue.splice(0, this.maxBatchSize);
    this.writing += 1;
    this.rowsWriting += batch.length;
    void this.write(batch).finally(() => {
      this.writing -= 1;
      this.rowsWriting -= batch.length;
      // Rows that waited during this commit go now, on the connection it just freed.
      this.flush();
    });
    // A full queue left behind goes now (or its timer starts) rather than waiting for this batch.
    this.schedule();
  }

  private async write(batch: Waiter[]): Promise<void> {
    let rows: MessageRecord[];
    try {
      rows = await insertOutboundMessages(this.options.db.query, batch.map((w) => w.message));
    } catch (error) {
      if (batch.length > 1 && concernsData(error)) await this.writeOneByOne(batch);
      else for (const waiter of batch) waiter.reject(error);
      return;
    }
    batch.forEach((waiter, i) => waiter.resolve(rows[i] as MessageRecord));
  }

  /** Isolates the bad row(s) of a failed batch: sequential, so a retry storm cannot take the whole pool. */
  private async writeOneByOne(batch: Waiter[]): Promise<void> {
    for (const waiter of batch) {
      try {
        waiter.resolve(await insertOutboundMessage(this.options.db.query, waiter.message));
      } catch (error) {
        waiter.reject(error);
      }
    }
  }
}

/** True for errors caused by the rows themselves (SQLSTATE 22xxx, 23xxx), which another row may not share. */
function concernsData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
