// The SMSC's SIP MESSAGE dialect (smsc-sip-interface.md §4–§6), and the only module that knows it: SMS fields
// to X-SMS-* headers and back. Pure; both SIP adapters carry what this produces without interpreting it.
import { decodeGsm7 } from '../encoding/gsm7.js';
import { getHeader, type IncomingSipMessage, type OutgoingSipMessage } from './port.js';
import { formatHost, parseNameAddr, parseSipUri } from './native/sip-uri.js';

export type SmsCoding = 0 | 1 | 2;

/**
 * An inbound MESSAGE that is not well-formed SIP (RFC 3261 §21.4.1): a From or To that is no URI with a user
 * part, a header value holding a NUL. The caller answers 400 and stores nothing.
 */
export class SipDecodeError extends Error {
  override readonly name = 'SipDecodeError';
  constructor(
    readonly header: string,
    readonly reason: string,
  ) {
    super(`${header}: ${reason}`);
  }
}

/**
 * Well-formed SIP carrying an SMS we will never store (an X-SMS-CODING other than 0/1/2, an X-SMS-UDH that is
 * not hex). The caller answers 606: the SMSC treats only 5xx/6xx as final (§5.5), and resending the same bytes
 * for 72 hours would change nothing.
 */
export class SmsContentError extends Error {
  override readonly name = 'SmsContentError';
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
  /**
   * The body read in its coding's charset; for coding 1 a binary string, one character per octet. Bytes the
   * charset cannot read become U+FFFD here (see `decodeError`); `rawBody` always has them exactly.
   */
  text: string;
  /** Why `text` is not an exact reading of `rawBody`, or null when it is. */
  decodeError: string | null;
  rawBody: Buffer;
  /** X- headers not interpreted above, names as spelled by the SMSC. */
  otherXHeaders: Record<string, string>;
  /** Every X- header, names as spelled by the SMSC (webhooks pass them on as SipHeader_<Name>). */
  xHeaders: Record<string, string>;
}

const KNOWN_X_HEADERS = new Set(['x-sms-coding', 'x-sms-udh', 'x-smsc-id', 'x-delivery_time', 'x-sms-validity']);

/**
 * Throws SipDecodeError (answer 400) for malformed SIP and SmsContentError (answer 606) for an SMS we refuse;
 * a body is never a reason to throw: whatever its bytes, they are kept in `rawBody`.
 */
export function decodeInboundSms(message: IncomingSipMessage, options: { bodyCharset: BodyCharsets }): InboundSms {
  for (const [name, value] of message.headers) {
    // RFC 3261 header values are TEXT-UTF8, which has no NUL; PostgreSQL text cannot hold one either.
    if (value.includes('\u0000')) throw new SipDecodeError(name, 'the header value holds a NUL character');
  }
  const fromUser = addressUser(message.from, 'From');
  if (fromUser === '') throw new SipDecodeError('From', `"${message.from}" has no user part: an SMS needs a sender`);
  const toUser = addressUser(message.to, 'To');
  const coding = decodeCoding(getHeader(message.headers, 'X-SMS-CODING'));
  const udh = getHeader(message.headers, 'X-SMS-UDH');
  const otherXHeaders: Record<string, string> = {};
  const xHeaders: Record<string, string> = {};
  for (const [name, value] of message.headers) {
    if (/^x-/i.test(name) && !KNOWN_X_HEADERS.has(name.toLowerCase())) otherXHeaders[name] = value;
    if (/^x-/i.test(name)) xHeaders[name] = value;
  }
  const body = decodeBody(message.body, coding === 1 ? 'binary' : options.bodyCharset[coding]);
  return {
    fromUser,
    toUser: toUser !== '' ? toUser : requestUriUser(message.requestUri),
    coding,
    udhHex: udh === undefined || udh.trim() === '' ? null : inboundUdh(udh),
    smscId: getHeader(message.headers, 'X-SMSC-ID') ?? null,
    deliveryTime: getHeader(message.headers, 'X-DELIVERY_TIME') ?? null,
    validity: getHeader(message.headers, 'X-SMS-VALIDITY') ?? null,
    text: body.text,
    decodeError: body.decodeError,
    rawBody: message.body,
    otherXHeaders,
    xHeaders,
  };
}

/**
 * The user part of a From/To value (`"Name" <sip:user@host>;tag=x`, `sip:user@host`, `tel:+1555…`), %-decoded;
 * '' for a well-formed URI without one (`sip:host`). Anything that is not such a value is malformed (400):
 * `garbage`, `<sip:@x>` (RFC 3261 §25.1: a user, when the `@` is there, has at least one character), a bad
 * %-escape, a user holding control characters.
 */
function addressUser(value: string, header: 'From' | 'To'): string {
  let user: string;
  try {
    const { uri } = parseNameAddr(value);
    if (/^tel:/i.test(uri)) {
      user = decodeURIComponent(uri.slice(4).split(';')[0] ?? '');
      if (user === '') throw new Error('empty tel: number');
    } else {
      if (/^sips?:@/i.test(uri)) throw new Error('empty user before "@"');
      user = parseSipUri(uri).user;
    }
  } catch (error) {
    throw new SipDecodeError(header, `"${value}" is not a SIP or tel URI with a user part (${(error as Error).message})`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(user)) throw new SipDecodeError(header, 'the user part holds a control character');
  return user;
}

/** Absent means GSM7, as at the SMSC (§4.2); anything but 0/1/2 is an SMS we cannot read, refused for good. */
function decodeCoding(value: string | undefined): SmsCoding {
  if (value === undefined) return 0;
  const trimmed = value.trim();
  if (trimmed === '0' || trimmed === '1' || trimmed === '2') return Number(trimmed) as SmsCoding;
  throw new SmsContentError('X-SMS-CODING', `"${value}" is not 0, 1 or 2`);
}

/**
 * X-SMS-UDH as uppercase hex. Any whole number of octets is kept byte for byte, even when the UDHL does not
 * match them (the message is then simply not a concatenation, mo-reassembly.ts); only text that is no octets
 * at all (odd length, non-hex) is refused.
 */
function inboundUdh(value: string): string {
  const hex = value.trim();
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex)) throw new SmsContentError('X-SMS-UDH', `"${value}" is not an even number of hex digits`);
  return hex.toUpperCase();
}

interface DecodedBody {
  text: string;
  decodeError: string | null;
}

/** Never throws: undecodable bytes become U+FFFD in the text, with the reason; the caller keeps the bytes. */
function decodeBody(body: Buffer, charset: 'utf-8' | 'utf-16be' | 'gsm7' | 'binary'): DecodedBody {
  switch (charset) {
    case 'binary':
      return { text: body.toString('latin1'), decodeError: null };
    case 'utf-16be': {
      const even = body.length - (body.length % 2);
      const text = Buffer.from(body.subarray(0, even)).swap16().toString('utf16le');
      return body.length === even
        ? { text, decodeError: null }
        : { text: `${text}\ufffd`, decodeError: `UTF-16BE body has odd length ${body.length}` };
    }
    case 'gsm7':
      try {
        return { text: decodeGsm7(body), decodeError: null };
      } catch (error) {
        return { text: body.toString('latin1'), decodeError: `not unpacked GSM 03.38 (read as Latin-1): ${(error as Error).message}` };
      }
    default:
      try {
        return { text: STRICT_UTF8.decode(body), decodeError: null };
      } catch {
        return { text: body.toString('utf8'), decodeError: 'not valid UTF-8 (invalid sequences read as U+FFFD)' };
      }
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function requestUriUser(uri: string): string {
  try {
    return parseSipUri(uri).user;
  } catch {
    return '';
  }
}
