// The webhook delivery loop: claims due rows of `webhook_deliveries` in batches (delivery-claim.ts), runs each
// (delivery-runner.ts: HTTP, TwiML, fallback) with at most `concurrency` in flight, and records the outcomes in
// batched transactions (delivery-outcome.ts). Everything durable is in the database, so a restarted or another
// instance continues where this one stopped: at-least-once, ordered per message. See docs/webhooks.md.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { backoffCeiling } from '../dispatch/backoff.js';
import { OutcomeBatcher } from '../dispatch/outcome-batcher.js';
import { InFlightWindow } from '../dispatch/throttle.js';
import { WakeUp } from '../dispatch/wake-up.js';
import type { Database } from '../store/database.js';
import { claimDeliveries, releaseDeliveryClaims, renewLeases, type ClaimedDelivery } from './delivery-claim.js';
import { recordDeliveryRuns, type RecordableRun } from './delivery-outcome.js';
import { runDelivery, type DeliveryRun } from './delivery-runner.js';
import type { HttpTransport } from './http-transport.js';
import { retryDelayMs, type RetrySchedule } from './retry-schedule.js';
import type { UrlPolicyOptions } from './url-policy.js';

export interface WebhookDeliveryWorkerOptions {
  db: Database;
  logger: Logger;
  /** Unique per process; written to `webhook_deliveries.claimed_by`. */
  instanceId: string;
  /** Deliveries in flight at once. */
  concurrency: number;
  /** Most deliveries per claim, and most outcomes per write. */
  batchSize: number;
  /** Lease of a claim; renewed every leaseMs/3 while the delivery runs, so it only matters after a crash. */
  leaseMs: number;
  pollIntervalMs: number;
  /** Per HTTP request (Twilio: 15 s). */
  timeoutMs: number;
  /** Waits between the attempts of a delivery (retry-schedule.ts). */
  retry: RetrySchedule;
  urlPolicy: UrlPolicyOptions;
  /** HTTP redirects (3xx) followed per request. */
  maxRedirects: number;
  /** TwiML documents per chain (<Redirect>); default 10. */
  maxDocuments?: number;
  /** X- response headers never carried onto `<Sms>` replies (RESTCOMM_X_HEADER_DENY). */
  replyXHeaderDeny?: readonly string[];
  /** Called after TwiML replies were committed (main.ts wires it to the dispatcher's nudge). */
  onReplyQueued?: () => void;
  /** How long an outcome may wait for others before its batch is written; default 5 ms. */
  flushDelayMs?: number;
  random?: () => number;
  transport?: HttpTransport;
}

export interface WebhookDeliveryStats {
  claimed: number;
  succeeded: number;
  retried: number;
  failed: number;
  released: number;
  leaseLost: number;
  repliesQueued: number;
  inFlight: number;
}

export interface WebhookDeliveryWorker {
  start(): void;
  /** Look for work now (after committing a delivery row). */
  nudge(): void;
  /** Stops claiming, lets calls in flight finish for up to drainMs, aborts the rest, releases claims. */
  stop(options?: { drainMs?: number }): Promise<void>;
  stats(): WebhookDeliveryStats;
}

export function createWebhookDeliveryWorker(options: WebhookDeliveryWorkerOptions): WebhookDeliveryWorker {
  return new Worker(options);
}

class Worker implements WebhookDeliveryWorker {
  private readonly window: InFlightWindow;
  private readonly batcher: OutcomeBatcher<RecordableRun>;
  private readonly wakeUp = new WakeUp();
  private readonly abort = new AbortController();
  private readonly log: Logger;
  private readonly running = new Map<string, Promise<void>>();
  private readonly counters = { claimed: 0, succeeded: 0, retried: 0, failed: 0, released: 0, leaseLost: 0, repliesQueued: 0 };
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  private loopDone: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private errorLevel = 0;
  /** Whether the last claim was full, so that more rows may be due right now. */
  private backlog = false;

