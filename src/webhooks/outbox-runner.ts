// First attempts of new webhooks, from memory (docs/webhooks.md, "Outbox"). A transaction that creates webhooks
// writes one `webhook_outbox` row leased to this instance (outbox.ts); right after its commit the row's items
// come here. Each item is attempted once, exactly as the delivery worker attempts a claimed row (delivery-runner.ts:
// signature, fallback URL, redirects, TwiML, URL policy, deadlines). When every item of a row has finished, ONE
// transaction records them: webhook_deliveries rows inserted directly in their state (succeeded; pending with its
// retry time, plus webhook_attempts rows for the failed attempt; failed), the TwiML replies, and the DELETE of the
// outbox row. If that DELETE finds nothing, another instance took the row over after our lease ran out: the
// transaction rolls back, so a TwiML reply is created exactly once. Retries are the delivery worker's.
//
// Per-message order: an item whose message has an earlier webhook still pending (in memory here, or a pending
// webhook_deliveries row) is not attempted; it is recorded pending behind it and the delivery worker sends it in order.
// Recovery: rows whose lease ran out (their instance died) are taken over here and attempted with their tokens.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { PLAIN_AUTH_TOKENS } from '../store/auth-token-cipher.js';
import type { Database } from '../store/database.js';
import {
  deleteOutboxRow, insertRecordedDeliveries, prepareOutboxItems, releaseOutboxRows, renewOutboxLeases, takeOverOutboxRows,
  type OutboxItem, type OutboxPreparation, type RecordedItem,
} from '../store/webhook-outbox-store.js';
import type { ClaimedDelivery } from './delivery-claim.js';
import { attemptLatencyMs, recordTwimlOutcomes } from './delivery-outcome.js';
import { runDelivery, type DeliveryRun } from './delivery-runner.js';
import type { HttpTransport } from './http-transport.js';
import { attachOutboxSink, detachOutboxSink, type OutboxSink } from './outbox.js';
import { retryDelayMs, type RetrySchedule } from './retry-schedule.js';
import type { UrlPolicyOptions } from './url-policy.js';

export interface OutboxRunnerOptions {
  db: Database;
  logger: Logger;
  /** Unique per process; written to `webhook_outbox.instance_id`. */
  instanceId: string;
  /** Lease of an outbox row; renewed every leaseMs/3 while its items run, so it only matters after a crash. */
  leaseMs: number;
  /** First attempts in flight at once. */
  concurrency: number;
  /**
   * Most webhooks held in memory (in flight or waiting for a slot); beyond, new webhooks are written as pending
   * delivery rows for the delivery worker (back-pressure instead of an unbounded queue). Default concurrency × 20.
   */
  maxHeldItems?: number;
  /** Further handles on the same database whose transactions also hand their webhooks to this runner (the API's). */
  alsoFor?: readonly Database[];
  /** How often rows with an expired lease are looked for; default min(leaseMs / 3, 5 s). */
  takeoverIntervalMs?: number;
  /** Most rows taken over at once; default 20. */
  takeoverBatch?: number;
  timeoutMs: number;
  retry: RetrySchedule;
  urlPolicy: UrlPolicyOptions;
  maxRedirects: number;
  maxDocuments?: number;
  replyXHeaderDeny?: readonly string[];
  /** After TwiML replies were committed (the dispatcher's nudge). */
  onReplyQueued?: () => void;
  /** After pending deliveries were recorded (the delivery worker's nudge). */
  onPendingRecorded?: () => void;
  /** Tests: runs after a row's first attempts, just before its recording transaction. */
  beforeRecord?: (outboxId: string) => Promise<void>;
  random?: () => number;
  transport?: HttpTransport;
}

export interface OutboxRunnerStats {
  rows: number;
  takenOver: number;
  succeeded: number;
  pending: number;
  failed: number;
  /** Items of rows lost to another instance (lease expired) before they were recorded. */
  lost: number;
  repliesQueued: number;
  inFlight: number;
}

export interface OutboxRunner {
  start(): void;
  /** Stops taking rows, lets attempts finish for up to drainMs, aborts the rest, records, hands back the remainder. */
  stop(options?: { drainMs?: number }): Promise<void>;
  stats(): OutboxRunnerStats;
}

