// The delivery receipt the SMSC generates for a stored message (smsc-sip-interface.md §6.2-§6.4): a brand-new
// SMS from the original destination to the original source, DCS 0, validity now + 24 h, the original submit date
// in X-DELIVERY_TIME, no X-SMSC-ID, and the Appendix B text
// `id:<10 digits> sub:001 dlvrd:<001|000> submit date:<yyMMddHHmm> done date:<yyMMddHHmm> stat:<..> err:<NNN> text:<20>`.
import { buildDeliveryReceipt, formatReceiptDate, receiptTextExcerpt } from '../encoding/index.js';
import type { SipHeaderList } from '../sip/port.js';
import { formatSmscDate } from './smsc-date-format.js';

export interface StoredSubmit {
  /** 10-digit SMSC message id. */
  messageId: string;
  sourceAddress: string;
  destinationAddress: string;
  text: string;
  submitDate: Date;
}

export interface ReceiptOutcome {
  delivered: boolean;
  /** SMSC error code for a failure (e.g. 194 for a SIP 5xx on the next hop); 0 when delivered. */
  err: number;
  doneDate: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * `format`, redone only when the second changes: receipts go out by the hundred per second and their dates
 * (submit, done, validity) move once a second at most, while formatting them was a tenth of the simulator's
 * work per receipt. An invalid date is never cached (its second is NaN), so it still throws.
 */
function oncePerSecond(format: (date: Date) => string): (date: Date) => string {
  let second = Number.NaN;
  let text = '';
  return (date) => {
    const current = Math.floor(date.getTime() / 1000);
    if (current !== second) {
      text = format(date);
      second = current;
    }
    return text;
  };
}

const submitReceiptDate = oncePerSecond(formatReceiptDate);
const doneReceiptDate = oncePerSecond(formatReceiptDate);
const deliveryTime = oncePerSecond(formatSmscDate);
const validityTime = oncePerSecond(formatSmscDate);

export function buildReceiptText(submit: StoredSubmit, outcome: ReceiptOutcome): string {
  return buildDeliveryReceipt({
    id: submit.messageId,
    sub: '001',
    dlvrd: outcome.delivered ? '001' : '000',
    submitDate: submitReceiptDate(submit.submitDate),
    doneDate: doneReceiptDate(outcome.doneDate),
    stat: outcome.delivered ? 'DELIVRD' : 'UNDELIV',
    err: String(outcome.delivered ? 0 : outcome.err).padStart(3, '0'),
    text: receiptTextExcerpt(submit.text),
  });
}

/** The receipt as SIP parts: addresses swapped, X-SMS-CODING 0, original submit time, validity now + 24 h. */
export function buildReceiptSip(submit: StoredSubmit, outcome: ReceiptOutcome): {
  sourceUser: string;
  destinationUser: string;
  xHeaders: SipHeaderList;
  body: Buffer;
} {
  return {
    sourceUser: submit.destinationAddress,
    destinationUser: submit.sourceAddress,
    xHeaders: [
      ['X-SMS-CODING', '0'],
      ['X-DELIVERY_TIME', deliveryTime(submit.submitDate)],
      ['X-SMS-VALIDITY', validityTime(new Date(outcome.doneDate.getTime() + DAY_MS))],
    ],
    body: Buffer.from(buildReceiptText(submit, outcome), 'utf8'),
  };
}

/** 10 decimal digits, wrapping below 10^10 like the SMSC's `%010d` of its sequence. */
export function formatMessageId(counter: number): string {
  return String(counter % 10_000_000_000).padStart(10, '0');
}

/**
 * How the SMPP side spells its message ids. 'padded' (default): RestComm's 10 digits. 'decimal': the bare sequence
 * number (1, 2, …), as many SMSCs hand out. 'hex': the sequence number in lowercase hex in submit_sm_resp and
 * receipted_message_id, while the receipt text quotes it in padded decimal (the real-world receipt of spec §3.5).
 */
export type SmppMessageIdStyle = 'padded' | 'decimal' | 'hex';

/** The id an SMPP submit_sm_resp carries for sequence number `counter`. */
export function formatSmppMessageId(counter: number, style: SmppMessageIdStyle): string {
  const sequence = counter % 10_000_000_000;
  if (style === 'decimal') return String(sequence);
  if (style === 'hex') return sequence.toString(16);
  return formatMessageId(sequence);
}

/** The id a receipt's text quotes for a submit_sm_resp id (receipted_message_id carries that id as it is). */
export function smppReceiptTextId(messageId: string, style: SmppMessageIdStyle): string {
  return style === 'hex' ? formatMessageId(Number.parseInt(messageId, 16)) : messageId;
}
