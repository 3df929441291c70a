// SMPP receipts of one batch that settle single-part messages, together: one lookup of every id as stored
// (store/receipt-store.ts), one lock of the messages in sid order, one status change (messages.receipt for each)
// and one update of the rows of parked receipts among them. Everything else (parts of multipart messages,
// intermediate receipts, a second receipt for one message, an id not found as stored, a message settled already)
// goes the one-at-a-time way (apply-receipt.ts attemptMatch), after these.
import { mapReceiptStatus, type MappedReceipt } from '../encoding/index.js';
import type { SqlQuery } from '../store/database.js';
import { updateReceiptAttempts } from '../store/delivery-receipt-store.js';
import { findSmppIdsExact, lockMessagesForReceipts, markSubmissions, type SmppIdHit } from '../store/receipt-store.js';
import type { ApplyReceiptResult, ReceiptPolicy } from './apply-receipt.js';
import { receiptEventDetail, settlingReceipt, type ReceiptToMatch } from './receipt-record.js';
import { applyStatusChangesWith, type StatusChange } from './status-change.js';

/** A final SMPP receipt whose id, as stored, names a single-part message not settled by another in the batch. */
export interface SmppSingle {
  index: number;
  messageSid: string;
  submissionId: string | null;
  mapped: MappedReceipt;
}

/**
 * Which SMPP receipts of a batch take the batched way: final ones whose id, as stored, names a single-part
 * message (on the message or in a one-part submission). A second receipt for the same message, an intermediate
 * one, a part of a multipart message, or one whose id finds nothing as stored (other spellings, parking) goes the
 * one-at-a-time way (attemptMatch), after these.
 */
export function chooseSmppSingles(receipts: readonly ReceiptToMatch[], hits: readonly SmppIdHit[]): SmppSingle[] {
  const hitOf = new Map(hits.map((hit) => [hit.index, hit]));
  const taken = new Set<string>();
  const chosen: SmppSingle[] = [];
  receipts.forEach((receipt, index) => {
    if (receipt.source !== 'smpp') return;
    const hit = hitOf.get(index);
    const mapped = mapReceiptStatus(receipt.stat, receipt.err);
    if (hit === undefined || !mapped.final || hit.totalParts !== 1 || taken.has(hit.messageSid)) return;
    taken.add(hit.messageSid);
    chosen.push({ index, messageSid: hit.messageSid, submissionId: hit.submissionId, mapped });
  });
  return chosen;
}

/** Settles the batch's final SMPP receipts of open single-part messages; the results by index in `receipts`. */
export async function settleSmppSingles(
  query: SqlQuery,
  receipts: readonly ReceiptToMatch[],
  policy: ReceiptPolicy,
): Promise<Map<number, ApplyReceiptResult>> {
  const results = new Map<number, ApplyReceiptResult>();
  const smpp = receipts.filter((r) => r.source === 'smpp' && r.smscMessageId !== null && r.smscMessageId.trim() !== '');
  if (smpp.length === 0) return results;
  // Look up only what may settle: every SMPP receipt's id, as stored (the exact-first rule of issue 12).
  const ids = receipts.map((r) => (r.source === 'smpp' ? (r.smscMessageId ?? '').trim() : ''));
  const hits = (await findSmppIdsExact(query, ids)).filter((hit) => ids[hit.index] !== '');
  const candidates = chooseSmppSingles(receipts, hits);
  if (candidates.length === 0) return results;
  const locked = await lockMessagesForReceipts(query, candidates.map((c) => c.messageSid));
  // A message settled already (a late receipt, a correction) goes the one-at-a-time way, which keeps a row.
  const chosen = candidates.filter((c) => locked.get(c.messageSid)?.open === true);
  if (policy.smscIdMatches) policy.smscIdMatches.exact += chosen.length;
  const changes: StatusChange[] = chosen.map((c) => {
    const receipt = receipts[c.index] as ReceiptToMatch;
    const row = locked.get(c.messageSid);
    return {
      sid: c.messageSid, status: c.mapped.status, errorCode: c.mapped.errorCode, errorMessage: c.mapped.errorMessage,
      // A message still `sending` has no date_sent yet; the receipt proves it left us, when it was claimed.
      ...(row && row.dateSent === null ? { dateSent: row.dateUpdated } : {}),
      receipt: settlingReceipt(receipt),
      event: { type: 'receipt', detail: receiptEventDetail(receipt) },
      rawDlrDoneDate: receipt.doneDate === '' ? null : receipt.doneDate,
      correctionWindowMs: policy.correctionWindowMs ?? 0,
    };
  });
  const applied = await applyStatusChangesWith(query, changes, policy.statusChange);
  await markSubmissions(query, chosen.flatMap((c) => (c.submissionId === null
    ? []
    : [{ id: c.submissionId, status: c.mapped.status === 'delivered' ? 'delivered' : 'undelivered' }])));
  // Parked receipts that settle now keep their row, linked; new ones get none.
  await updateReceiptAttempts(query, chosen.flatMap((c) => {
    const receipt = receipts[c.index] as ReceiptToMatch;
    return receipt.id === null ? [] : [{ id: receipt.id, messageSid: c.messageSid, attempts: receipt.matchAttempts + 1, delayMs: null }];
  }));
  chosen.forEach((c, i) => {
    const receipt = receipts[c.index] as ReceiptToMatch;
    results.set(c.index, {
      outcome: 'matched', receiptId: receipt.id, messageSid: c.messageSid, status: applied[i]?.applied ? c.mapped.status : null,
    });
  });
  return results;
}