export function createOutboxRunner(options: OutboxRunnerOptions): OutboxRunner {
  return new Runner(options);
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

interface Entry {
  item: OutboxItem;
  index: number;
  batch: Batch;
  /** The latest earlier webhook of the same message held by this instance. */
  before: Entry | undefined;
  /** Resolves once the first attempt is decided: the recorded form (its state says whether it waits). */
  decided: Deferred<RecordedItem>;
  run?: DeliveryRun;
}

interface Batch {
  id: string;
  entries: Entry[];
  acceptedAt: number;
  createdAt: number;
  /** Resolves once the row was recorded, lost, or given up (shutdown). */
  done: Deferred<void>;
}

class LostOutboxRow extends Error {}

class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(size: number) {
    this.free = Math.max(1, size);
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

class Runner implements OutboxRunner, OutboxSink {
  readonly instanceId: string;
  readonly leaseMs: number;
  private readonly log: Logger;
  private readonly slots: Slots;
  private readonly abort = new AbortController();
  private readonly held = new Map<string, Batch>();
  private readonly tails = new Map<string, Entry>();
  private readonly counters = { rows: 0, takenOver: 0, succeeded: 0, pending: 0, failed: 0, lost: 0, repliesQueued: 0 };
  private inFlight = 0;
  private heldItems = 0;
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  private giveUp = false;
  private timers: NodeJS.Timeout[] = [];
  private takingOver = false;
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: OutboxRunnerOptions) {
    this.instanceId = options.instanceId;
    this.leaseMs = options.leaseMs;
    this.slots = new Slots(options.concurrency);
    this.log = options.logger.child({ component: 'webhook-outbox', instanceId: options.instanceId });
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    for (const handle of this.handles()) attachOutboxSink(handle, this);
    const renew = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.leaseMs / 3)));
    const takeover = setInterval(() => void this.takeOver(), this.options.takeoverIntervalMs ?? Math.min(5000, Math.max(10, Math.floor(this.leaseMs / 3))));
    renew.unref();
    takeover.unref();
    this.timers = [renew, takeover];
    void this.takeOver();
  }

  stats(): OutboxRunnerStats {
    return { ...this.counters, inFlight: this.inFlight };
  }

  accepting(): boolean {
    return this.state === 'running' && this.heldItems < (this.options.maxHeldItems ?? Math.max(1, this.options.concurrency) * 20);
  }

  private handles(): Database[] {
    return [this.options.db, ...(this.options.alsoFor ?? []).filter((h) => h !== this.options.db)];
  }

  accept(outboxId: string, items: OutboxItem[], createdAt = Date.now()): void {
    if (this.state !== 'running') {
      // Committed while we were stopping: hand it back at once rather than let its lease run out.
      void releaseOutboxRows(this.options.db.query, this.instanceId, [outboxId]).catch(() => undefined);
      return;
    }
    const batch: Batch = { id: outboxId, entries: [], acceptedAt: Date.now(), createdAt, done: deferred() };
    items.forEach((item, index) => {
      const entry: Entry = { item, index, batch, before: this.tails.get(item.messageSid), decided: deferred() };
      this.tails.set(item.messageSid, entry);
      batch.entries.push(entry);
    });
    this.held.set(outboxId, batch);
    this.heldItems += batch.entries.length;
    this.counters.rows += 1;
    void this.process(batch);
  }

  stop(stopOptions: { drainMs?: number } = {}): Promise<void> {
    this.stopping ??= this.shutdown(stopOptions.drainMs ?? 5000);
    return this.stopping;
  }

  private async shutdown(drainMs: number): Promise<void> {
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    for (const handle of this.handles()) detachOutboxSink(handle, this);
    for (const timer of this.timers) clearInterval(timer);
    const all = (): Promise<unknown> => Promise.allSettled([...this.held.values()].map((b) => b.done.promise));
    await Promise.race([all(), sleep(drainMs, undefined, { ref: false })]);
    // Calls still on the wire are aborted: they are recorded pending, due at once, for the delivery worker.
    this.abort.abort();
    await Promise.race([all(), sleep(Math.max(drainMs, 1000), undefined, { ref: false })]);
    this.giveUp = true;
    await all();
    this.state = 'stopped';
    if (!wasRunning) return;
    try {
      const released = await releaseOutboxRows(this.options.db.query, this.instanceId);
      this.log.info({ released }, 'webhook outbox runner stopped');
    } catch (error) {
      this.log.error({ err: error }, 'webhook outbox runner stopped; handing back its rows failed, their leases will expire');
    }
  }

  private async process(batch: Batch): Promise<void> {
    try {
      const prep = await this.prepare(batch);
      await Promise.all(batch.entries.map((entry) => this.attempt(entry, prep)));
      await this.record(batch);
    } catch (error) {
      this.log.error({ err: error, outboxId: batch.id }, 'webhook outbox row failed; its lease will expire into a takeover');
    } finally {
      // Anyone waiting on an entry that never got decided must not wait forever.
      for (const entry of batch.entries) {
        entry.decided.resolve(notAttempted(entry.item));
        if (this.tails.get(entry.item.messageSid) === entry) this.tails.delete(entry.item.messageSid);
      }
      this.held.delete(batch.id);
      this.heldItems -= batch.entries.length;
      batch.done.resolve();
    }
  }

  /** Auth tokens and pending messages; retried while the database is out of reach (the lease is renewed). */
  private async prepare(batch: Batch): Promise<OutboxPreparation | null> {
    for (let failures = 0; ; failures += 1) {
      try {
        return await prepareOutboxItems(this.options.db.query, batch.entries.map((e) => e.item));
      } catch (error) {
        if (this.state !== 'running') return null;
        this.log.warn({ err: error, outboxId: batch.id }, 'reading webhook outbox items failed; will retry');
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)), undefined, { ref: false });
      }
    }
  }

  private async attempt(entry: Entry, prep: OutboxPreparation | null): Promise<void> {
    const { item } = entry;
    if (entry.before) {
      // Same row: its first attempt decides. An earlier row: it must be recorded first, so that our pending
      // row, if any, gets the larger id (the delivery worker sends a message's rows in id order).
      if (entry.before.batch !== entry.batch) await entry.before.batch.done.promise;
      const before = await entry.before.decided.promise;
      if (before.state === 'pending') {
        entry.decided.resolve({ ...notAttempted(item), behind: true, nextAttemptDelayMs: before.nextAttemptDelayMs });
        return;
      }
    }
    if (prep === null || this.abort.signal.aborted) {
      entry.decided.resolve(notAttempted(item));
      return;
    }
    if (prep.pendingMessages.has(item.messageSid)) {
      entry.decided.resolve({ ...notAttempted(item), behind: true });
      return;
    }
    await this.slots.acquire();
    if (this.abort.signal.aborted) {
      this.slots.release();
      entry.decided.resolve(notAttempted(item));
      return;
    }
    this.inFlight += 1;
    const stored = prep.authTokens.get(item.accountSid);
    const tokens = this.options.db.authTokens ?? PLAIN_AUTH_TOKENS;
    const delivery = toDelivery(entry, stored === undefined ? null : tokens.open(item.accountSid, stored));
    const { options } = this;
    try {
      const run = await runDelivery(delivery, {
        timeoutMs: options.timeoutMs,
        maxRedirects: options.maxRedirects,
        urlPolicy: options.urlPolicy,
        signal: this.abort.signal,
        ...(options.maxDocuments === undefined ? {} : { maxDocuments: options.maxDocuments }),
        ...(options.transport ? { transport: options.transport } : {}),
      }).catch((error: unknown): DeliveryRun => ({
        delivery, calls: [], twimlEvents: [], replies: [], verdict: 'retry', lastHttpStatus: null,
        lastError: `internal error: ${error instanceof Error ? error.message : String(error)}`,
      }));
      entry.run = run;
      const log = { messageSid: item.messageSid, outboxId: entry.batch.id, kind: item.kind };
      if (run.verdict === 'succeeded') this.log.debug(log, 'webhook delivered');
      else this.log.info({ ...log, verdict: run.verdict, error: run.lastError }, 'webhook first attempt failed');
      entry.decided.resolve(this.decide(entry, run));
    } finally {
      this.inFlight -= 1;
      this.slots.release();
    }
  }

  /** The recorded form of a first attempt: the same rules as the delivery worker's outcome (delivery-outcome.ts). */
  private decide(entry: Entry, run: DeliveryRun): RecordedItem {
    const { item } = entry;
    const base = {
      item, attempts: 1, behind: false, nextAttemptDelayMs: 0, lastHttpStatus: run.lastHttpStatus, lastError: run.lastError,
      lastLatencyMs: attemptLatencyMs(run), calls: run.calls,
    };
    if (run.verdict === 'succeeded') return { ...base, state: 'succeeded', calls: [] };
    if (run.verdict === 'failed') return { ...base, state: 'failed' };
    if (run.verdict === 'released') return { ...base, state: 'pending' };
    const exhausted = item.maxAttempts > 0 && 1 >= item.maxAttempts;
    if (exhausted || Date.now() >= entry.batch.createdAt + item.deadlineMs) return { ...base, state: 'failed' };
    return { ...base, state: 'pending', nextAttemptDelayMs: retryDelayMs(this.options.retry, 1, this.options.random) };
  }

  private async record(batch: Batch): Promise<void> {
    const items = await Promise.all(batch.entries.map((e) => e.decided.promise));
    const runs = batch.entries.flatMap((e) => (e.run ? [e.run] : []));
    for (let failures = 0; ; failures += 1) {
      try {
        await this.options.beforeRecord?.(batch.id);
        const repliesQueued = await this.options.db.transaction(async (query) => {
          const created = await deleteOutboxRow(query, { id: batch.id, instanceId: this.instanceId });
          if (created === null) throw new LostOutboxRow(`outbox row ${batch.id} is no longer ours`);
          await insertRecordedDeliveries(query, { dateCreated: created, items });
          return recordTwimlOutcomes(query, runs, {
            ...(this.options.replyXHeaderDeny ? { replyXHeaderDeny: this.options.replyXHeaderDeny } : {}),
          });
        });
        for (const item of items) this.counters[item.state] += 1;
        this.counters.repliesQueued += repliesQueued;
        if (repliesQueued > 0) this.options.onReplyQueued?.();
        if (items.some((i) => i.state === 'pending')) this.options.onPendingRecorded?.();
        return;
      } catch (error) {
        if (error instanceof LostOutboxRow) {
          this.counters.lost += items.length;
          this.log.warn({ outboxId: batch.id, items: items.length }, 'webhook outbox row was taken over by another instance; its outcomes are not recorded here');
          return;
        }
        if (this.giveUp) throw error;
        this.log.error({ err: error, outboxId: batch.id }, 'recording webhook first attempts failed; will retry');
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)), undefined, { ref: false });
      }
    }
  }

  /** Only rows held longer than a third of the lease need renewing: most are recorded well before. */
  private async renew(): Promise<void> {
    const third = this.leaseMs / 3;
    const now = Date.now();
    const ids = [...this.held.values()].filter((b) => now - b.acceptedAt >= third).map((b) => b.id);
    if (ids.length === 0) return;
    try {
      const kept = await renewOutboxLeases(this.options.db.query, { instanceId: this.instanceId, ids, leaseMs: this.leaseMs });
      const lost = ids.filter((id) => !kept.has(id));
      if (lost.length > 0) this.log.warn({ outboxIds: lost }, 'webhook outbox leases lost to another instance');
    } catch (error) {
      this.log.warn({ err: error }, 'renewing webhook outbox leases failed');
    }
  }

  private async takeOver(): Promise<void> {
    if (this.state !== 'running' || this.takingOver) return;
    this.takingOver = true;
    try {
      if (!this.accepting()) return;
      const rows = await takeOverOutboxRows(this.options.db.query, {
        instanceId: this.instanceId, leaseMs: this.leaseMs, limit: this.options.takeoverBatch ?? 20,
      });
      if (rows.length > 0) this.log.info({ outboxIds: rows.map((r) => r.id) }, 'took over webhook outbox rows whose lease expired');
      this.counters.takenOver += rows.length;
      for (const row of rows) this.accept(row.id, row.items, row.dateCreated.getTime());
    } catch (error) {
      this.log.warn({ err: error }, 'looking for expired webhook outbox rows failed');
    } finally {
      this.takingOver = false;
    }
  }
}

function notAttempted(item: OutboxItem): RecordedItem {
  return { item, state: 'pending', attempts: 0, behind: false, nextAttemptDelayMs: 0, lastHttpStatus: null, lastError: null, lastLatencyMs: null, calls: [] };
}

function toMethod(value: string | null): 'GET' | 'POST' {
  return value?.toUpperCase() === 'GET' ? 'GET' : 'POST';
}

function toDelivery(entry: Entry, authToken: string | null): ClaimedDelivery {
  const { item } = entry;
  return {
    id: `outbox-${entry.batch.id}-${entry.index}`,
    accountSid: item.accountSid,
    messageSid: item.messageSid,
    kind: item.kind,
    url: item.url,
    method: toMethod(item.method),
    fallbackUrl: item.fallbackUrl === null || item.fallbackUrl === '' ? null : item.fallbackUrl,
    fallbackMethod: toMethod(item.fallbackMethod),
    params: item.params,
    idempotencyToken: item.token,
    attempts: 1,
    maxAttempts: item.maxAttempts,
    authToken,
  };
}
