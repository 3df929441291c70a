// The native adapter's counters for traffic that never became a transaction, and for connections it closed.
import type { ConnectionRefusal } from './connection-guard.js';
import type { StreamClosure } from './tcp-stream.js';

/** A TCP connection closed on accept or by a timeout. */
export type ConnectionEvent = ConnectionRefusal | StreamClosure;

/** Counters for traffic that never became a transaction; "never fail silently". */
export interface NativeSipStats {
  /** Unparsable datagrams/messages dropped because no Via could be recovered. */
  dropped: number;
  /** Unparsable requests answered 400. */
  badRequests: number;
  /** Responses that matched no client transaction. */
  strayResponses: number;
  /** Unparsable or oversized messages from sources outside the allow-list, dropped without an answer. */
  refused: number;
  /** Messages over `maxMessageBytes`: answered 413 when their headers fit (and the source is allowed), else dropped. */
  oversized: number;
  /** TCP connections closed on accept because their source is outside the allow-list. */
  tcpRefusedSources: number;
  /** TCP connections closed on accept because of the total or per-source cap. */
  tcpOverLimit: number;
  /** TCP connections closed because a message stayed incomplete for `tcpIncompleteTimeoutMs`. */
  tcpIncomplete: number;
  /** TCP connections closed after `tcpIdleTimeoutMs` without traffic. */
  tcpIdle: number;
  /** TCP streams closed for a Content-Length that cannot be trusted (answered 400 when possible). */
  tcpFramingErrors: number;
}

export function emptyStats(): NativeSipStats {
  return {
    dropped: 0, badRequests: 0, strayResponses: 0, refused: 0, oversized: 0,
    tcpRefusedSources: 0, tcpOverLimit: 0, tcpIncomplete: 0, tcpIdle: 0, tcpFramingErrors: 0,
  };
}

const CONNECTION_COUNTERS = {
  'source-not-allowed': 'tcpRefusedSources',
  'connection-limit': 'tcpOverLimit',
  'incomplete-timeout': 'tcpIncomplete',
  'idle-timeout': 'tcpIdle',
} as const satisfies Record<ConnectionEvent, keyof NativeSipStats>;

export function countConnectionEvent(counters: NativeSipStats, event: ConnectionEvent): void {
  counters[CONNECTION_COUNTERS[event]] += 1;
}
