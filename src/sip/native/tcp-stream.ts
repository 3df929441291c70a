// Reads SIP messages off one TCP connection under the stack's limits: messages are framed (and handed up in
// order, including those framed before a fault), a message must be complete within the incomplete-request
// timeout, and a connection silent for the idle timeout is closed. Bytes only; what to answer is the owner's.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { SipLimits } from './limits.js';
import { StreamFramer, type SipFramingError } from './stream-framer.js';

/**
 * How long a stream that cannot be framed stays open for writing before we close it: the messages framed before
 * the fault are being handled, and their responses must go out on this connection (RFC 3261 §18.2.2), not after
 * the error's. Then as long again half-closed, for those responses to drain before the reset.
 */
const DRAIN_MS = 2_000;

export type StreamClosure = 'incomplete-timeout' | 'idle-timeout';

export interface TcpStreamOptions {
  socket: Socket;
  /** `address:port`, for logs. */
  peer: string;
  limits: Pick<SipLimits, 'maxMessageBytes' | 'tcpIdleTimeoutMs' | 'tcpIncompleteTimeoutMs'>;
  logger: Logger;
  onMessage: (message: Buffer) => void;
  /** The stream cannot be framed any further: returns a last response to send before closing, if any. */
  onFramingError?: (error: SipFramingError) => Buffer | undefined;
  onClosedByTimeout?: (closure: StreamClosure) => void;
}

export function readTcpStream(options: TcpStreamOptions): void {
  const { socket, peer, limits, logger } = options;
  const framer = new StreamFramer(limits.maxMessageBytes);
  let incompleteTimer: NodeJS.Timeout | undefined;
  let closing = false;

  const stopIncompleteTimer = (): void => {
    clearTimeout(incompleteTimer);
    incompleteTimer = undefined;
  };
  const stopReading = (): void => {
    closing = true;
    stopIncompleteTimer();
  };
  /**
   * Nothing more is framed; what the peer still sends is read and dropped (so it never fills our memory, and a
   * close with unread data does not reset the connection before the peer has read our responses).
   */
  const drain = (lastResponse: Buffer | undefined): void => {
    stopReading();
    if (lastResponse) socket.write(lastResponse);
    const halfClose = setTimeout(() => {
      socket.end();
      setTimeout(() => socket.destroy(), DRAIN_MS).unref();
    }, DRAIN_MS);
    halfClose.unref();
    socket.once('close', () => clearTimeout(halfClose));
  };
  const closeByTimeout = (closure: StreamClosure): void => {
    if (closing) return;
    options.onClosedByTimeout?.(closure);
    const level = closure === 'idle-timeout' ? 'debug' : 'warn';
    logger[level]({ peer, closure }, closure === 'idle-timeout' ? 'Idle SIP TCP connection closed' : 'SIP TCP message incomplete too long; closing the connection');
    stopReading();
    socket.destroy();
  };

  socket.setTimeout(limits.tcpIdleTimeoutMs);
  socket.on('timeout', () => (closing ? socket.destroy() : closeByTimeout('idle-timeout')));
  socket.on('data', (chunk: Buffer) => {
    if (closing) return;
    const { messages, error } = framer.push(chunk);
    for (const message of messages) options.onMessage(message);
    if (error) {
      logger.warn({ peer, reason: error.reason }, 'SIP TCP stream cannot be framed; closing the connection');
      drain(options.onFramingError?.(error));
      return;
    }
    if (!framer.hasPartialMessage()) stopIncompleteTimer();
    else if (!incompleteTimer || messages.length > 0) {
      // Started at a message's first byte and never pushed back by later bytes, so a peer trickling a byte at a
      // time cannot hold its buffer for longer than the timeout.
      stopIncompleteTimer();
      incompleteTimer = setTimeout(() => closeByTimeout('incomplete-timeout'), limits.tcpIncompleteTimeoutMs);
    }
  });
  socket.on('close', stopIncompleteTimer);
}
