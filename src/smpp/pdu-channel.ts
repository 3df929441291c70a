// Request/response bookkeeping over one `smpp` Session, shared by the ESME client and the simulator's server side.
//
// It covers the library's defects (spec §2.2, §2.8): a per-request timeout that also deletes the library's
// callback; every outstanding request rejected the moment the link errors or closes (the library never fails
// them); a framing error destroys the socket (the library would stay stuck with `_busy=true`, e.g. after a peer
// sent "GET / HTTP/1.1"); and exceptions from our handlers never unwind into the library's read loop.
import { SmppConnectionError, SmppTimeoutError } from './errors.js';
import type { SmppLogger } from './logger.js';
import { createPdu, type SmppPdu, type SmppSession } from './smpp-lib.js';

export interface PduChannelOptions {
  requestTimeoutMs: number;
  logger: SmppLogger;
  /** Every request PDU from the peer (responses are matched to our requests instead). */
  onRequest: (pdu: SmppPdu) => void;
}

interface Outstanding {
  timer: NodeJS.Timeout;
  reject: (error: Error) => void;
}

export class PduChannel {
  /** Resolves with the reason once the link is gone (never rejects). */
  readonly closed: Promise<string>;
  private markClosed!: (reason: string) => void;
  private reason: string | null = null;
  private readonly outstanding = new Map<number, Outstanding>();

  constructor(
    readonly session: SmppSession,
    private readonly options: PduChannelOptions,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    session.on('error', (error: Error) => {
      options.logger.warn({ err: error }, 'SMPP link error; destroying the session');
      this.destroy(`error: ${error.message}`);
    });
    session.on('close', () => this.handleClosed('socket closed'));
    session.on('pdu', (pdu: SmppPdu) => {
      try {
        this.dispatch(pdu);
      } catch (error) {
        options.logger.error({ err: error, command: pdu.command }, 'SMPP PDU handler threw');
      }
    });
  }

  get isOpen(): boolean {
    return this.reason === null;
  }

  get closeReason(): string | null {
    return this.reason;
  }

  get outstandingCount(): number {
    return this.outstanding.size;
  }

  /** Sends a request; resolves with the response PDU whatever its command_status. */
  request(command: string, params: Record<string, unknown> = {}, timeoutMs = this.options.requestTimeoutMs): Promise<SmppPdu> {
    return new Promise((resolve, reject) => {
      if (this.reason !== null) {
        reject(new SmppConnectionError({ reason: this.reason, sent: false }));
        return;
      }
      const pdu = createPdu(command, params);
      const onResponse = (response: SmppPdu): void => {
        const entry = this.outstanding.get(response.sequence_number);
        if (!entry) return;
        clearTimeout(entry.timer);
        this.outstanding.delete(response.sequence_number);
        resolve(response);
      };
      const failure = this.write(pdu, onResponse);
      if (failure) return reject(failure);
      const seq = pdu.sequence_number;
      const timer = setTimeout(() => {
        this.outstanding.delete(seq);
        delete this.session._callbacks[seq];
        reject(new SmppTimeoutError(command, timeoutMs));
      }, timeoutMs);
      this.outstanding.set(seq, { timer, reject });
    });
  }

  /** Answers a request. A lost answer is harmless: the peer re-sends what was not acknowledged. */
  respond(request: SmppPdu, params: Record<string, unknown> = {}): void {
    const failure = this.write(request.response(params));
    if (failure) this.options.logger.warn({ err: failure, command: request.command }, 'SMPP response not sent');
  }

  /**
   * Answers the link-management requests both ends of a link treat alike: enquire_link, unbind (answered, then
   * the socket ends) and a command the library could not decode (generic_nack ESME_RINVCMDID). Returns false,
   * having done nothing, for any other request.
   */
  answerLinkRequest(pdu: SmppPdu): boolean {
    switch (pdu.command) {
      case 'enquire_link':
      case 'unknown':
        this.respond(pdu);
        return true;
      case 'unbind':
        this.respond(pdu);
        this.end('peer unbound');
        return true;
      default:
        return false;
    }
  }

  /** Fails everything outstanding and tears the socket down now. */
  destroy(reason: string): void {
    this.handleClosed(reason);
    this.session.destroy();
  }

  /** Ends the socket after pending writes (used after unbind / unbind_resp). */
  end(reason: string): void {
    this.handleClosed(reason);
    this.session.close();
  }

  private write(pdu: SmppPdu, onResponse?: (pdu: SmppPdu) => void): Error | null {
    try {
      if (this.session.send(pdu, onResponse)) return null;
      delete this.session._callbacks[pdu.sequence_number];
      return new SmppConnectionError({ reason: 'socket not writable', sent: false });
    } catch (error) {
      // toBuffer() threw after the library registered our callback; do not leak it.
      if (onResponse) delete this.session._callbacks[pdu.sequence_number];
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  private dispatch(pdu: SmppPdu): void {
    if (!pdu.isResponse()) {
      this.options.logger.debug({ pdu }, 'SMPP request received');
      this.options.onRequest(pdu);
    } else if (!this.outstanding.has(pdu.sequence_number)) {
      this.options.logger.warn({ command: pdu.command, seq: pdu.sequence_number }, 'unexpected or late SMPP response');
    }
  }

  private handleClosed(reason: string): void {
    if (this.reason !== null) return;
    this.reason = reason;
    for (const [seq, entry] of this.outstanding) {
      clearTimeout(entry.timer);
      delete this.session._callbacks[seq];
      entry.reject(new SmppConnectionError({ reason, sent: true }));
    }
    this.outstanding.clear();
    this.markClosed(reason);
  }
}
