// Turns an OutgoingSipMessage into a request on the wire: target resolution from the Request-URI
// (RFC 3263 reduced to "host, port, ;transport="), and the mandatory headers of RFC 3261 §8.1.1.
import type { OutgoingSipMessage, SipListenAddress } from '../port.js';
import { newCallId, newTag } from './identifiers.js';
import type { SipRequest } from './sip-message.js';
import { formatHost, parseSipUri } from './sip-uri.js';

export interface OutboundTarget {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
}

/** Where a Request-URI points. Throws for URIs we cannot route (non-SIP schemes, sips:, unknown transports). */
export function resolveTarget(requestUri: string): OutboundTarget {
  const uri = parseSipUri(requestUri);
  if (uri.scheme !== 'sip') throw new Error(`Unsupported URI scheme in ${requestUri}; only sip: is supported`);
  const transport = (uri.params.transport ?? 'udp').toLowerCase();
  if (transport !== 'udp' && transport !== 'tcp') throw new Error(`Unsupported transport "${transport}" in ${requestUri}`);
  return { transport, address: uri.host, port: uri.port ?? 5060 };
}

export function buildOutboundRequest(options: {
  method: string;
  message: OutgoingSipMessage;
  local: SipListenAddress;
  branch: string;
}): Omit<SipRequest, 'kind'> {
  const { method, message, local, branch } = options;
  // Validated here so a bad From/To is a rejected request() rather than a malformed message on the wire.
  parseSipUri(message.from);
  parseSipUri(message.to);
  const host = formatHost(local.host);
  const headers: Array<[string, string]> = [
    ['Via', `SIP/2.0/${local.transport.toUpperCase()} ${host}:${local.port};branch=${branch};rport`],
    ['Max-Forwards', '70'],
    ['From', `<${message.from}>;tag=${newTag()}`],
    ['To', `<${message.to}>`],
    ['Call-ID', newCallId(host)],
    ['CSeq', `1 ${method}`],
    ...message.headers.map(([name, value]): [string, string] => [name, value]),
  ];
  if (message.contentType !== '') headers.push(['Content-Type', message.contentType]);
  return { method, uri: message.requestUri, headers, body: message.body };
}
