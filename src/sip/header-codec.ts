// The SMSC's SIP MESSAGE dialect (smsc-sip-interface.md §4–§6), and the only module that knows it: SMS fields
// to X-SMS-* headers and back. Pure; both SIP adapters carry what this produces without interpreting it.
import { decodeGsm7 } from '../encoding/gsm7.js';
import { getHeader, type IncomingSipMessage, type OutgoingSipMessage } from './port.js';
import { formatHost, parseSipUri } from './native/sip-uri.js';

export type SmsCoding = 0 | 1 | 2;

/** An inbound MESSAGE whose X-SMS-* headers or body cannot be understood; the caller answers 400. */
export class SipDecodeError extends Error {
  override readonly name = 'SipDecodeError';
  constructor(
    readonly header: string,
    readonly reason: string,
  ) {
    super(`${header}: ${reason}`);
  }
}

/** The codec's input: one message in the SMSC's terms (messaging's `OutboundSms` plus where and how to send it). */
export interface SipOutboundSms {
  /** E.164 (`+447700900123`) or bare digits; the `+` is removed because the SMSC rejects it (§9.1). */
  to: string;
  /** E.164, digits, or an alphanumeric sender (at most 11 characters survive at the SMSC). */
  from: string;
  /** Text for codings 0 and 2; for coding 1 a binary string, one character U+0000–U+00FF per octet. */
  body: string;
  coding: SmsCoding;
  udhHex?: string | null;
  validUntil?: Date | null;
  /** X-SMS-VALIDITY is parsed with a broken pattern by the SMSC (§8), so sending it is opt-in. */
  sendValidity: boolean;
  messageClass?: number | null;
  requestReceipt: boolean;
  /** Validated pass-through X- headers (sip/x-headers.ts), written after the SMSC's own. */
  extraHeaders?: Readonly<Record<string, string>> | null;
  /** Where the SMSC listens, e.g. `sip:10.0.0.5:5060;transport=udp`. */
  smscUri: string;
  /** Our host:port for the From URI. */
  localHostPort: string;
}

