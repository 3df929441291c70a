// The claim loop shared by the outbound dispatcher and the webhook delivery worker: both claim leased rows of a
// table (the claim itself takes over expired leases), run each in memory with a bounded number in flight, and
// hand back what they still hold when they stop. This module owns that skeleton; the owners plug in their
// policies (how much to claim now, what to do with a claim, how to run an item, what to release):
//
//   running ──poll──▶ plan() ─▶ claim(limit) ─▶ run(item) for each ─▶ afterClaim() ─▶ sleep(wait) ──▶ poll …
//      │                  a database error anywhere in a poll: log, back off (doubling), poll again
//      └─stop()──▶ stopping: no more polls ─▶ drain (up to drainMs) ─▶ afterDrain() ─▶ stopped ─▶ release()
//
// A poll never throws out of the loop: a lost connection (store/database-errors.ts) makes the loop back off and
// continue, it never crashes the process. Sleeping ends early at wake() (new work), when enough slots free up
// while the window is full, or when the owner's wakeOnFreedSlot() says a freed slot is worth a poll. Timers are the global ones, so tests drive the loop with a fake clock.
import type { Logger } from 'pino';
import { databaseFailure } from '../store/database-errors.js';
import { backoffCeiling } from './backoff.js';
import { InFlightWindow } from './throttle.js';
import { WakeUp } from './wake-up.js';

/** What plan() decides for one poll: claim up to `claim` items, or claim nothing and poll again after `waitMs`. */
export type ClaimPlan = { claim: number } | { waitMs: number };

export interface ClaimLoopOptions<T> {
  /** Names the loop in its log lines ("outbound dispatcher"). */
  name: string;
  logger: Logger;
  /** Items in flight at once (the in-flight window). */
  capacity: number;
  pollIntervalMs: number;
  /** Longest wait between polls while the database fails (the wait doubles from pollIntervalMs up to this). */
  errorBackoffMaxMs: number;
  /** Free slots that wake a loop sleeping with a full window; default a quarter of the window. */
  wakeOnFreeSlots?: number;
  /** Asked at each freed slot: whether to poll now anyway (e.g. the last claim was full, so more is due). */
  wakeOnFreedSlot?(window: InFlightWindow): boolean;
  /** Before each claim: how many to claim, given the free slots. Default: every free slot. May throw. */
  plan?(window: InFlightWindow): ClaimPlan;
  /** Claims up to `limit` items (the loop holds that many slots during the call and frees the unused ones). */
  claim(limit: number): Promise<T[]>;
  /**
   * After a successful claim: the wait before the next poll. Default: 0 when the claim was full (more is due),
   * else pollIntervalMs.
   */
  afterClaim?(claimed: T[], limit: number): number | undefined;
  /** Runs one claimed item; its slot is freed when the promise settles (a rejection is logged, never thrown). */
  run(item: T, signal: AbortSignal): Promise<void>;
  /** Lease renewal: called every `everyMs` with the items in flight (none: not called). Errors are logged. */
  renew?: { everyMs: number; renew(items: T[]): Promise<unknown> };
  /**
   * When stop() aborts the runs' signal: 'before-drain' (work still waiting in memory gives up at once, work on
   * the wire gets the drain) or 'after-drain' (everything gets the drain; what is left is aborted and awaited,
   * so its runs must end soon after the abort).
   */
  abortOnStop: 'before-drain' | 'after-drain';
  /** After the drain: record what finished (flush outcome buffers). */
  afterDrain?(): Promise<void>;
  /** Hands back the claims still held, once stopped; returns fields for the "stopped" log line. */
  release(): Promise<Record<string, unknown>>;
}

export type ClaimLoopState = 'idle' | 'running' | 'stopping' | 'stopped';

export class ClaimLoop<T> {
  readonly window: InFlightWindow;
  private readonly wakeUp = new WakeUp();
  private readonly abort = new AbortController();
  private readonly log: Logger;
  private readonly running = new Map<T, Promise<void>>();
  private readonly wakeOnFreeSlots: number;
  private currentState: ClaimLoopState = 'idle';
  private loopDone: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private errorLevel = 0;
  private sleepingWithFullWindow = false;

  constructor(private readonly options: ClaimLoopOptions<T>) {
    this.window = new InFlightWindow(Math.max(1, options.capacity));
    this.log = options.logger;
    this.wakeOnFreeSlots = Math.max(1, options.wakeOnFreeSlots ?? Math.floor(this.window.capacity / 4));
  }

  get state(): ClaimLoopState {
    return this.currentState;
  }

  /** The signal handed to every run; aborted by stop() (see abortOnStop). */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Items running now. */
  get inFlight(): number {
    return this.running.size;
  }

  /** Items running now (for lease renewal, stats). */
  items(): T[] {
    return [...this.running.keys()];
  }

