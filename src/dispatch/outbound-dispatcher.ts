// The outbound send loop: claims due messages from the `messages` table in batches no larger than the free
// in-flight window, sends each through the gateway of its route under the rate limits, and records outcomes in
// batched transactions. Everything durable is in the database, so any instance can pick up where another died.
// See docs/pipeline.md for the guarantees (at-least-once within the crash window) and the tuning knobs.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { SmscGateway, SmscRoute } from '../messaging/smsc-gateway.js';
import { DEFAULT_STATUS_CHANGE_OPTIONS, type StatusChangeOptions } from '../messaging/status-change.js';
import type { Database } from '../store/database.js';
import { backoffCeiling, type BackoffPolicy } from './backoff.js';
import { ClaimLoop, type ClaimPlan } from './claim-loop.js';
import { claimMessages, queueDepth, queuedByRoute, releaseClaims, type ClaimedMessage } from './claim.js';
import { sendClaimedMessage } from './message-sender.js';
import { OutcomeBatcher } from './outcome-batcher.js';
import type { PendingOutcomes } from './pending-outcomes.js';
import { planOutcomes, type DispatchOutcome } from './outcome-plan.js';
import { writeOutcomes } from './outcome-writer.js';
import { HeldRoutePacer } from './held-route-pacer.js';
import { KeyedTokenBuckets, TokenBucket } from './throttle.js';

export interface OutboundDispatcherOptions {
  db: Database;
  gateways: { sip?: SmscGateway; smpp?: SmscGateway };
  defaultRoute: SmscRoute;
  /** Unique per process; written to `messages.claimed_by`. */
  instanceId: string;
  /** Submissions awaiting an SMSC answer, at most (SMSC_MAX_IN_FLIGHT). */
  maxInFlight: number;
  /** Messages per second from this process; 0 = unlimited. */
  maxRatePerSecond: number;
  /** Messages per second per sender (From) in this process; 0 = unlimited. */
  senderMaxRatePerSecond: number;
  /** Most messages per claim, and most outcomes per write. */
  batchSize: number;
  /** How long a claim protects a message; must exceed the gateway's timeout plus throttle waits. */
  leaseMs: number;
  pollIntervalMs: number;
  retry: BackoffPolicy;
  logger: Logger;
  statusChange?: StatusChangeOptions;
  /** How long an outcome may wait for others before its batch is written; default 5 ms. */
  flushDelayMs?: number;
  /** How long a message may wait in memory for its sender's token; default 1000 ms. */
  senderHoldMs?: number;
  random?: () => number;
  /** Told of accepted answers and of written outcome batches: receipts wait there for the write (pending-outcomes.ts). */
  pendingOutcomes?: PendingOutcomes;
}

export interface DispatcherStats {
  /** After a run of temporary failures: one probe message per growing poll delay until the SMSC answers. */
  slowMode: boolean;
  claimed: number;
  sent: number;
  failed: number;
  retried: number;
  deferred: number;
  recovered: number;
  inFlight: number;
  pendingOutcomes: number;
}

export interface OutboundDispatcher {
  start(): void;
  /** Asks the loop to look for work now (the API calls it after committing a message). */
  nudge(): void;
  /** Stops claiming, waits up to drainMs for sends in flight, records their outcomes, releases the rest. */
  stop(options?: { drainMs?: number }): Promise<void>;
  stats(): DispatcherStats;
  /**
   * Writes the send outcomes buffered so far (and waits for the write in progress): a delivery receipt about to
   * be matched then finds its message `sent` rather than still `sending`.
   */
  flushOutcomes(): Promise<void>;
  /**
   * Tells the loop the SMSC answers again (the SIP OPTIONS probe got an answer after failing): slow mode ends and
   * the loop polls at once, instead of sleeping out its slow-mode delay.
   */
  smscAnswered(): void;
  /** Messages queued and sending in the whole database (all instances). */
  queueDepth(): Promise<{ queued: number; sending: number }>;
  /** Per configured route: whether its gateway is ready now (in this process). */
  routeReadiness(): Array<{ route: SmscRoute; ready: boolean }>;
  /** Queued messages in the whole database by the route they will go by (the backlog of a route that is down). */
  queuedByRoute(): Promise<Array<{ route: string; queued: number }>>;
}

