import type { HttpExchange } from './http-transport.js';
import { ABORTED, timedOut, type WebhookFailure } from './webhook-failure.js';

/**
 * What may stop one callWebhook early: its timeout (one timer for the whole call, redirects and body included)
 * and the caller's AbortSignal (shutdown). Either one aborts the exchange in flight and records why, so the
 * failure is reported as 11200 with that reason whatever error the socket then produced.
 *
 * Per call this is one timer and one Set entry. AbortSignal.timeout + AbortSignal.any per call, as before, cost
 * several objects, weak references and an event listener on the long-lived shutdown signal each time.
 */
export class CallDeadline {
  /** Why the call was stopped; null while it may go on. */
  failure: WebhookFailure | null = null;
  private exchange: HttpExchange | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly signal: AbortSignal | undefined;

  constructor(timeoutMs: number, signal?: AbortSignal) {
    this.signal = signal;
    this.timer = setTimeout(onTimeout, timeoutMs, this, timeoutMs);
    // Like AbortSignal.timeout: a pending webhook call does not keep the process alive on its own.
    this.timer.unref();
    if (signal !== undefined) {
      if (signal.aborted) this.failure = ABORTED;
      else watch(signal, this);
    }
  }

  /** The exchange now in flight: the one to abort if the call is stopped (at once if it already was). */
  track(exchange: HttpExchange | null): void {
    this.exchange = exchange;
    if (exchange !== null && this.failure !== null) exchange.abort();
  }

  stop(failure: WebhookFailure): void {
    if (this.failure !== null) return;
    this.failure = failure;
    this.exchange?.abort();
  }

  /** The call is over: the timer and the signal let go of it. */
  dispose(): void {
    clearTimeout(this.timer);
    this.exchange = null;
    if (this.signal !== undefined) watching.get(this.signal)?.delete(this);
  }
}

function onTimeout(deadline: CallDeadline, timeoutMs: number): void {
  deadline.stop(timedOut(timeoutMs));
}

// One 'abort' listener per signal, however many calls share it (the delivery worker passes one signal to all of
// its calls): adding and removing a listener per call costs a walk of the listener list each time.
const watching = new WeakMap<AbortSignal, Set<CallDeadline>>();

function watch(signal: AbortSignal, deadline: CallDeadline): void {
  let calls = watching.get(signal);
  if (calls === undefined) {
    const watched = new Set<CallDeadline>();
    signal.addEventListener('abort', () => {
      for (const call of watched) call.stop(ABORTED);
    }, { once: true });
    watching.set(signal, watched);
    calls = watched;
  }
  calls.add(deadline);
}
