// The in-memory shape of a SIP message as the native adapter sees it: a start line, an ordered header list that
// keeps the peer's spelling (compact forms included), and a body that is always raw bytes.
import { isHeaderName, type SipHeaderList } from '../port.js';

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: SipHeaderList;
  body: Buffer;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaderList;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

/** RFC 3261 timer base values; tests shrink them. */
export interface SipTimers {
  t1Ms: number;
  t2Ms: number;
  t4Ms: number;
}

export const DEFAULT_SIP_TIMERS: Readonly<SipTimers> = Object.freeze({ t1Ms: 500, t2Ms: 4000, t4Ms: 5000 });

/**
 * A message that could not be parsed. `headers` holds whatever header lines were recovered before the problem,
 * so that the adapter can still answer 400 when a Via is among them.
 */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
  constructor(
    readonly reason: string,
    readonly isRequest: boolean,
    readonly headers: SipHeaderList,
  ) {
    super(reason);
  }
}

/** All values of a header (case-insensitive, compact forms honoured), in order of appearance. */
export function getHeaderValues(headers: SipHeaderList, name: string): string[] {
  return headers.filter(([key]) => isHeaderName(key, name)).map(([, value]) => value);
}
