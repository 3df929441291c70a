// RFC 3261 §17.2.2 non-INVITE server transaction: it remembers the last response it sent so that request
// retransmissions are answered from memory (Timer J) instead of reaching the application again.
import type { SipTimers } from './sip-message.js';

export type ServerTransactionState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface ServerTransactionOptions {
  /** True for TCP: Timer J = 0. */
  reliable: boolean;
  timers: SipTimers;
  /** Sends serialized response bytes back towards the request's source. */
  send: (response: Buffer) => void;
  onTerminated: () => void;
}

export class ServerTransaction {
  private state: ServerTransactionState = 'trying';
  private lastResponse: Buffer | undefined;
  private timerJ: NodeJS.Timeout | undefined;

  constructor(private readonly options: ServerTransactionOptions) {}

  get currentState(): ServerTransactionState {
    return this.state;
  }

  /**
   * A retransmission of the request. In Trying it is discarded (§17.2.2): the application is still working on
   * the original; later states re-send the last response.
   */
  receiveRetransmission(): void {
    if (this.state === 'proceeding' || this.state === 'completed') this.options.send(this.lastResponse!);
  }

  /** Sends a response; a final one moves to Completed and starts Timer J. Ignored once completed. */
  respond(status: number, response: Buffer): void {
    if (this.state === 'completed' || this.state === 'terminated') return;
    this.lastResponse = response;
    this.options.send(response);
    if (status < 200) {
      this.state = 'proceeding';
      return;
    }
    this.state = 'completed';
    const timerJ = this.options.reliable ? 0 : 64 * this.options.timers.t1Ms;
    this.timerJ = setTimeout(() => this.terminate(), timerJ);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    clearTimeout(this.timerJ);
    this.options.onTerminated();
  }
}
