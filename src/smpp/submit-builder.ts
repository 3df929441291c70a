// Pure: turns one outgoing SMS into the submit_sm parameter objects to send, with every byte decided here
// (npm smpp is a framer only, see smpp-lib.ts). Field names are SMPP's, so the objects go to the wire unchanged.
//
// - Addresses: "+<digits>" is international/ISDN (TON 1, NPI 1), sent without '+'; other digit strings are
//   TON 0 (unknown), NPI 1, left to the SMSC's numbering plan; anything with a letter is alphanumeric (5/0).
// - coding is the X-SMS-CODING alphabet (0 GSM 7-bit, 1 8-bit data, 2 UCS-2), not a data_coding value:
//   it maps to data_coding 0x00 / 0x04 / 0x08.
// - bodyEncoding is how this SMSC wants text bytes (spec §7: RestComm defaults to UTF-8 for dc 0 and 8):
//   'gsm7' = GSM 03.38 unpacked for dc 0 and UCS-2 for dc 8 (plain SMPP); 'utf-8' = UTF-8 for both;
//   'ucs2' = UTF-16BE for both. Segment boundaries always follow the alphabet (160/153 septets, 70/67 units),
//   because the SMSC re-encodes each part for the radio interface.
// - 8-bit data (coding 1) is the UTF-8 bytes of `text`, cut at 140/134 octets.
import { gsm7Length, encodeGsm7 } from '../encoding/gsm7.js';
import { capacityOf, splitText, USER_DATA_OCTETS } from '../encoding/segments.js';
import { encodeUcs2 } from '../encoding/ucs2.js';
import { buildUdh, concatenationIe, concatenationOf, parseUdh } from '../encoding/udh.js';
import { formatSmppAbsoluteTime } from './smpp-time.js';

export type SmsAlphabet = 0 | 1 | 2;
export type BodyEncoding = 'gsm7' | 'utf-8' | 'ucs2';

export interface SubmitInput {
  to: string;
  from: string;
  text: string;
  coding: SmsAlphabet;
  /** A whole UDH (UDHL included) in hex, e.g. from X-SMS-UDH. The text must then fit one part. */
  udhHex?: string;
  registeredDelivery: boolean;
  /** 'udh': concatenated parts with a UDH each; 'payload': one PDU carrying message_payload (SMSC splits). */
  longMessageMode: 'udh' | 'payload';
  bodyEncoding: BodyEncoding;
  validityPeriod?: Date;
  /** Concatenation reference; by default a hash of from/to/text, so a resubmitted message reuses it. */
  concatReference?: number;
  /** 8-bit (153 septets per part, what Twilio counts) by default; 16-bit makes collisions rarer (152). */
  concatReferenceBits?: 8 | 16;
  serviceType?: string;
}

export interface SubmitSmParams {
  service_type: string;
  source_addr_ton: number;
  source_addr_npi: number;
  source_addr: string;
  dest_addr_ton: number;
  dest_addr_npi: number;
  destination_addr: string;
  esm_class: number;
  protocol_id: number;
  priority_flag: number;
  schedule_delivery_time: string;
  validity_period: string;
  registered_delivery: number;
  replace_if_present_flag: number;
  data_coding: number;
  sm_default_msg_id: number;
  short_message: Buffer;
  message_payload?: Buffer;
}

export type SubmitBuildErrorCode = 'INVALID_ADDRESS' | 'TEXT_TOO_LONG_FOR_UDH' | 'TOO_MANY_PARTS';

export class SubmitBuildError extends Error {
  override readonly name = 'SubmitBuildError';
  constructor(readonly code: SubmitBuildErrorCode, message: string) {
    super(message);
  }
}

export const ESM_CLASS_UDHI = 0x40;
const DATA_CODING: Readonly<Record<SmsAlphabet, number>> = { 0: 0x00, 1: 0x04, 2: 0x08 };

export interface SmppAddress {
  ton: number;
  npi: number;
  address: string;
}

export function toSmppAddress(value: string): SmppAddress {
  if (/^\+[1-9]\d{1,14}$/.test(value)) return { ton: 1, npi: 1, address: value.slice(1) };
  if (/^\d{1,20}$/.test(value)) return { ton: 0, npi: 1, address: value };
  if (/^[\x20-\x7e]{1,11}$/.test(value) && /[A-Za-z]/.test(value)) return { ton: 5, npi: 0, address: value };
  throw new SubmitBuildError('INVALID_ADDRESS', `not an SMPP address: ${JSON.stringify(value)}`);
}

