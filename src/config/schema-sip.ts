// SIP bridge variables: the stack that speaks SIP MESSAGE to the SMSC, where it listens, whom it trusts, its timers.
import Type from 'typebox';

export const sipSchema = {
  SIP_STACK: Type.Enum(['native', 'drachtio'], {
    default: 'native',
    description:
      'SIP implementation: `native` (built in, UDP and TCP) or `drachtio` (a drachtio-server reached at `DRACHTIO_URL`).',
  }),
  SIP_LISTEN: Type.String({
    default: 'udp:127.0.0.1:5070,tcp:127.0.0.1:5070',
    description:
      'Comma-separated `transport:host:port` addresses the native stack listens on; transport is `udp` or `tcp`, ' +
      'an IPv6 host goes in brackets (`udp:[::1]:5070`).',
  }),
  SMSC_URI: Type.String({
    default: 'sip:127.0.0.1:5060;transport=udp',
    description: 'SIP URI of the SMSC, where MESSAGE requests are sent: `sip:host[:port][;transport=udp|tcp]`.',
  }),
  SIP_ALLOWED_SOURCES: Type.Optional(
    Type.String({
      'x-default': "the SMSC's address from `SMSC_URI`",
      description:
        'Comma-separated IPv4/IPv6 addresses or CIDR blocks allowed to send us SIP requests; others are refused. ' +
        'Must be set when `SMSC_URI` names the SMSC by DNS name.',
    }),
  ),
  DRACHTIO_URL: Type.Optional(
    Type.String({
      'x-secret': true,
      description:
        'drachtio-server control address for `SIP_STACK=drachtio`: `drachtio://secret@host[:port]` (port 9022 by ' +
        'default) or `tcp://host:port` with `DRACHTIO_SECRET`.',
    }),
  ),
  DRACHTIO_SECRET: Type.Optional(
    Type.String({
      'x-secret': true,
      minLength: 1,
      description: 'Shared secret of the drachtio-server, when it is not in the user part of `DRACHTIO_URL`.',
    }),
  ),
  SIP_T1_MS: Type.Integer({
    minimum: 1,
    maximum: 60_000,
    default: 500,
    description: 'RFC 3261 T1 (round-trip estimate, ms): first UDP retransmission; transactions time out after 64×T1.',
  }),
  SIP_T2_MS: Type.Integer({
    minimum: 1,
    maximum: 600_000,
    default: 4000,
    description: 'RFC 3261 T2 (ms): the cap on the UDP retransmission interval. Must be at least `SIP_T1_MS`.',
  }),
  SIP_T4_MS: Type.Integer({
    minimum: 0,
    maximum: 600_000,
    default: 5000,
    description: 'RFC 3261 T4 (ms): how long a completed UDP transaction keeps absorbing retransmissions.',
  }),
  SIP_MAX_MESSAGE_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 1_048_576,
    default: 131_072,
    description:
      'Largest SIP message (start line, headers and body) the native stack reads, over UDP or TCP; the header ' +
      'section alone is capped at 16 KiB. A larger request from an allowed source is answered 413 when its ' +
      'headers fit, otherwise dropped (UDP) or its connection closed (TCP). The default holds the SMSC\'s ' +
      'longest MESSAGE (a 33,660-octet message_payload MO, up to about 77 KB as UTF-8).',
  }),
  SIP_TCP_IDLE_TIMEOUT_MS: Type.Integer({
    minimum: 1000,
    maximum: 86_400_000,
    default: 120_000,
    description: 'A SIP TCP connection with no traffic either way for this long is closed (the peer reconnects).',
  }),
  SIP_TCP_INCOMPLETE_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 10_000,
    description:
      'A SIP message started on a TCP connection must arrive whole within this long (from its first byte), or ' +
      'the connection is closed: a peer cannot hold a half-sent message in our memory.',
  }),
  SIP_TCP_MAX_CONNECTIONS: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    default: 256,
    description: 'Inbound SIP TCP connections open at once, from all sources; more are closed on accept.',
  }),
  SIP_TCP_MAX_CONNECTIONS_PER_SOURCE: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    default: 32,
    description:
      'Inbound SIP TCP connections open at once from one source address; more are closed on accept. Connections ' +
      'from outside `SIP_ALLOWED_SOURCES` are closed on accept whatever the count, before anything is read.',
  }),
  SIP_INBOUND_MAX_IN_FLIGHT: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: 5000,
    description:
      'Inbound MESSAGEs (SMS and receipts) being stored at once. Beyond it a MESSAGE is answered 480, which the ' +
      'SMSC retries later, so a stalled database cannot make waiting requests fill the memory.',
  }),
  SIP_UNKNOWN_NUMBER_STATUS: Type.Integer({
    minimum: 500,
    maximum: 699,
    default: 604,
    description:
      'Final status answered to a MESSAGE for a number we do not host. A 5xx/6xx makes the SMSC give up; a 404 ' +
      'would make it retry for up to 72 hours.',
  }),
};
