// Pure: classifies a received deliver_sm as a delivery receipt or a mobile-originated (MO) message.
//
// - Receipt when (esm_class & 0x3C) == 0x04 (not esm_class == 4: RestComm copies mode bits into receipts).
//   receipted_message_id and message_state TLVs are authoritative; the Appendix B text fills the gaps. The text
//   is read as Latin-1 bytes, never through the GSM table ("@$" must stay "@$", dlr_pdu_vector).
// - MO otherwise, with concatenation from a UDH (esm_class 0x40, IEI 0x00/0x08) or from the SAR TLVs.
//   A UDH whose IEs cannot be read is ignored as a whole (TS 23.040 §9.2.3.24.1): no concatenation, but its octets
//   are kept (`udhBytes`), and the text still starts after it.
import { parseDeliveryReceipt, RECEIPT_STATS, type DeliveryReceipt } from '../encoding/delivery-receipt.js';
import { EncodingError } from '../encoding/encoding-error.js';
import { concatenationOf, splitUserData, type Udh } from '../encoding/udh.js';
import { messageIdCandidates } from './message-id.js';
import { bufferField, numberField, stringField, type SmppPdu } from './smpp-lib.js';
import type { BodyEncoding, SmppAddress } from './submit-builder.js';
import { decodeUserData, type TextAlphabet } from './user-data-text.js';

export interface DeliverParseOptions {
  /** How this SMSC writes text bytes for dc 0 / dc 8 (same meaning as in submit-builder). Default 'gsm7'. */
  bodyEncoding?: BodyEncoding;
}

interface DeliverBase {
  sequenceNumber: number;
  source: SmppAddress;
  destination: SmppAddress;
  esmClass: number;
  dataCoding: number;
}

export interface ReceiptDeliver extends DeliverBase {
  kind: 'receipt';
  /** receipted_message_id when present, else the text's `id:`; null when neither exists. */
  messageId: string | null;
  /** Ids to look the original submit up by, exact forms first, then hex/decimal reinterpretations. */
  messageIdCandidates: string[];
  /** message_state TLV, else derived from `stat:`; null when neither. */
  messageState: number | null;
  /** Appendix B stat (e.g. DELIVRD): from the text, else from message_state. */
  stat: string | null;
  /** `err:` of the text (network/SMSC specific, not a command_status). */
  err: string | null;
  networkErrorCode: Buffer | null;
  receipt: DeliveryReceipt | null;
  text: string;
}

export interface ConcatenationInfo {
  reference: number;
  total: number;
  sequence: number;
  referenceBits: 8 | 16;
  via: 'udh' | 'sar';
}

export interface MoDeliver extends DeliverBase {
  kind: 'mo';
  text: string;
  alphabet: TextAlphabet;
  decodeError: string | null;
  /** User data after the UDH. */
  userData: Buffer;
  /** The parsed UDH; null without UDHI, or when its IEs cannot be read. */
  udh: Udh | null;
  /** The UDH's octets (UDHL included) whenever UDHI announced one that fits the user data, readable or not. */
  udhBytes: Buffer | null;
  concatenation: ConcatenationInfo | null;
}

export type DeliverSm = ReceiptDeliver | MoDeliver;

export const ESM_CLASS_TYPE_MASK = 0x3c;
export const ESM_CLASS_DELIVERY_RECEIPT = 0x04;

export function parseDeliverSm(pdu: SmppPdu, options: DeliverParseOptions = {}): DeliverSm {
  const base: DeliverBase = {
    sequenceNumber: pdu.sequence_number,
    source: address(pdu, 'source_addr'),
    destination: address(pdu, 'dest_addr', 'destination_addr'),
    esmClass: numberField(pdu, 'esm_class'),
    dataCoding: numberField(pdu, 'data_coding'),
  };
  const raw = rawUserData(pdu);
  if ((base.esmClass & ESM_CLASS_TYPE_MASK) === ESM_CLASS_DELIVERY_RECEIPT) return receiptOf(pdu, base, raw);
  return moOf(pdu, base, raw, options.bodyEncoding ?? 'gsm7');
}

