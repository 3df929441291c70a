// RFC 3261 §17.1.2 non-INVITE client transaction. The transaction owns only timing: it retransmits the request
// (Timer E), gives up (Timer F) and absorbs late retransmitted responses (Timer K). Sending bytes and matching
// responses to it are the adapter's job.
import type { SipResponse, SipTimers } from './sip-message.js';

export type ClientTransactionState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface ClientTransactionOptions {
  /** True for TCP: no retransmissions and Timer K = 0. */
  reliable: boolean;
  timers: SipTimers;
  /** Passes the request to the transport; called once at start and on every Timer E. */
  transmit: () => void;
  /** The final response, or null when Timer F fired. Called exactly once unless `abort` comes first. */
  onFinal: (response: SipResponse | null) => void;
  /** The transaction is gone; the adapter drops its reference. */
  onTerminated: () => void;
}

export class ClientTransaction {
  private state: ClientTransactionState = 'trying';
  private timerE: NodeJS.Timeout | undefined;
  private timerF: NodeJS.Timeout | undefined;
  private timerK: NodeJS.Timeout | undefined;
  private interval: number;
  /**
   * When the next retransmission is due, on the transaction's own timeline (performance.now()). Each Timer E is
   * set for that instant rather than `interval` after the previous one fired, so timer lateness does not add up
   * over ten retransmissions: the last one (at 63*T1 with the default timers) stays ahead of Timer F (64*T1).
   */
  private nextTransmitAt = 0;

  constructor(private readonly options: ClientTransactionOptions) {
    this.interval = options.timers.t1Ms;
  }

  get currentState(): ClientTransactionState {
    return this.state;
  }

  start(): void {
    this.nextTransmitAt = performance.now();
    this.options.transmit();
    if (!this.options.reliable) this.scheduleE();
    this.timerF = setTimeout(() => this.onTimerF(), 64 * this.options.timers.t1Ms);
  }

  /** A response matched to this transaction by the adapter. */
  receive(response: SipResponse): void {
    if (this.state === 'completed' || this.state === 'terminated') return; // retransmitted final: absorbed
    if (response.status < 200) {
      this.state = 'proceeding';
      return;
    }
    this.state = 'completed';
    this.clearRunningTimers();
    this.options.onFinal(response);
    const timerK = this.options.reliable ? 0 : this.options.timers.t4Ms;
    this.timerK = setTimeout(() => this.terminate(), timerK);
  }

  /** Ends the transaction without reporting anything (adapter stopped, overall deadline passed). */
  abort(): void {
    this.terminate();
  }

  private scheduleE(): void {
    this.nextTransmitAt += this.interval;
    this.timerE = setTimeout(() => this.onTimerE(), Math.max(0, this.nextTransmitAt - performance.now()));
  }

  private onTimerE(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.options.transmit();
    // Trying doubles up to T2; Proceeding retransmits every T2 (§17.1.2.2).
    const t2 = this.options.timers.t2Ms;
    this.interval = this.state === 'trying' ? Math.min(2 * this.interval, t2) : t2;
    this.scheduleE();
  }

  private onTimerF(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.terminate();
    this.options.onFinal(null);
  }

  private clearRunningTimers(): void {
    clearTimeout(this.timerE);
    clearTimeout(this.timerF);
    // Dropped, not only cleared: a completed transaction lives on for Timer K, and so would two dead Timeouts.
    this.timerE = undefined;
    this.timerF = undefined;
  }

  private terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.clearRunningTimers();
    clearTimeout(this.timerK);
    this.options.onTerminated();
  }
}