export function createOutboundDispatcher(options: OutboundDispatcherOptions): OutboundDispatcher {
  return new Dispatcher(options);
}

class Dispatcher implements OutboundDispatcher {
  /** Poll, claim, in-flight window, wake-ups, database-error backoff, drain and release (claim-loop.ts). */
  private readonly loop: ClaimLoop<ClaimedMessage>;
  private readonly rate: TokenBucket;
  private readonly senderRates: KeyedTokenBuckets;
  private readonly batcher: OutcomeBatcher<DispatchOutcome>;
  private readonly heldPacer: HeldRoutePacer;
  private readonly log: Logger;
  private readonly counters = { claimed: 0, sent: 0, failed: 0, retried: 0, deferred: 0, recovered: 0 };
  private lastPrune = 0;
  /** Consecutive slow-mode polls (the probe's poll delay grows with it). */
  private outageLevel = 0;
  private temporaryStreak = 0;
  /** Routes whose gateway was not ready at this poll's plan; its claim skips them. */
  private heldRoutes: SmscRoute[] = [];
  /** Whether this poll claims in slow mode (one probe). */
  private degraded = false;

  constructor(private readonly options: OutboundDispatcherOptions) {
    this.rate = new TokenBucket({ ratePerSecond: options.maxRatePerSecond });
    this.senderRates = new KeyedTokenBuckets({ ratePerSecond: options.senderMaxRatePerSecond });
    this.log = options.logger.child({ component: 'outbound-dispatcher', instanceId: options.instanceId });
    this.heldPacer = new HeldRoutePacer({ pollIntervalMs: options.pollIntervalMs, maxPolls: 10 });
    this.batcher = new OutcomeBatcher<DispatchOutcome>({
      maxBatch: Math.max(1, options.batchSize),
      delayMs: options.flushDelayMs ?? 5,
      retryDelayMs: options.pollIntervalMs,
      write: (batch) => this.write(batch),
      onWriteError: (error, size) => this.log.error({ err: error, batchSize: size }, 'recording send outcomes failed; will retry'),
    });
    this.loop = new ClaimLoop<ClaimedMessage>({
      name: 'outbound dispatcher',
      logger: this.log,
      capacity: options.maxInFlight,
      pollIntervalMs: options.pollIntervalMs,
      errorBackoffMaxMs: options.retry.maxMs,
      plan: () => this.plan(),
      claim: (limit) => this.claim(limit),
      afterClaim: (claimed, limit) => this.afterClaim(claimed.length, limit),
      run: (message, signal) => this.track(message, signal),
      // Throttled messages stop waiting at once (deferred: 'shutdown'); sends already on the wire get the drain.
      abortOnStop: 'before-drain',
      afterDrain: async () => {
        await this.batcher.flush();
        const unwritten = this.batcher.close();
        if (unwritten.length > 0) this.log.error({ count: unwritten.length }, 'send outcomes could not be recorded; their leases expire and the next claim resends them');
      },
      release: async () => {
        const released = await this.options.db.transaction((query) => releaseClaims(query, this.options.instanceId));
        return { released: released.length, abandoned: this.loop.inFlight };
      },
    });
    // Every send waiting for a rate token listens for shutdown on this one signal; their number is bounded by the
    // in-flight window, so Node's "possible leak" warning past 10 listeners would only be noise.
    setMaxListeners(0, this.loop.signal);
  }

  start(): void {
    this.loop.start();
  }

  nudge(): void {
    this.heldPacer.nudge();
    this.loop.wake();
  }

  stats(): DispatcherStats {
    return { ...this.counters, slowMode: this.slowMode, inFlight: this.loop.inFlight, pendingOutcomes: this.batcher.pending };
  }

  smscAnswered(): void {
    if (!this.slowMode || this.loop.state !== 'running') return;
    this.log.info('the SMSC answers again; leaving slow mode');
    this.leaveSlowMode();
  }

  queueDepth(): Promise<{ queued: number; sending: number }> {
    return queueDepth(this.options.db.query);
  }

