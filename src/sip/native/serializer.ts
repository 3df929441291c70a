// Serializes SIP messages to Buffers. Content-Length is always computed here from the body's bytes: any
// Content-Length the caller put in the header list is dropped, so the two can never disagree.
import { isHeaderName, type SipHeaderList } from '../port.js';
import type { SipRequest, SipResponse } from './sip-message.js';

export function serializeRequest(request: Omit<SipRequest, 'kind'>): Buffer {
  return serialize(`${request.method} ${request.uri} SIP/2.0`, request.headers, request.body);
}

export function serializeResponse(response: Omit<SipResponse, 'kind'>): Buffer {
  return serialize(`SIP/2.0 ${response.status} ${response.reason}`, response.headers, response.body);
}

function serialize(startLine: string, headers: SipHeaderList, body: Buffer): Buffer {
  const lines = [startLine];
  for (const [name, value] of headers) {
    if (isHeaderName(name, 'content-length')) continue;
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`SIP header ${name} contains a line break`);
    lines.push(`${name}: ${value}`);
  }
  lines.push(`Content-Length: ${body.length}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'utf8'), body]);
}
