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
 * The largest MESSAGE the SMSC can send is one SMPP `message_payload` MO in a single request
 * (smsc-sip-interface.md §4.4, §5.4): 33,660 octets of payload, which as a UTF-8 body is at most about 77 KB
 * (38,468 GSM septets of two-byte characters). 128 KiB holds that with its headers and is still small enough
 * that the connection caps bound what slow peers can make us buffer (256 × 128 KiB = 32 MiB).
 */
export const DEFAULT_SIP_LIMITS: Readonly<SipLimits> = Object.freeze({
  maxMessageBytes: 131_072,
  tcpIdleTimeoutMs: 120_000,
  tcpIncompleteTimeoutMs: 10_000,
  tcpMaxConnections: 256,
  tcpMaxConnectionsPerSource: 32,
});

/**
 * The header section alone, whatever `maxMessageBytes` allows (and never more than it). An SMSC's headers are
 * under 1 KB; a section of 16 KiB is either broken or an attack, and nothing in it is worth answering.
 */
export const MAX_HEADER_BYTES = 16_384;

/** The header-section cap that applies under `maxMessageBytes`. */
export function headerLimit(maxMessageBytes: number): number {
  return Math.min(maxMessageBytes, MAX_HEADER_BYTES);
}