  routeReadiness(): Array<{ route: SmscRoute; ready: boolean }> {
    return this.configuredGateways().map((gateway) => ({ route: gateway.route, ready: gateway.isReady() }));
  }

  queuedByRoute(): Promise<Array<{ route: string; queued: number }>> {
    return queuedByRoute(this.options.db.query, this.options.defaultRoute);
  }

  flushOutcomes(): Promise<void> {
    // Not flush(): under sustained sending the buffer never stays empty, and a receipt must not wait for that.
    return this.batcher.writeBuffered();
  }

  stop(stopOptions: { drainMs?: number } = {}): Promise<void> {
    return this.loop.stop(stopOptions.drainMs ?? 5000);
  }

  /** Before a claim: how many messages the window, the rate limit, slow mode and the held routes allow now. */
  private plan(): ClaimPlan {
    this.pruneSenderRates();
    const { pollIntervalMs } = this.options;
    const gateways = this.configuredGateways();
    const window = this.loop.window;
    // Messages of a route whose gateway is not ready (SMPP not bound, SIP transport down) are not claimed: they
    // wait in the queue, visible in the metrics, instead of going round claim → hand back → claim. Readiness is
    // an in-memory check, so polling it every interval costs nothing and a bind coming up is seen at once.
    const heldRoutes = gateways.filter((g) => !g.isReady()).map((g) => g.route);
    if (gateways.length > 0 && heldRoutes.length === gateways.length) return { waitMs: pollIntervalMs };
    // With a route held, a claim reads past its backlog: after one that found too little, pace them.
    if (this.heldPacer.skip(heldRoutes, Date.now())) return { waitMs: pollIntervalMs };
    // After a run of temporary failures only one message goes out per (growing) poll delay: a probe, so that an
    // SMSC outage costs neither CPU nor a storm of retries. The first answer (to a send, or to the SIP OPTIONS
    // probe) ends the slow mode and wakes the loop: it must not sleep out a delay that may be a minute long.
    this.degraded = this.slowMode;
    const wanted = Math.min(this.options.batchSize, window.free, this.rateBudget(), this.degraded ? 1 : Infinity);
    if (wanted <= 0) return { waitMs: window.free === 0 ? pollIntervalMs : Math.min(pollIntervalMs, this.tokenWaitMs()) };
    this.heldRoutes = heldRoutes;
    return { claim: wanted };
  }

  /** Claims due messages (expired leases included: the claim takes them over). */
  private async claim(limit: number): Promise<ClaimedMessage[]> {
    this.heldPacer.claiming();
    const claimed = await this.options.db.transaction((query) =>
      claimMessages(query, {
        instanceId: this.options.instanceId,
        limit,
        leaseMs: this.options.leaseMs,
        defaultRoute: this.options.defaultRoute,
        statusChange: this.options.statusChange,
        heldRoutes: this.heldRoutes,
      }),
    );
    this.counters.claimed += claimed.length;
    const takenOver = claimed.filter((m) => m.takenOverFrom !== null);
    if (takenOver.length > 0) {
      this.counters.recovered += takenOver.length;
      this.log.warn({ count: takenOver.length, messageSids: takenOver.slice(0, 20).map((m) => m.sid) }, 'took over messages whose lease had expired');
    }
    return claimed;
  }

  /** The wait before the next poll: the growing probe delay in slow mode, none after a full claim. */
  private afterClaim(claimed: number, wanted: number): number {
    this.heldPacer.claimed(this.heldRoutes, claimed < wanted, Date.now());
    if (this.degraded) return this.outageDelay(++this.outageLevel);
    this.outageLevel = 0;
    return claimed === wanted ? 0 : this.options.pollIntervalMs;
  }

  private track(message: ClaimedMessage, signal: AbortSignal): Promise<void> {
    return sendClaimedMessage(message, {
      gateways: this.options.gateways,
      rate: this.rate,
      senderRates: this.senderRates,
      senderHoldMs: this.options.senderHoldMs ?? 1000,
      notReadyDelayMs: this.options.retry.baseMs,
      signal,
      now: Date.now,
    }).then((outcome) => this.finish(outcome));
  }