  start(): void {
    if (this.currentState !== 'idle') return;
    this.currentState = 'running';
    const renew = this.options.renew;
    if (renew) {
      this.renewTimer = setInterval(() => void this.renewLeases(renew), Math.max(10, renew.everyMs));
      this.renewTimer.unref?.();
    }
    this.loopDone = this.loop();
  }

  /** Poll now (new work was committed, a condition changed). Remembered if the loop is busy polling. */
  wake(): void {
    if (this.currentState === 'running') this.wakeUp.wake();
  }

  /** Stops polling, drains the runs in flight for up to drainMs, then releases the claims still held. Idempotent. */
  stop(drainMs: number): Promise<void> {
    this.stopping ??= this.shutdown(drainMs);
    return this.stopping;
  }

  private async shutdown(drainMs: number): Promise<void> {
    const wasRunning = this.currentState === 'running';
    this.currentState = 'stopping';
    this.wakeUp.wake();
    await this.loopDone;
    const runs = () => Promise.allSettled([...this.running.values()]);
    if (this.options.abortOnStop === 'before-drain') this.abort.abort();
    await Promise.race([runs(), delay(drainMs)]);
    if (this.options.abortOnStop === 'after-drain') {
      this.abort.abort();
      await runs();
    }
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    await this.options.afterDrain?.();
    this.currentState = 'stopped';
    if (!wasRunning) return;
    try {
      const fields = await this.options.release();
      this.log.info(fields, `${this.options.name} stopped`);
    } catch (error) {
      // The database is out of reach: the claims stay, and their leases expire into the next claim anywhere.
      this.log.error({ err: error }, `${this.options.name} stopped; releasing its claims failed, their leases will expire`);
    }
  }

  private async loop(): Promise<void> {
    while (this.currentState === 'running') {
      let waitMs: number;
      try {
        waitMs = await this.poll();
        this.errorLevel = 0;
      } catch (error) {
        waitMs = this.pollFailed(error);
      }
      if (this.currentState !== 'running') break;
      this.sleepingWithFullWindow = this.window.free === 0;
      await this.wakeUp.wait(waitMs);
      this.sleepingWithFullWindow = false;
    }
  }

  /** One poll: claim what the plan allows, start running it. Returns the wait before the next poll. */
  private async poll(): Promise<number> {
    const plan = this.options.plan ? this.options.plan(this.window) : { claim: this.window.free };
    if ('waitMs' in plan) return plan.waitMs;
    const wanted = Math.min(plan.claim, this.window.free);
    if (wanted <= 0) return this.options.pollIntervalMs;
    const granted = this.window.acquire(wanted);
    let claimed: T[] = [];
    try {
      claimed = await this.options.claim(granted);
    } finally {
      // Slots of items the claim did not return are free again; claimed items keep theirs until their run ends.
      this.window.release(granted - claimed.length);
    }
    for (const item of claimed) this.track(item);
    return this.options.afterClaim?.(claimed, granted) ?? (claimed.length >= granted ? 0 : this.options.pollIntervalMs);
  }

  private track(item: T): void {
    let run: Promise<void>;
    try {
      run = this.options.run(item, this.abort.signal);
    } catch (error) {
      run = Promise.reject(error);
    }
    const tracked = run
      .catch((error: unknown) => this.log.error({ err: error }, `${this.options.name}: a run failed unexpectedly`))
      .finally(() => {
        this.running.delete(item);
        this.slotFreed();
      });
    this.running.set(item, tracked);
  }

  private slotFreed(): void {
    this.window.release();
    if (this.currentState !== 'running') return;
    const roomAgain = this.sleepingWithFullWindow && this.window.free >= Math.min(this.wakeOnFreeSlots, this.window.capacity);
    if (!roomAgain && !this.options.wakeOnFreedSlot?.(this.window)) return;
    // Once: the slots freed before the loop resumes must not leave a second wake-up pending (an empty poll).
    this.sleepingWithFullWindow = false;
    this.wakeUp.wake();
  }

  /** A failed poll: the database may be gone for a while, so back off (doubling) instead of spinning or crashing. */
  private pollFailed(error: unknown): number {
    this.errorLevel += 1;
    const waitMs = backoffCeiling({ baseMs: this.options.pollIntervalMs, maxMs: Math.max(this.options.pollIntervalMs, this.options.errorBackoffMaxMs) }, this.errorLevel);
    const failure = databaseFailure(error);
    const fields = { err: error, consecutiveFailures: this.errorLevel, retryInMs: waitMs };
    if (failure) this.log.warn({ ...fields, failure }, `${this.options.name} poll failed: database ${failure}; backing off`);
    else this.log.error(fields, `${this.options.name} poll failed`);
    return waitMs;
  }

  private async renewLeases(renew: NonNullable<ClaimLoopOptions<T>['renew']>): Promise<void> {
    const items = this.items();
    if (items.length === 0) return;
    try {
      await renew.renew(items);
    } catch (error) {
      this.log.warn({ err: error }, `${this.options.name}: renewing leases failed`);
    }
  }
}

/** Resolves after ms without keeping the process alive. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
  });
}