/** The submit_sm parameter objects for one message, in part order. */
export function buildSubmitSms(input: SubmitInput): SubmitSmParams[] {
  const base = baseParams(input);
  const udh = input.udhHex !== undefined ? Buffer.from(parseUdh(input.udhHex).bytes) : null;
  if (input.longMessageMode === 'payload') {
    const body = encodeBody(input.text, input);
    const payload = udh ? Buffer.concat([udh, body]) : body;
    return [{ ...base, esm_class: udh ? ESM_CLASS_UDHI : 0, short_message: Buffer.alloc(0), message_payload: payload }];
  }
  if (udh) return [withCallerUdh(base, udh, input)];
  const bits = input.concatReferenceBits ?? 8;
  const parts = splitForUdh(input, bits === 16 ? 7 : 6);
  if (parts.length === 1) return [{ ...base, short_message: parts[0] as Buffer }];
  if (parts.length > 255) throw new SubmitBuildError('TOO_MANY_PARTS', `${parts.length} parts exceed the 255 a UDH can number`);
  const reference = input.concatReference ?? defaultReference(input, bits);
  return parts.map((body, i) => {
    const ie = concatenationIe({ reference, total: parts.length, sequence: i + 1, referenceBits: bits });
    return { ...base, esm_class: ESM_CLASS_UDHI, short_message: Buffer.concat([buildUdh([ie]), body]) };
  });
}

function baseParams(input: SubmitInput): SubmitSmParams {
  const source = toSmppAddress(input.from);
  const destination = toSmppAddress(input.to);
  return {
    service_type: input.serviceType ?? '',
    source_addr_ton: source.ton, source_addr_npi: source.npi, source_addr: source.address,
    dest_addr_ton: destination.ton, dest_addr_npi: destination.npi, destination_addr: destination.address,
    esm_class: 0, protocol_id: 0, priority_flag: 0,
    schedule_delivery_time: '',
    validity_period: input.validityPeriod ? formatSmppAbsoluteTime(input.validityPeriod) : '',
    registered_delivery: input.registeredDelivery ? 1 : 0,
    replace_if_present_flag: 0,
    data_coding: DATA_CODING[input.coding],
    sm_default_msg_id: 0,
    short_message: Buffer.alloc(0),
  };
}

function withCallerUdh(base: SubmitSmParams, udh: Buffer, input: SubmitInput): SubmitSmParams {
  const fits = unitsOf(input) <= capacityOf({ encoding: alphabetName(input.coding), udhOctets: udh.length });
  if (!fits && concatenationOf(parseUdh(udh)) === null) {
    throw new SubmitBuildError('TEXT_TOO_LONG_FOR_UDH', `text does not fit one part beside the ${udh.length}-octet UDH`);
  }
  return { ...base, esm_class: ESM_CLASS_UDHI, short_message: Buffer.concat([udh, encodeBody(input.text, input)]) };
}

/** Part bodies (without UDH): one when the whole text fits a single SMS. */
function splitForUdh(input: SubmitInput, udhOctets: number): Buffer[] {
  if (input.coding === 1) {
    const bytes = Buffer.from(input.text, 'utf8');
    if (bytes.length <= USER_DATA_OCTETS) return [bytes];
    const size = USER_DATA_OCTETS - udhOctets;
    const parts: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
    return parts;
  }
  const texts = splitText({ text: input.text, encoding: input.coding === 0 ? 'GSM7' : 'UCS2', udhOctets });
  return texts.map((text) => encodeBody(text, input));
}

function encodeBody(text: string, input: SubmitInput): Buffer {
  if (input.coding === 1 || input.bodyEncoding === 'utf-8') return Buffer.from(text, 'utf8');
  if (input.bodyEncoding === 'ucs2' || input.coding === 2) return encodeUcs2(text);
  return Buffer.from(encodeGsm7(text));
}

function alphabetName(coding: SmsAlphabet): 'GSM7' | 'UCS2' | 'BINARY' {
  return coding === 0 ? 'GSM7' : coding === 2 ? 'UCS2' : 'BINARY';
}

function unitsOf(input: SubmitInput): number {
  if (input.coding === 0) return gsm7Length(input.text);
  if (input.coding === 2) return input.text.length;
  return Buffer.byteLength(input.text, 'utf8');
}

/** FNV-1a over from/to/text, folded to the reference width. */
function defaultReference(input: SubmitInput, bits: 8 | 16): number {
  let hash = 0x811c9dc5;
  for (const char of `${input.from}\u0000${input.to}\u0000${input.text}`) {
    hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  }
  return bits === 16 ? (hash ^ (hash >>> 16)) & 0xffff : (hash ^ (hash >>> 8) ^ (hash >>> 16) ^ (hash >>> 24)) & 0xff;
}