  private finish(outcome: DispatchOutcome): void {
    if (this.loop.state === 'stopped') {
      // A send that outlived the drain: its claim was released, so the message will be sent again.
      this.log.warn({ messageSid: outcome.message.sid, outcome: outcome.kind }, 'send finished after shutdown');
      return;
    }
    if (outcome.kind === 'submitted') {
      if (outcome.result.kind === 'temporary-failure') this.temporaryStreak += 1;
      else if (this.slowMode) this.leaveSlowMode();
      else this.temporaryStreak = 0;
    }
    this.logOutcome(outcome);
    if (outcome.kind === 'submitted' && outcome.result.kind === 'accepted') this.options.pendingOutcomes?.answered(outcome.message, outcome.result.smscMessageIds);
    this.batcher.add(outcome);
  }

  private async write(batch: DispatchOutcome[]): Promise<void> {
    const plan = planOutcomes(batch, { now: new Date(), retry: this.options.retry, random: this.options.random });
    await writeOutcomes({
      db: this.options.db,
      instanceId: this.options.instanceId,
      plan,
      statusChange: this.options.statusChange ?? DEFAULT_STATUS_CHANGE_OPTIONS,
    });
    this.options.pendingOutcomes?.written(batch.map((o) => o.message.sid));
    this.counters.sent += plan.changes.filter((c) => c.status === 'sent').length;
    this.counters.failed += plan.changes.filter((c) => c.status === 'failed').length;
    this.counters.retried += plan.requeues.filter((r) => r.countAttempt).length;
    this.counters.deferred += plan.requeues.filter((r) => !r.countAttempt).length;
  }

  private logOutcome(outcome: DispatchOutcome): void {
    const messageSid = outcome.message.sid;
    if (outcome.kind === 'deferred') this.log.debug({ messageSid, reason: outcome.reason }, 'message deferred');
    else if (outcome.kind === 'expired') this.log.info({ messageSid }, 'validity period ended before sending');
    else if (outcome.result.kind === 'temporary-failure') this.log.warn({ messageSid, reason: outcome.result.reason, detail: outcome.result.detail }, 'temporary send failure');
    else if (outcome.result.kind === 'accepted') {
      this.log.info({ messageSid, route: outcome.message.route, smscMessageIds: outcome.result.smscMessageIds, detail: outcome.result.detail }, 'message sent');
    } else {
      const { errorCode, errorMessage, detail } = outcome.result;
      this.log.info({ messageSid, route: outcome.message.route, errorCode, errorMessage, detail }, 'message failed');
    }
  }

  private pruneSenderRates(): void {
    const every = Math.max(this.options.pollIntervalMs, Math.min(this.options.leaseMs / 4, 10_000));
    if (Date.now() - this.lastPrune < every) return;
    this.lastPrune = Date.now();
    this.senderRates.prune();
  }

  /** Temporary failures in a row (at least 4, and at least a full in-flight window) mean the SMSC is not answering. */
  private get slowMode(): boolean {
    return this.temporaryStreak >= Math.max(4, this.loop.window.capacity);
  }

  /** Full-rate sending from the next poll, which starts now. */
  private leaveSlowMode(): void {
    this.temporaryStreak = 0;
    this.outageLevel = 0;
    this.loop.wake();
  }

  private configuredGateways(): SmscGateway[] {
    return Object.values(this.options.gateways).filter((g): g is SmscGateway => g !== undefined);
  }

  /** How many messages the rate limit lets us claim now: about one second of sending, less what is waiting. */
  private rateBudget(): number {
    if (this.rate.unlimited) return Number.POSITIVE_INFINITY;
    return Math.max(0, Math.floor(this.rate.available() + this.options.maxRatePerSecond));
  }

  private tokenWaitMs(): number {
    return Math.max(1, Math.ceil(1000 / Math.max(1, this.options.maxRatePerSecond)));
  }

  /** Poll delay during an outage: doubles from the poll interval up to the retry cap. */
  private outageDelay(level: number): number {
    return backoffCeiling({ baseMs: this.options.pollIntervalMs, maxMs: Math.max(this.options.pollIntervalMs, this.options.retry.maxMs) }, level);
  }
}