export function encodeOutboundSms(sms: SipOutboundSms): OutgoingSipMessage {
  const smsc = parseSipUri(sms.smscUri);
  const smscHostPort = `${formatHost(smsc.host)}${smsc.port === undefined ? '' : `:${smsc.port}`}`;
  const to = sms.to.replace(/^\+/, '');
  if (!/^[0-9*#abc]{1,20}$/.test(to)) throw new Error(`Destination "${sms.to}" is not 1-20 digits`);
  const from = /^\+\d+$/.test(sms.from) ? sms.from.slice(1) : sms.from;
  if (from === '') throw new Error('Sender is empty');
  const transport = smsc.params.transport === undefined ? '' : `;transport=${smsc.params.transport}`;
  return {
    requestUri: `sip:${to}@${smscHostPort}${transport}`,
    to: `sip:${to}@${smscHostPort}`,
    from: `sip:${escapeUser(from)}@${sms.localHostPort}`,
    headers: outboundHeaders(sms),
    contentType: 'text/plain;charset=UTF-8',
    body: encodeBody(sms.body, sms.coding),
  };
}

function outboundHeaders(sms: SipOutboundSms): Array<[string, string]> {
  const headers: Array<[string, string]> = [['X-SMS-CODING', String(sms.coding)]];
  if (sms.udhHex) headers.push(['X-SMS-UDH', normaliseUdh(sms.udhHex, (reason) => new Error(`X-SMS-UDH: ${reason}`))]);
  if (sms.sendValidity && sms.validUntil) headers.push(['X-SMS-VALIDITY', formatValidity(sms.validUntil)]);
  if (sms.messageClass !== undefined && sms.messageClass !== null) {
    if (!Number.isInteger(sms.messageClass) || sms.messageClass < 0 || sms.messageClass > 3) {
      throw new Error(`Message class ${sms.messageClass} is not 0-3`);
    }
    headers.push(['X-M-CLASS', String(sms.messageClass)]);
  }
  if (sms.requestReceipt) headers.push(['X-REG-DELIVERY', '1']);
  for (const [name, value] of Object.entries(sms.extraHeaders ?? {})) headers.push([name, value]);
  return headers;
}

/** The SMSC decodes every body as UTF-8 (§4.3); 8-bit octets therefore travel as U+0000–U+00FF in UTF-8. */
function encodeBody(body: string, coding: SmsCoding): Buffer {
  if (coding === 1) {
    for (let i = 0; i < body.length; i += 1) {
      if (body.charCodeAt(i) > 0xff) throw new Error(`8-bit body has a character above U+00FF at index ${i}`);
    }
  }
  return Buffer.from(body, 'utf8');
}

/** `yyyy-mm-dd hh:mm:ss`, UTC, 24-hour. */
export function formatValidity(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('Invalid validity date');
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Percent-encodes what a SIP user part cannot carry (RFC 3261 §25.1 `user`), e.g. a space in "My Shop". */
function escapeUser(user: string): string {
  return Array.from(Buffer.from(user, 'utf8'))
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.!~*'()&=+$,?/]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

function normaliseUdh(value: string, error: (reason: string) => Error): string {
  const hex = value.trim();
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex)) throw error(`"${value}" is not an even number of hex digits`);
  const bytes = Buffer.from(hex, 'hex');
  if (bytes[0] !== bytes.length - 1) throw error(`UDHL ${bytes[0]} does not match ${bytes.length - 1} following octets`);
  return hex.toUpperCase();
}

export type BodyCharsets = { 0: 'utf-8' | 'utf-16be' | 'gsm7'; 1: 'binary'; 2: 'utf-8' | 'utf-16be' };

export interface InboundSms {
  fromUser: string;
  toUser: string;
  coding: SmsCoding;
  udhHex: string | null;
  smscId: string | null;
  /** X-DELIVERY_TIME as received: the SMSC's faulty date pattern makes it opaque (§8). */
  deliveryTime: string | null;
  validity: string | null;
  /** The decoded text; for coding 1 a binary string, one character per octet. */
  text: string;
  rawBody: Buffer;
  /** X- headers not interpreted above, names as spelled by the SMSC. */
  otherXHeaders: Record<string, string>;
  /** Every X- header, names as spelled by the SMSC (webhooks pass them on as SipHeader_<Name>). */
  xHeaders: Record<string, string>;
}

const KNOWN_X_HEADERS = new Set(['x-sms-coding', 'x-sms-udh', 'x-smsc-id', 'x-delivery_time', 'x-sms-validity']);

export function decodeInboundSms(message: IncomingSipMessage, options: { bodyCharset: BodyCharsets }): InboundSms {
  const coding = decodeCoding(getHeader(message.headers, 'X-SMS-CODING'));
  const udh = getHeader(message.headers, 'X-SMS-UDH');
  const otherXHeaders: Record<string, string> = {};
  const xHeaders: Record<string, string> = {};
  for (const [name, value] of message.headers) {
    if (/^x-/i.test(name) && !KNOWN_X_HEADERS.has(name.toLowerCase())) otherXHeaders[name] = value;
    if (/^x-/i.test(name)) xHeaders[name] = value;
  }
  return {
    fromUser: message.fromUser,
    toUser: message.toUser !== '' ? message.toUser : requestUriUser(message.requestUri),
    coding,
    udhHex: udh === undefined || udh.trim() === '' ? null : normaliseUdh(udh, (reason) => new SipDecodeError('X-SMS-UDH', reason)),
    smscId: getHeader(message.headers, 'X-SMSC-ID') ?? null,
    deliveryTime: getHeader(message.headers, 'X-DELIVERY_TIME') ?? null,
    validity: getHeader(message.headers, 'X-SMS-VALIDITY') ?? null,
    text: decodeBody(message.body, coding === 1 ? 'binary' : options.bodyCharset[coding]),
    rawBody: message.body,
    otherXHeaders,
    xHeaders,
  };
}

/** Absent means GSM7, as at the SMSC (§4.2); anything but 0/1/2 is refused. */
function decodeCoding(value: string | undefined): SmsCoding {
  if (value === undefined) return 0;
  const trimmed = value.trim();
  if (trimmed === '0' || trimmed === '1' || trimmed === '2') return Number(trimmed) as SmsCoding;
  throw new SipDecodeError('X-SMS-CODING', `"${value}" is not 0, 1 or 2`);
}

function decodeBody(body: Buffer, charset: 'utf-8' | 'utf-16be' | 'gsm7' | 'binary'): string {
  switch (charset) {
    case 'binary':
      return body.toString('latin1');
    case 'utf-16be': {
      if (body.length % 2 !== 0) throw new SipDecodeError('body', `UTF-16BE body has odd length ${body.length}`);
      return Buffer.from(body).swap16().toString('utf16le');
    }
    case 'gsm7':
      try {
        return decodeGsm7(body);
      } catch (error) {
        throw new SipDecodeError('body', `not unpacked GSM 03.38: ${(error as Error).message}`);
      }
    default:
      return body.toString('utf8');
  }
}

function requestUriUser(uri: string): string {
  try {
    return parseSipUri(uri).user;
  } catch {
    return '';
  }
}
