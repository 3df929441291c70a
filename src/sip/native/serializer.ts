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
  const head = lines.join('\r\n');
  // Memory of its own rather than Buffer.concat's: a small Buffer is a slice of Node's shared 8 KB pool, and a
  // message kept for a while (a response for Timer J, a request until its final answer) would keep the whole
  // slab, and everything else allocated in it, alive.
  const headLength = Buffer.byteLength(head, 'utf8');
  const bytes = Buffer.allocUnsafeSlow(headLength + body.length);
  bytes.write(head, 0, 'utf8');
  body.copy(bytes, headLength);
  return bytes;
}
