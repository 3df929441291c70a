// Resource limits of the native stack: what one peer may make us hold in memory, and for how long. The defaults
// are the SIP_MAX_MESSAGE_BYTES and SIP_TCP_* defaults in src/config/schema-sip.ts (a test keeps them equal).

export interface SipLimits {
  /** Largest message (start line, headers and body) accepted over UDP or TCP; larger ones get 413 or a close. */
  maxMessageBytes: number;
  /** A TCP connection with no traffic either way for this long is closed. */
  tcpIdleTimeoutMs: number;
  /** A message started on a TCP connection must be complete within this long, or the connection is closed. */
  tcpIncompleteTimeoutMs: number;
  /** Inbound TCP connections open at once, all sources together; more are closed on accept. */
  tcpMaxConnections: number;
  /** Inbound TCP connections open at once from one source address; more are closed on accept. */
  tcpMaxConnectionsPerSource: number;
}

/**
 * 16 KiB is twenty times the largest MESSAGE an SMSC sends (about 800 bytes: one segment's headers and a
 * 140-octet body as UTF-8 or hex) and far below what 300 slow connections could make us buffer.
 */
export const DEFAULT_SIP_LIMITS: Readonly<SipLimits> = Object.freeze({
  maxMessageBytes: 16_384,
  tcpIdleTimeoutMs: 120_000,
  tcpIncompleteTimeoutMs: 10_000,
  tcpMaxConnections: 256,
  tcpMaxConnectionsPerSource: 32,
});
