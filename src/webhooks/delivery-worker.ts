// The webhook delivery loop: claims due rows of `webhook_deliveries` in batches (delivery-claim.ts), runs each
// (delivery-runner.ts: HTTP, TwiML, fallback) with at most `concurrency` in flight, and records the outcomes in
// batched transactions (delivery-outcome.ts). Everything durable is in the database, so a restarted or another
// instance continues where this one stopped: at-least-once, ordered per message. See docs/webhooks.md.
import type { Logger } from 'pino';
import { ClaimLoop, type ClaimPlan } from '../dispatch/claim-loop.js';
import { OutcomeBatcher } from '../dispatch/outcome-batcher.js';
import type { InFlightWindow } from '../dispatch/throttle.js';
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
  /** Poll, claim, in-flight window, wake-ups, database-error backoff, lease renewal, drain and release (claim-loop.ts). */
  private readonly loop: ClaimLoop<ClaimedDelivery>;
  private readonly batcher: OutcomeBatcher<RecordableRun>;
  private readonly log: Logger;
  private readonly counters = { claimed: 0, succeeded: 0, retried: 0, failed: 0, released: 0, leaseLost: 0, repliesQueued: 0 };
  /** Whether the last claim was full, so that more rows may be due right now. */
  private backlog = false;

  constructor(private readonly options: WebhookDeliveryWorkerOptions) {
    this.log = options.logger.child({ component: 'webhook-worker', instanceId: options.instanceId });
    this.batcher = new OutcomeBatcher<RecordableRun>({
      maxBatch: Math.max(1, options.batchSize),
      delayMs: options.flushDelayMs ?? 5,
      retryDelayMs: options.pollIntervalMs,
      write: (batch) => this.write(batch),
      onWriteError: (error, size) => this.log.error({ err: error, batchSize: size }, 'recording webhook outcomes failed; will retry'),
    });
    this.loop = new ClaimLoop<ClaimedDelivery>({
      name: 'webhook delivery worker',
      logger: this.log,
      capacity: options.concurrency,
      pollIntervalMs: options.pollIntervalMs,
      errorBackoffMaxMs: options.retry.maxMs,
      plan: (window) => this.plan(window),
      // One statement: it needs no explicit transaction (BEGIN/COMMIT would be two more round trips).
      claim: (limit) => claimDeliveries(options.db.query, { instanceId: options.instanceId, limit, leaseMs: options.leaseMs, authTokens: options.db.authTokens }),
      afterClaim: (claimed, limit) => {
        this.counters.claimed += claimed.length;
        this.backlog = claimed.length === limit;
        return this.backlog ? 0 : options.pollIntervalMs;
      },
      // A freed slot matters only if the last claim left due rows behind. Otherwise new work announces itself:
      // producers nudge, and each recorded outcome wakes the loop (it may unblock the message's next callback).
      wakeOnFreedSlot: (window) => this.backlog && window.free >= this.worthClaiming(window),
      run: (delivery, signal) => this.track(delivery, signal),
      // The lease only matters after a crash: renewed every leaseMs/3 while the delivery runs.
      renew: {
        everyMs: Math.floor(options.leaseMs / 3),
        renew: (deliveries) => renewLeases(options.db.query, { instanceId: options.instanceId, ids: deliveries.map((d) => d.id), leaseMs: options.leaseMs }),
      },
      // Calls get the whole drain; those still on the wire are then aborted, come back as `released` and are
      // handed back for a retry.
      abortOnStop: 'after-drain',
      afterDrain: () => this.batcher.flush(),
      release: async () => ({ released: await options.db.transaction((query) => releaseDeliveryClaims(query, options.instanceId)) }),
    });
  }

  start(): void {
    this.loop.start();
  }

  nudge(): void {
    this.loop.wake();
  }

  stats(): WebhookDeliveryStats {
    return { ...this.counters, inFlight: this.loop.window.inFlight };
  }

  stop(stopOptions: { drainMs?: number } = {}): Promise<void> {
    return this.loop.stop(stopOptions.drainMs ?? 5000);
  }

  /** One poll claims what fits in the window, but only once a useful share of it is free. */
  private plan(window: InFlightWindow): ClaimPlan {
    const wanted = Math.min(this.options.batchSize, window.free);
    return wanted < this.worthClaiming(window) ? { waitMs: this.options.pollIntervalMs } : { claim: wanted };
  }

  /** While calls are in flight, claiming one or two rows per finished call would cost a statement each under load. */
  private worthClaiming(window: InFlightWindow): number {
    return window.inFlight === 0 ? 1 : Math.max(1, Math.min(this.options.batchSize, Math.ceil(this.options.concurrency / 8)));
  }

  private track(delivery: ClaimedDelivery, signal: AbortSignal): Promise<void> {
    const { options } = this;
    return runDelivery(delivery, {
      timeoutMs: options.timeoutMs,
      maxRedirects: options.maxRedirects,
      urlPolicy: options.urlPolicy,
      signal,
      ...(options.maxDocuments === undefined ? {} : { maxDocuments: options.maxDocuments }),
      ...(options.transport ? { transport: options.transport } : {}),
    })
      .catch((error: unknown): DeliveryRun => {
        // runDelivery promises not to throw; if it does anyway the delivery is retried rather than lost.
        const lastError = `internal error: ${error instanceof Error ? error.message : String(error)}`;
        return { delivery, calls: [], twimlEvents: [], replies: [], verdict: 'retry', lastHttpStatus: null, lastError };
      })
      .then((run) => this.finish(run));
  }

  private finish(run: DeliveryRun): void {
    const { delivery } = run;
    const log = { messageSid: delivery.messageSid, deliveryId: delivery.id, kind: delivery.kind, attempt: delivery.attempts };
    if (run.verdict === 'succeeded') this.log.debug(log, 'webhook delivered');
    else this.log.info({ ...log, verdict: run.verdict, error: run.lastError }, 'webhook attempt failed');
    this.batcher.add({ run, retryDelayMs: retryDelayMs(this.options.retry, delivery.attempts, this.options.random) });
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
    this.loop.wake();
  }
}
