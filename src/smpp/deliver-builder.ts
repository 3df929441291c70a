// Pure: the deliver_sm parameter objects an SMSC sends, for the simulator and tests. Receipts follow RestComm's
// layout (spec §7): Appendix B text in data_coding 0 as ASCII bytes, a 10-digit id, yyMMddHHmm dates, plus the
// receipted_message_id and message_state TLVs. MO messages reuse submit-builder's segmentation; 'sar' parts
// carry the SAR TLVs instead of a UDH.
import { buildDeliveryReceipt, formatReceiptDate, receiptTextExcerpt, RECEIPT_STATS } from '../encoding/delivery-receipt.js';
import { buildSubmitSms, toSmppAddress, ESM_CLASS_UDHI, type SubmitInput, type SubmitSmParams } from './submit-builder.js';

export type DeliverSmParams = Omit<SubmitSmParams, 'validity_period'> & {
  validity_period: string;
  receipted_message_id?: string;
  message_state?: number;
  sar_msg_ref_num?: number;
  sar_total_segments?: number;
  sar_segment_seqnum?: number;
};

export interface ReceiptInput {
  /** The message_id our submit_sm_resp carried (receipted_message_id). */
  messageId: string;
  /** The id the text quotes, when the SMSC spells it differently there (decimal for a hex id); messageId if absent. */
  textId?: string;
  /** The original message's addresses: the receipt goes from its destination back to its source. */
  originalFrom: string;
  originalTo: string;
  /** Appendix B stat, e.g. DELIVRD, UNDELIV. */
  stat: string;
  err?: string;
  submitDate: Date;
  doneDate: Date;
  originalText: string;
}

export function buildReceiptDeliver(input: ReceiptInput): DeliverSmParams {
  const state = RECEIPT_STATS.indexOf(input.stat) + 1;
  if (state === 0) throw new RangeError(`unknown receipt stat ${input.stat}`);
  const delivered = input.stat === 'DELIVRD';
  const text = buildDeliveryReceipt({
    id: input.textId ?? input.messageId,
    sub: '001',
    dlvrd: delivered ? '001' : '000',
    submitDate: formatReceiptDate(input.submitDate),
    doneDate: formatReceiptDate(input.doneDate),
    stat: input.stat,
    err: input.err ?? '000',
    text: receiptTextExcerpt(input.originalText),
  });
  const source = toSmppAddress(input.originalTo);
  const destination = toSmppAddress(input.originalFrom);
  return {
    service_type: '',
    source_addr_ton: source.ton, source_addr_npi: source.npi, source_addr: source.address,
    dest_addr_ton: destination.ton, dest_addr_npi: destination.npi, destination_addr: destination.address,
    esm_class: 0x04, protocol_id: 0, priority_flag: 0, schedule_delivery_time: '', validity_period: '',
    registered_delivery: 0, replace_if_present_flag: 0, data_coding: 0, sm_default_msg_id: 0,
    // Latin-1 keeps every receipt byte as written; a non-Latin-1 excerpt character becomes '?'.
    short_message: Buffer.from(Array.from(text, (char) => ((char.codePointAt(0) ?? 0) > 0xff ? '?' : char)).join(''), 'latin1'),
    receipted_message_id: input.messageId,
    message_state: state,
  };
}

export type MoInput = Omit<SubmitInput, 'registeredDelivery' | 'validityPeriod'> & {
  /** 'udh' (default): UDH concatenation; 'sar': the SAR TLVs; with longMessageMode 'payload' one PDU. */
  concatenation?: 'udh' | 'sar';
};

/** deliver_sm parameter objects for an MO message, in part order. */
export function buildMoDelivers(input: MoInput): DeliverSmParams[] {
  const parts = buildSubmitSms({ ...input, registeredDelivery: false });
  if (input.concatenation !== 'sar' || parts.length === 1 || input.udhHex !== undefined) return parts;
  return parts.map((part, i) => {
    const udhLength = (part.short_message[0] ?? 0) + 1;
    const reference = part.short_message.readUInt8(udhLength - 3); // 8-bit reference: UDHL 05 IEI 00 03 RR TT SS
    return {
      ...part,
      esm_class: part.esm_class & ~ESM_CLASS_UDHI,
      short_message: part.short_message.subarray(udhLength),
      sar_msg_ref_num: input.concatReferenceBits === 16 ? part.short_message.readUInt16BE(udhLength - 4) : reference,
      sar_total_segments: parts.length,
      sar_segment_seqnum: i + 1,
    };
  });
}
