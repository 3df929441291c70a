// Reads SIP messages off one TCP connection under the stack's limits: messages are framed (and handed up in
// order, including those framed before a fault), a message must be complete within the incomplete-request
// timeout, and a connection silent for the idle timeout is closed. Bytes only; what to answer is the owner's.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { SipLimits } from './limits.js';
import { StreamFramer, type SipFramingError } from './stream-framer.js';

/** How long a connection closed with a last response keeps reading (and dropping) what the peer still sends. */
const LINGER_MS = 2_000;

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
  const close = (lastResponse?: Buffer): void => {
    if (closing) return;
    closing = true;
    stopIncompleteTimer();
    if (!lastResponse) {
      socket.destroy();
      return;
    }
    // A lingering close: the response goes out with our FIN, and what the peer is still sending is read and
    // dropped for a moment, since closing with unread data would reset the connection and could discard the
    // response before the peer reads it.
    socket.end(lastResponse);
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    linger.unref();
    socket.once('close', () => clearTimeout(linger));
  };
  const closeByTimeout = (closure: StreamClosure): void => {
    if (closing) return;
    options.onClosedByTimeout?.(closure);
    const level = closure === 'idle-timeout' ? 'debug' : 'warn';
    logger[level]({ peer, closure }, closure === 'idle-timeout' ? 'Idle SIP TCP connection closed' : 'SIP TCP message incomplete too long; closing the connection');
    close();
  };

  socket.setTimeout(limits.tcpIdleTimeoutMs);
  socket.on('timeout', () => (closing ? socket.destroy() : closeByTimeout('idle-timeout')));
  socket.on('data', (chunk: Buffer) => {
    if (closing) return;
    const { messages, error } = framer.push(chunk);
    for (const message of messages) options.onMessage(message);
    if (error) {
      logger.warn({ peer, reason: error.reason }, 'SIP TCP stream cannot be framed; closing the connection');
      close(options.onFramingError?.(error));
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
