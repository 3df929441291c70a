// The SIP messaging port: what the rest of smsc-connect needs from a SIP stack to talk to the SMSC.
// Two adapters implement it: `native` (our own RFC 3261 non-INVITE transaction layer over UDP/TCP) and
// `drachtio` (drachtio-srf talking to a drachtio-server). Both must pass the same contract suite.
//
// The port is deliberately SMS-agnostic: X-SMS-* semantics live in `header-codec.ts`, not in the adapters.

/** A transport/address pair that a SIP stack listens on, e.g. `udp:127.0.0.1:5070`. */
export interface SipListenAddress {
  transport: 'udp' | 'tcp';
  host: string;
  port: number;
}

/** Headers as an ordered list, so that names keep the exact spelling and case we (or the peer) used. */
export type SipHeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** An out-of-dialog MESSAGE (RFC 3428) to send. */
export interface OutgoingSipMessage {
  /** Request-URI, e.g. `sip:447700900123@10.0.0.5:5060;transport=udp`. */
  requestUri: string;
  /** From URI (without tag; the adapter adds one), e.g. `sip:447700900456@10.0.0.9:5070`. */
  from: string;
  /** To URI, e.g. `sip:447700900123@10.0.0.5:5060`. */
  to: string;
  /** Extra headers, sent exactly as spelled (X-SMS-CODING, X-REG-DELIVERY, ...). */
  headers: SipHeaderList;
  /** Content-Type of the body, e.g. `text/plain;charset=UTF-8`. */
  contentType: string;
  /** Body bytes; Content-Length is computed from these bytes. */
  body: Buffer;
}

export interface SendOptions {
  /** Overall deadline in ms. The adapter resolves with a synthetic 408 when the transaction times out. */
  timeoutMs?: number;
}

/** The final response to a request we sent. A locally generated timeout is `{ status: 408, local: true }`. */
export interface SipFinalResponse {
  status: number;
  reason: string;
  headers: SipHeaderList;
  /** True when no response came from the network (Timer F, adapter timeout, transport failure mid-flight). */
  local: boolean;
}

/** A MESSAGE received from the network. */
export interface IncomingSipMessage {
  method: string;
  requestUri: string;
  /** From/To header values as received (full header value, may include display name and params). */
  from: string;
  to: string;
  /** The user part of the From/To URIs (e.g. `447700900123`), or '' when absent. */
  fromUser: string;
  toUser: string;
  callId: string;
  cseq: string;
  /** All headers as received, names as spelled by the peer. Look them up with `getHeader` (case-insensitive). */
  headers: SipHeaderList;
  body: Buffer;
  source: { transport: 'udp' | 'tcp'; address: string; port: number };
}

/** What the application answers to an incoming request. */
export interface SipReply {
  status: number;
  reason?: string;
  headers?: SipHeaderList;
}

export type IncomingMessageHandler = (message: IncomingSipMessage) => Promise<SipReply>;

/** The port. `start` opens listeners/connections; `stop` closes them and fails pending requests locally. */
export interface SipPort {
  readonly name: 'native' | 'drachtio';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True while the transport can send and receive. */
  isReady(): boolean;
  /**
   * Send a request outside any dialog (MESSAGE, or OPTIONS for the reachability probe).
   * Resolves on any final response, including a locally generated 408; rejects only when the request could not
   * be sent at all (not started, not connected, invalid URI).
   */
  request(method: 'MESSAGE' | 'OPTIONS', message: OutgoingSipMessage, options?: SendOptions): Promise<SipFinalResponse>;
  /**
   * Register the single handler for incoming MESSAGE requests. The adapter sends the reply the handler returns;
   * when the handler throws, it answers 500. Retransmissions of a request already answered are absorbed by the
   * adapter and never reach the handler twice.
   */
  onMessage(handler: IncomingMessageHandler): void;
}

/** Case-insensitive header lookup, honouring RFC 3261 compact forms (f, t, i, l, c, v, m). */
export function getHeader(headers: SipHeaderList, name: string): string | undefined {
  for (const [key, value] of headers) if (isHeaderName(key, name)) return value;
  return undefined;
}

/** True when `key` (as spelled on the wire) names the header `name` in long or compact form, in any case. */
export function isHeaderName(key: string, name: string): boolean {
  // Every message is looked up a dozen times, header by header: compared without lowercasing, which allocated two
  // strings per header per lookup. Header names are ASCII tokens, so case does not change their length.
  if (key.length === name.length) return key === name || sameIgnoringAsciiCase(key, name);
  return key.length === 1 && COMPACT_FORMS[name.toLowerCase()] === key.toLowerCase();
}

function sameIgnoringAsciiCase(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x > 127 || y > 127) return a.toLowerCase() === b.toLowerCase(); // not a token: compare as before
    if ((x >= 65 && x <= 90 ? x + 32 : x) !== (y >= 65 && y <= 90 ? y + 32 : y)) return false;
  }
  return true;
}

const COMPACT_FORMS: Record<string, string> = {
  from: 'f',
  to: 't',
  'call-id': 'i',
  'content-length': 'l',
  'content-type': 'c',
  via: 'v',
  contact: 'm',
};