  constructor(private readonly options: WebhookDeliveryWorkerOptions) {
    this.window = new InFlightWindow(Math.max(1, options.concurrency));
    this.log = options.logger.child({ component: 'webhook-worker', instanceId: options.instanceId });
    this.batcher = new OutcomeBatcher<RecordableRun>({
      maxBatch: Math.max(1, options.batchSize),
      delayMs: options.flushDelayMs ?? 5,
      retryDelayMs: options.pollIntervalMs,
      write: (batch) => this.write(batch),
      onWriteError: (error, size) => this.log.error({ err: error, batchSize: size }, 'recording webhook outcomes failed; will retry'),
    });
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.renewTimer = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.options.leaseMs / 3)));
    this.renewTimer.unref();
    this.loopDone = this.loop();
  }

  nudge(): void {
    this.wakeUp.wake();
  }

  stats(): WebhookDeliveryStats {
    return { ...this.counters, inFlight: this.window.inFlight };
  }

  stop(stopOptions: { drainMs?: number } = {}): Promise<void> {
    this.stopping ??= this.shutdown(stopOptions.drainMs ?? 5000);
    return this.stopping;
  }

  private async shutdown(drainMs: number): Promise<void> {
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.wakeUp.wake();
    await this.loopDone;
    await Promise.race([Promise.allSettled([...this.running.values()]), sleep(drainMs, undefined, { ref: false })]);
    // Calls still on the wire are aborted; their runs come back as `released` and are handed back for a retry.
    this.abort.abort();
    await Promise.allSettled([...this.running.values()]);
    await this.batcher.flush();
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.state = 'stopped';
    if (!wasRunning) return;
    try {
      const released = await this.options.db.transaction((query) => releaseDeliveryClaims(query, this.options.instanceId));
      this.log.info({ released }, 'webhook delivery worker stopped');
    } catch (error) {
      // The database is out of reach: the claims stay, and their leases expire into another worker's poll.
      this.log.error({ err: error }, 'webhook delivery worker stopped; releasing its claims failed, their leases will expire');
    }
  }

  private async loop(): Promise<void> {
    while (this.state === 'running') {
      let waitMs: number;
      try {
        waitMs = await this.tick();
        this.errorLevel = 0;
      } catch (error) {
        this.log.error({ err: error }, 'webhook delivery poll failed');
        waitMs = backoffCeiling({ baseMs: this.options.pollIntervalMs, maxMs: Math.max(this.options.pollIntervalMs, this.options.retry.maxMs) }, ++this.errorLevel);
      }
      if (this.state !== 'running') break;
      await this.wakeUp.wait(waitMs);
    }
  }

  /** One poll: claim what fits in the window and start it. Returns the wait before the next poll. */
  private async tick(): Promise<number> {
    const wanted = Math.min(this.options.batchSize, this.window.free);
    // While calls are in flight, wait until a useful share of the window is free: claiming one or two rows per
    // finished call cost a statement each under load.
    const worthClaiming = this.window.inFlight === 0 ? 1 : Math.max(1, Math.min(this.options.batchSize, Math.ceil(this.options.concurrency / 8)));
    if (wanted < worthClaiming) return this.options.pollIntervalMs;
    const granted = this.window.acquire(wanted);
    let claimed: ClaimedDelivery[] = [];
    try {
      // One statement: it needs no explicit transaction (BEGIN/COMMIT would be two more round trips).
      claimed = await claimDeliveries(this.options.db.query, {
        instanceId: this.options.instanceId, limit: granted, leaseMs: this.options.leaseMs, authTokens: this.options.db.authTokens,
      });
    } finally {
      this.window.release(granted - claimed.length);
    }
    this.counters.claimed += claimed.length;
    for (const delivery of claimed) this.track(delivery);
    this.backlog = claimed.length === granted;
    return this.backlog ? 0 : this.options.pollIntervalMs;
  }

  private track(delivery: ClaimedDelivery): void {
    const { options } = this;
    const work = runDelivery(delivery, {
      timeoutMs: options.timeoutMs,
      maxRedirects: options.maxRedirects,
      urlPolicy: options.urlPolicy,
      signal: this.abort.signal,
      ...(options.maxDocuments === undefined ? {} : { maxDocuments: options.maxDocuments }),
      ...(options.transport ? { transport: options.transport } : {}),
    })
      .catch((error: unknown): DeliveryRun => {
        // runDelivery promises not to throw; if it does anyway the delivery is retried rather than lost.
        const lastError = `internal error: ${error instanceof Error ? error.message : String(error)}`;
        return { delivery, calls: [], twimlEvents: [], replies: [], verdict: 'retry', lastHttpStatus: null, lastError };
      })
      .then((run) => this.finish(run));
    this.running.set(delivery.id, work);
    void work.finally(() => this.running.delete(delivery.id));
  }

  private finish(run: DeliveryRun): void {
    this.window.release();
    const { delivery } = run;
    const log = { messageSid: delivery.messageSid, deliveryId: delivery.id, kind: delivery.kind, attempt: delivery.attempts };
    if (run.verdict === 'succeeded') this.log.debug(log, 'webhook delivered');
    else this.log.info({ ...log, verdict: run.verdict, error: run.lastError }, 'webhook attempt failed');
    this.batcher.add({ run, retryDelayMs: retryDelayMs(this.options.retry, delivery.attempts, this.options.random) });
    // A freed slot matters only if the last claim left due rows behind. Otherwise new work announces itself:
    // producers nudge, and each recorded outcome wakes the loop (it may unblock the message's next callback).
    if (this.state === 'running' && this.backlog) this.wakeUp.wake();
  }

  private async write(batch: RecordableRun[]): Promise<void> {
    const recorded = await recordDeliveryRuns({
      db: this.options.db, instanceId: this.options.instanceId, runs: batch,
      ...(this.options.replyXHeaderDeny ? { replyXHeaderDeny: this.options.replyXHeaderDeny } : {}),
    });
    for (const { run } of batch) {
      const state = recorded.states.get(run.delivery.id);
      if (state === undefined) this.counters.leaseLost += 1;
      else if (state === 'succeeded') this.counters.succeeded += 1;
      else if (state === 'failed') this.counters.failed += 1;
      else if (run.verdict === 'released') this.counters.released += 1;
      else this.counters.retried += 1;
    }
    this.counters.repliesQueued += recorded.repliesQueued;
    if (recorded.repliesQueued > 0) this.options.onReplyQueued?.();
    // A recorded outcome can unblock the next callback of the same message.
    if (this.state === 'running') this.wakeUp.wake();
  }

  private async renew(): Promise<void> {
    const ids = [...this.running.keys()];
    if (ids.length === 0) return;
    try {
      await renewLeases(this.options.db.query, { instanceId: this.options.instanceId, ids, leaseMs: this.options.leaseMs });
    } catch (error) {
      this.log.warn({ err: error }, 'renewing webhook leases failed');
    }
  }
}
