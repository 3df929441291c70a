// Where new webhooks go (status callbacks from status-change.ts, inbound SMS webhooks from enqueue-webhook.ts).
// In a transaction of a database handle that has an outbox runner attached (outbox-runner.ts), all webhooks of
// that transaction become ONE `webhook_outbox` row, written just before its COMMIT and leased to this instance;
// right after the commit they are handed to the runner, which attempts them from memory. Without a runner (tools,
// tests of the retry worker, a runner that is stopping) they are `pending` webhook_deliveries rows as before.
import { afterCommit, beforeCommit, handleOf, transactionDatabase, type Database, type SqlQuery } from '../store/database.js';
import { insertOutboxRow, insertPendingDeliveries, type OutboxItem } from '../store/webhook-outbox-store.js';

/** What the outbox needs from the runner of a database handle. */
export interface OutboxSink {
  readonly instanceId: string;
  readonly leaseMs: number;
  /** False once the runner stops: new webhooks then go straight to webhook_deliveries. */
  accepting(): boolean;
  /** The row committed: attempt its items. Called once, right after the COMMIT. */
  accept(outboxId: string, items: OutboxItem[]): void;
}

// Keyed by the pool behind a handle (Database.handle), not by the handle object: the service's handle is a copy
// ({ ...db, authTokens }) whose transactions report the original.
const sinks = new WeakMap<object, OutboxSink>();
const batches = new WeakMap<SqlQuery, OutboxItem[]>();

export function attachOutboxSink(db: Database, sink: OutboxSink): void {
  sinks.set(handleOf(db), sink);
}

export function detachOutboxSink(db: Database, sink: OutboxSink): void {
  if (sinks.get(handleOf(db)) === sink) sinks.delete(handleOf(db));
}

/**
 * Queues webhooks in the transaction of `query`. Returns the ids of the `pending` delivery rows when they were
 * written directly, or an empty array when they went to the outbox (their delivery rows exist once recorded).
 */
export async function queueWebhooks(query: SqlQuery, items: readonly OutboxItem[]): Promise<bigint[]> {
  if (items.length === 0) return [];
  const db = transactionDatabase(query);
  const sink = db === undefined ? undefined : sinks.get(handleOf(db));
  if (sink === undefined || !sink.accepting()) return insertPendingDeliveries(query, items);
  let batch = batches.get(query);
  if (batch === undefined) {
    const collected: OutboxItem[] = [];
    batch = collected;
    batches.set(query, collected);
    beforeCommit(query, async () => {
      const id = await insertOutboxRow(query, { instanceId: sink.instanceId, leaseMs: sink.leaseMs, items: collected });
      afterCommit(query, () => sink.accept(id, collected));
    });
  }
  batch.push(...items);
  return [];
}
