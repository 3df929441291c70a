// Builds responses to incoming requests (RFC 3261 §8.2.6): Via, From, To, Call-ID and CSeq copied from the
// request, a To tag added when the request had none, and the top Via stamped with the packet's source.
import { isHeaderName, type SipHeaderList } from '../port.js';
import type { SipResponse } from './sip-message.js';
import { parseNameAddr } from './sip-uri.js';
import { stampTopVia } from './via.js';

const REASONS: Record<number, string> = {
  100: 'Trying',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  603: 'Decline',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 300 ? 'OK' : 'Error');
}

export interface ResponseSpec {
  status: number;
  reason?: string;
  headers?: SipHeaderList;
  /** The tag to put on To when the request's To has none; one per server transaction. */
  toTag: string;
  source: { address: string; port: number };
}

/**
 * Copies the request's routing headers in their original order and spelling. Works on a partial header list too
 * (the 400 for an unparsable request), copying whatever is there.
 */
export function buildResponse(requestHeaders: SipHeaderList, spec: ResponseSpec): Omit<SipResponse, 'kind'> {
  const headers: Array<[string, string]> = [];
  let firstVia = true;
  for (const [name, value] of requestHeaders) {
    if (isHeaderName(name, 'via')) {
      headers.push([name, firstVia ? safeStamp(value, spec.source) : value]);
      firstVia = false;
    } else if (isHeaderName(name, 'to')) {
      headers.push([name, withToTag(value, spec.toTag)]);
    } else if (isHeaderName(name, 'from') || isHeaderName(name, 'call-id') || isHeaderName(name, 'cseq')) {
      headers.push([name, value]);
    }
  }
  for (const [name, value] of spec.headers ?? []) headers.push([name, value]);
  return { status: spec.status, reason: spec.reason ?? reasonPhrase(spec.status), headers, body: Buffer.alloc(0) };
}

function withToTag(value: string, tag: string): string {
  try {
    if (parseNameAddr(value).params.tag !== undefined) return value;
  } catch {
    return value;
  }
  return `${value};tag=${tag}`;
}

function safeStamp(value: string, source: { address: string; port: number }): string {
  try {
    return stampTopVia(value, source);
  } catch {
    return value;
  }
}