function address(pdu: SmppPdu, prefix: string, field = prefix): SmppAddress {
  return { ton: numberField(pdu, `${prefix}_ton`), npi: numberField(pdu, `${prefix}_npi`), address: stringField(pdu, field) };
}

/** short_message, or message_payload when the SMSC used the TLV (sm_length 0). */
function rawUserData(pdu: SmppPdu): Buffer {
  const short = bufferField(pdu, 'short_message') ?? Buffer.alloc(0);
  const payload = bufferField(pdu, 'message_payload');
  return short.length === 0 && payload ? payload : short;
}

function receiptOf(pdu: SmppPdu, base: DeliverBase, raw: Buffer): ReceiptDeliver {
  const text = base.dataCoding === 0x08 ? decodeUserData(raw, 0x08, 'gsm7').text : raw.toString('latin1');
  const receipt = parseDeliveryReceipt(text);
  const tlvId = stringField(pdu, 'receipted_message_id') || null;
  const tlvState = typeof pdu.message_state === 'number' ? pdu.message_state : null;
  const textStat = receipt ? receipt.stat.toUpperCase() : null;
  const textState = textStat && RECEIPT_STATS.includes(textStat) ? RECEIPT_STATS.indexOf(textStat) + 1 : null;
  const messageState = tlvState ?? textState;
  return {
    ...base,
    kind: 'receipt',
    messageId: tlvId ?? receipt?.id ?? null,
    messageIdCandidates: messageIdCandidates([tlvId, receipt?.id]),
    messageState,
    stat: textStat ?? (messageState !== null ? (RECEIPT_STATS[messageState - 1] ?? null) : null),
    err: receipt ? receipt.err : null,
    networkErrorCode: bufferField(pdu, 'network_error_code') ?? null,
    receipt,
    text,
  };
}

function moOf(pdu: SmppPdu, base: DeliverBase, raw: Buffer, bodyEncoding: BodyEncoding): MoDeliver {
  const { udh, udhBytes, userData } = base.esmClass & 0x40 ? splitUdh(raw) : { udh: null, udhBytes: null, userData: raw };
  const decoded = decodeUserData(userData, base.dataCoding, bodyEncoding);
  return {
    ...base,
    kind: 'mo',
    text: decoded.text,
    alphabet: decoded.alphabet,
    decodeError: decoded.decodeError,
    userData,
    udh,
    udhBytes,
    concatenation: udhConcatenation(udh) ?? sarConcatenation(pdu),
  };
}

function splitUdh(raw: Buffer): { udh: Udh | null; udhBytes: Buffer | null; userData: Buffer } {
  try {
    const { udh, payload } = splitUserData(raw);
    return { udh, udhBytes: Buffer.from(udh.bytes), userData: Buffer.from(payload) };
  } catch (error) {
    if (!(error instanceof EncodingError)) throw error;
    const udhl = raw[0] ?? 0;
    // A UDHL beyond the user data announces no header at all: everything is payload.
    if (raw.length <= udhl) return { udh: null, udhBytes: null, userData: raw };
    return { udh: null, udhBytes: Buffer.from(raw.subarray(0, udhl + 1)), userData: raw.subarray(udhl + 1) };
  }
}

function udhConcatenation(udh: Udh | null): ConcatenationInfo | null {
  const concat = udh ? concatenationOf(udh) : null;
  return concat ? { ...concat, via: 'udh' } : null;
}

function sarConcatenation(pdu: SmppPdu): ConcatenationInfo | null {
  const reference = pdu.sar_msg_ref_num;
  const total = pdu.sar_total_segments;
  const sequence = pdu.sar_segment_seqnum;
  if (typeof reference !== 'number' || typeof total !== 'number' || typeof sequence !== 'number') return null;
  if (total === 0 || sequence === 0 || sequence > total) return null;
  return { reference, total, sequence, referenceBits: 16, via: 'sar' };
}
