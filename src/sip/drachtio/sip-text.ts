// Conversions between the port's shapes and what drachtio-srf carries: header objects, raw SIP text and
// string bodies. Pure functions, no I/O.
import type { OutgoingSipMessage, SipHeaderList } from '../port.js';
import { SipTransportError } from './sip-transport-error.js';

/** Headers the adapter sets itself; a caller's copy of them is ignored so the request stays well-formed. */
const RESERVED_HEADERS = new Set(['from', 'to', 'call-id', 'cseq', 'via', 'content-length', 'content-type', 'max-forwards']);

/**
 * Build the header object drachtio-srf serialises for an outgoing request. drachtio-srf keeps header names as
 * given when it builds a request from an options object, so `X-SMS-CODING` goes out with exactly that spelling.
 * A header name given twice is folded into one comma-separated value (the object cannot hold duplicates).
 */
export function toDrachtioHeaders(message: OutgoingSipMessage): Record<string, string> {
  const headers: Record<string, string> = {
    From: `<${message.from}>`,
    To: `<${message.to}>`,
    'Content-Type': message.contentType,
  };
  for (const [name, value] of message.headers) {
    if (RESERVED_HEADERS.has(name.toLowerCase())) continue;
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return headers;
}

/** The reply headers for `res.send`: same folding rule as above. */
export function headerListToObject(headers: SipHeaderList): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of headers) {
    result[name] = name in result ? `${result[name]},${value}` : value;
  }
  return result;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * drachtio frames are UTF-8 text and drachtio-server answers 400 to a body holding NUL (spec D9); invalid
 * UTF-8 would arrive mangled with U+FFFD. Refuse both here, before anything is sent.
 */
export function bodyToText(body: Buffer): string {
  if (body.includes(0)) {
    throw new SipTransportError('BODY_NOT_TEXT', 'body contains a NUL byte, which cannot travel over drachtio');
  }
  try {
    return strictUtf8.decode(body);
  } catch (cause) {
    throw new SipTransportError('BODY_NOT_TEXT', 'body is not valid UTF-8, which cannot travel over drachtio', { cause });
  }
}

/** The header fields of raw SIP text, in order and spelled as on the wire; folded lines are unfolded. */
export function parseHeaderSection(raw: string): SipHeaderList {
  const end = raw.indexOf('\r\n\r\n');
  const lines = (end === -1 ? raw : raw.slice(0, end)).split('\r\n').slice(1);
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    const last = headers[headers.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return headers;
}

/** The user part of the first SIP/SIPS/tel URI in a header value, or '' when there is none. */
export function uriUser(headerValue: string): string {
  const sip = /sips?:([^@;>\s]+)@/i.exec(headerValue);
  if (sip?.[1] !== undefined) return safeDecode(sip[1]);
  const tel = /tel:([^;>\s]+)/i.exec(headerValue);
  return tel?.[1] ?? '';
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a stray '%' is kept verbatim rather than losing the whole user part
  }
}
