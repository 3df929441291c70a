// The MESSAGEs the SMSC sends for one mobile-originated SMS (smsc-sip-interface.md §5.2-§5.4): one MESSAGE per
// stored segment, each carrying only its own text, X-SMS-CODING, X-DELIVERY_TIME (submit time) and
// X-SMS-VALIDITY in the SMSC's broken date format, X-SMSC-ID for SMPP-originated traffic, and for segments
// X-SMS-UDH = uppercase hex `050003<ref><total><seq>`. Segmentation follows TS 23.040: 153 GSM-7 septets or
// 67 UCS-2 units per part beside the 6-octet concatenation UDH. The body is always UTF-8 (default settings).
import { buildUdh, capacityOf, concatenationIe, CONCAT_UDH_OCTETS, gsm7Length, isGsm7, splitText, udhToHex } from '../encoding/index.js';
import type { SipHeaderList } from '../sip/port.js';
import { formatSmscDate } from './smsc-date-format.js';

export interface MoRequest {
  from: string;
  to: string;
  text: string;
  /** X-SMS-CODING: 0 GSM 7-bit or 2 UCS-2; by default 0 when the text fits the GSM alphabet, else 2. */
  coding?: 0 | 2;
  /** X-SMSC-ID: set it to simulate traffic that entered the SMSC over SMPP (the ESME's name). */
  smscId?: string;
  /** 'auto' (default): split like the SMSC; N: exactly N parts (1 = one MESSAGE without UDH, any length). */
  segments?: 'auto' | number;
  /** Send the parts last-first, as a network may deliver them. */
  outOfOrder?: boolean;
}

export interface MoPart {
  /** 1-based position in the message (not in sending order). */
  sequence: number;
  text: string;
  body: Buffer;
  udhHex: string | null;
  xHeaders: SipHeaderList;
}

export class MoRequestError extends Error {
  override readonly name = 'MoRequestError';
}

/** The parts in sending order. `reference` is the 8-bit concatenation reference (taken modulo 256). */
export function buildMoParts(options: MoRequest & { reference: number; submitDate: Date; validityDate: Date }): MoPart[] {
  const coding = options.coding ?? (isGsm7(options.text) ? 0 : 2);
  if (coding === 0 && !isGsm7(options.text)) throw new MoRequestError('Text has characters outside the GSM alphabet; use coding 2');
  const texts = splitMo(options.text, coding, options.segments ?? 'auto');
  const reference = ((options.reference % 256) + 256) % 256;
  const parts = texts.map((text, i): MoPart => {
    const udhHex = texts.length === 1
      ? null
      : udhToHex(buildUdh([concatenationIe({ reference, total: texts.length, sequence: i + 1, referenceBits: 8 })]));
    const headers = moHeaders({ ...options, coding, udhHex });
    return { sequence: i + 1, text, body: Buffer.from(text, 'utf8'), udhHex, xHeaders: headers };
  });
  return options.outOfOrder === true ? parts.reverse() : parts;
}

/** The X- headers of one MO MESSAGE, in the order RxSipServerSbb adds them. */
export function moHeaders(options: {
  coding: number;
  smscId?: string;
  submitDate: Date;
  validityDate: Date;
  udhHex: string | null;
}): SipHeaderList {
  const headers: Array<[string, string]> = [];
  if (options.smscId !== undefined) headers.push(['X-SMSC-ID', options.smscId]);
  headers.push(
    ['X-SMS-CODING', String(options.coding)],
    ['X-DELIVERY_TIME', formatSmscDate(options.submitDate)],
    ['X-SMS-VALIDITY', formatSmscDate(options.validityDate)],
  );
  if (options.udhHex !== null) headers.push(['X-SMS-UDH', options.udhHex]);
  return headers;
}

function splitMo(text: string, coding: 0 | 2, segments: 'auto' | number): string[] {
  const encoding = coding === 0 ? 'GSM7' : 'UCS2';
  if (segments === 'auto') return checkCount(splitText({ text, encoding }));
  if (!Number.isInteger(segments) || segments < 1 || segments > 255) {
    throw new MoRequestError(`segments must be 'auto' or an integer 1..255, got ${segments}`);
  }
  if (segments === 1) return [text];
  const chars = Array.from(text);
  if (chars.length < segments) throw new MoRequestError(`Cannot cut ${chars.length} characters into ${segments} parts`);
  const size = Math.ceil(chars.length / segments);
  const parts = Array.from({ length: segments }, (_, i) => chars.slice(i * size, (i + 1) * size).join(''));
  const capacity = capacityOf({ encoding, udhOctets: CONCAT_UDH_OCTETS });
  for (const part of parts) {
    const units = coding === 0 ? gsm7Length(part) : part.length;
    if (part === '' || units > capacity) {
      throw new MoRequestError(`Cannot cut the text into ${segments} parts of 1..${capacity} ${coding === 0 ? 'septets' : 'units'}`);
    }
  }
  return parts;
}

function checkCount(parts: string[]): string[] {
  if (parts.length > 255) throw new MoRequestError(`${parts.length} parts exceed the 255 a UDH can number`);
  return parts;
}
