// A MESSAGE exactly as the Restcomm SMSC builds it when it sends (smsc-sip-interface.md §5.1, RxSipServerSbb):
// Request-URI and To `sip:<dest>@<peer host>:<port>` (no tag, no URI parameters), From
// `sip:<source>@<SMSC listening IP>:<port>` WITHOUT a tag, a fresh Call-ID, `CSeq: 2 MESSAGE` always,
// Max-Forwards 70, `Content-Type: text/plain` with no charset, then the X- headers in the SMSC's order.
// No Contact, Route or Date. Pure.
import type { SipHeaderList, SipListenAddress } from '../sip/port.js';
import type { SipRequest } from '../sip/native/sip-message.js';
import { formatHost, parseSipUri } from '../sip/native/sip-uri.js';

export interface ServiceTarget {
  transport: 'udp' | 'tcp';
  host: string;
  port: number;
}

export interface SmscRequestInput {
  /** Request-URI/To user: the SMS destination. */
  destinationUser: string;
  /** From user: the SMS originator. */
  sourceUser: string;
  service: ServiceTarget;
  /** The SMSC listening point the request leaves from (Via and From host). */
  local: SipListenAddress;
  /** X- headers in wire order (X-SMSC-ID, X-SMS-CODING, X-DELIVERY_TIME, X-SMS-VALIDITY, X-SMS-UDH). */
  xHeaders: SipHeaderList;
  body: Buffer;
  branch: string;
  callId: string;
}

/** Where MO and receipts go: `sip:host:port;transport=udp|tcp` (UDP when the parameter is absent). */
export function parseServiceUri(uri: string): ServiceTarget {
  const parsed = parseSipUri(uri);
  if (parsed.scheme !== 'sip') throw new Error(`Service URI must be a sip: URI, got ${uri}`);
  const transport = (parsed.params.transport ?? 'udp').toLowerCase();
  if (transport !== 'udp' && transport !== 'tcp') throw new Error(`Unsupported transport "${transport}" in ${uri}`);
  return { transport, host: parsed.host, port: parsed.port ?? 5060 };
}

export function buildSmscRequest(input: SmscRequestInput): Omit<SipRequest, 'kind'> {
  const { service, local } = input;
  const target = `sip:${escapeUser(input.destinationUser)}@${formatHost(service.host)}:${service.port}`;
  const localHost = formatHost(local.host);
  const headers: Array<[string, string]> = [
    ['Via', `SIP/2.0/${local.transport.toUpperCase()} ${localHost}:${local.port};branch=${input.branch}`],
    ['From', `<sip:${escapeUser(input.sourceUser)}@${localHost}:${local.port}>`],
    ['To', `<${target}>`],
    ['Call-ID', input.callId],
    ['CSeq', '2 MESSAGE'],
    ['Max-Forwards', '70'],
    ['Content-Type', 'text/plain'],
    ...input.xHeaders.map(([name, value]): [string, string] => [name, value]),
  ];
  return { method: 'MESSAGE', uri: target, headers, body: input.body };
}

/** Percent-encodes what a SIP user part cannot carry (RFC 3261 §25.1), e.g. the space in an alphanumeric "My Shop". */
const PLAIN_USER = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/]*$/;

function escapeUser(user: string): string {
  if (PLAIN_USER.test(user)) return user;
  return Array.from(Buffer.from(user, 'utf8'))
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}
