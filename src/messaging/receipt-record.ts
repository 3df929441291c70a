// What a delivery receipt leaves behind, decided here and written by src/store/. A receipt that settles its
// message (the final one that moves it from sent/sending to delivered or undelivered) is kept on the message
// only: messages.receipt, written by the status change that settles it; no delivery_receipts row and no event
// row. Every other receipt is exceptional and keeps a delivery_receipts row: parked or never matched,
// intermediate (ENROUTE), a correction, a late one for a settled message. Pure: plain data in and out.
import type { ReceiptFields, RepeatProbe } from '../store/delivery-receipt-store.js';
import { addressForms, submitWindow, type ReceiptMatchRules } from './receipt-matcher.js';

export type { ReceiptFields } from '../store/delivery-receipt-store.js';

/** A receipt being matched. `id` is its delivery_receipts row: null until one is written (a settling one never is). */
export interface ReceiptToMatch extends ReceiptFields {
  id: string | null;
  matchAttempts: number;
  dateReceived: Date;
}

/** A receipt just received: no row yet, no attempt made. */
export function freshReceipt(fields: ReceiptFields, now: Date = new Date()): ReceiptToMatch {
  return { ...fields, id: null, matchAttempts: 0, dateReceived: now };
}

/** messages.receipt of the receipt that settles the message; `receiptId` names its row when it had one (parked). */
export function settlingReceipt(r: ReceiptToMatch): Record<string, unknown> {
  return {
    source: r.source, rawText: r.rawText, stat: r.stat, err: r.err, submitDate: r.submitDate, doneDate: r.doneDate,
    text: r.text, smscMessageId: r.smscMessageId, fromAddress: r.fromAddress, toAddress: r.toAddress,
    dateReceived: r.dateReceived.toISOString(), ...(r.id === null ? {} : { receiptId: r.id }),
  };
}

/** What a receipt's event row says (intermediate, part, correction or late receipts: those that have a row). */
export function receiptEventDetail(receipt: ReceiptToMatch): object {
  return {
    receiptId: receipt.id, source: receipt.source, smscMessageId: receipt.smscMessageId, stat: receipt.stat,
    err: receipt.err, submitDate: receipt.submitDate, doneDate: receipt.doneDate,
  };
}

/** Delay before the next attempt of a parked receipt: doubling from `retryBaseMs`, at most `retryMaxMs`. */
export function retryDelayMs(policy: { retryBaseMs: number; retryMaxMs: number }, attempt: number): number {
  return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
}

/** Where a receipt's message lies over SIP: the swapped addresses' forms and the submit window. */
export function messagePlace(f: Pick<ReceiptFields, 'fromAddress' | 'toAddress' | 'submitDate'>, rules: ReceiptMatchRules) {
  return { handsetForms: addressForms(f.fromAddress), senderForms: addressForms(f.toAddress), window: submitWindow(f.submitDate, rules) };
}

/** The repeat lookup's probe of a receipt (store/delivery-receipt-store.ts findEarlierCopies). */
export function repeatProbe(f: ReceiptFields, rules: ReceiptMatchRules): RepeatProbe {
  return { ...f, ...messagePlace(f, rules) };
}
