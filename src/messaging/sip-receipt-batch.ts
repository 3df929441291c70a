// SIP receipts of one batch, matched together (receipt-batch.ts hands them over): one candidate query for every
// (handset, sender) pair of the batch, the choice in memory (receipt-matcher.ts's rules; two receipts of one batch
// never take the same message), one lock of the chosen messages in sid order that re-checks they are still open,
// then the status changes (messages.receipt for each settling receipt) and one write of the receipts that settle
// nothing. A chosen message that another transaction took meanwhile sends its receipt down the one-at-a-time path
// (apply-receipt.ts attemptMatch), which chooses again. The SQL is in store/receipt-candidate-store.ts and
// store/delivery-receipt-store.ts.
import { mapReceiptStatus, type MappedReceipt } from '../encoding/index.js';
import type { SqlQuery } from '../store/database.js';
import { insertReceipts, updateReceiptAttempts } from '../store/delivery-receipt-store.js';
import { findBatchCandidates, lockOpenMessages, PATTERN_SEPARATOR, type CandidateGroupRow } from '../store/receipt-candidate-store.js';
import { attemptMatch, type ApplyReceiptResult, type ReceiptPolicy } from './apply-receipt.js';
import { addressForms, chooseCandidate, submitWindow, type ReceiptCandidate } from './receipt-matcher.js';
import { receiptEventDetail, retryDelayMs, settlingReceipt, type ReceiptToMatch } from './receipt-record.js';
import { applyStatusChangesWith, recordMessageEvents, type MessageEventInput, type StatusChange } from './status-change.js';

/** What one SIP receipt's match attempt decided, before it is written. */
interface SipPlan {
  receipt: ReceiptToMatch;
  attempt: number;
  mapped: MappedReceipt;
  lastAttempt: boolean;
  window: { from: Date; to: Date } | null;
  chosen: ReceiptCandidate | null;
  /** Set once the chosen message is locked: it is still `sending`, so it has no date_sent; this one is used. */
  dateSent?: Date;
}

/** Matches the batch's SIP receipts (their index in the batch, the receipt); the results by index. */
export async function matchSipBatch(
  query: SqlQuery,
  receipts: ReadonlyArray<{ index: number; receipt: ReceiptToMatch }>,
  policy: ReceiptPolicy,
): Promise<Map<number, ApplyReceiptResult>> {
  const plans = receipts.map(({ index, receipt }) => {
    const attempt = receipt.matchAttempts + 1;
    const mapped = mapReceiptStatus(receipt.stat, receipt.err);
    const lastAttempt = attempt >= policy.maxMatchAttempts || !mapped.final;
    const plan: SipPlan = { receipt, attempt, mapped, lastAttempt, window: submitWindow(receipt.submitDate, policy.rules), chosen: null };
    return { index, plan };
  });
  await chooseForBatch(query, plans.map((p) => p.plan));
  const contested = await lockChosen(query, plans.map((p) => p.plan));
  const written = await writePlans(query, plans.map((p) => p.plan).filter((plan) => !contested.has(plan)), policy);
  const results = new Map<number, ApplyReceiptResult>();
  for (const { index, plan } of plans) {
    // Another transaction took the chosen message meanwhile: choose again, one receipt at a time.
    results.set(index, contested.has(plan) ? await attemptMatch(query, { receipt: plan.receipt, policy }) : written.get(plan) as ApplyReceiptResult);
  }
  return results;
}

/** Most open messages considered for one receipt, as in attemptMatch (more per pair: one per receipt of it). */
const RECEIPT_CANDIDATE_LIMIT = 50;

/**
 * Fetches the open candidates of every (handset, sender) pair once and gives each receipt its choice. Two sets
 * per pair, in one statement: the oldest open messages whatever their text (for lenient matches), and the
 * oldest whose body starts with one of the receipts' texts (exact matches). The second set matters when a pair
 * has many open messages: a receipt for a newer one must still find it among the first rows.
 */
async function chooseForBatch(query: SqlQuery, plans: readonly SipPlan[]): Promise<void> {
  const groups = new Map<string, SipPlan[]>();
  for (const plan of plans) {
    const key = `${plan.receipt.fromAddress}\u0000${plan.receipt.toAddress}`;
    groups.set(key, [...(groups.get(key) ?? []), plan]);
  }
  if (groups.size === 0) return;
  const rows: CandidateGroupRow[] = [];
  const grouped = [...groups.values()];
  grouped.forEach((members, group) => {
    const first = members[0] as SipPlan;
    // One query per pair covers every member's window: the union of them (none if any member has none).
    const windows = members.map((m) => m.window);
    const from = windows.some((w) => w === null) ? null : new Date(Math.min(...windows.map((w) => (w as { from: Date }).from.getTime())));
    const to = from === null ? null : new Date(Math.max(...windows.map((w) => (w as { to: Date }).to.getTime())));
    const patterns = [...new Set(members.map((m) => prefixPattern(m.receipt.text)).filter((p) => p !== null))].join(PATTERN_SEPARATOR);
    for (const handset of addressForms(first.receipt.fromAddress)) {
      for (const sender of addressForms(first.receipt.toAddress)) {
        rows.push({
          group, handset, sender, window: from === null || to === null ? null : { from, to },
          limit: RECEIPT_CANDIDATE_LIMIT + members.length, patterns,
        });
      }
    }
  });
  const candidatesOf = new Map<number, ReceiptCandidate[]>();
  for (const { group, ...candidate } of await findBatchCandidates(query, rows)) {
    candidatesOf.set(group, [...(candidatesOf.get(group) ?? []), candidate]);
  }
  grouped.forEach((members, group) => {
    const candidates = (candidatesOf.get(group) ?? []).sort(
      (a, b) => a.sentAt.getTime() - b.sentAt.getTime() || a.sid.localeCompare(b.sid),
    );
    const taken = new Set<string>();
    // Oldest receipt first: of two receipts for identical texts, the earlier one gets the earlier message.
    for (const plan of [...members].sort((a, b) => compareArrival(a.receipt, b.receipt))) {
      const choice = chooseCandidate(
        plan.receipt.text,
        candidates.filter((c) => !taken.has(c.sid) && inWindow(c, plan.window)),
        { acceptSending: plan.lastAttempt },
      );
      if (choice.kind !== 'matched') continue;
      plan.chosen = choice.candidate;
      taken.add(choice.candidate.sid);
    }
  });
}

/**
 * A LIKE pattern for bodies that start with the receipt's text: every exact match (compareReceiptText) has one.
 * Null for an empty text, which tells nothing. The separator character, should a text hold it, matches any one.
 */
export function prefixPattern(receiptText: string): string | null {
  const text = receiptText.trimEnd();
  if (text === '') return null;
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll(PATTERN_SEPARATOR, '_')}%`;
}

function inWindow(candidate: ReceiptCandidate, window: { from: Date; to: Date } | null): boolean {
  if (window === null) return true;
  const at = candidate.sentAt.getTime();
  return at >= window.from.getTime() && at <= window.to.getTime();
}

/** Arrival order: receipts of one batch share a time and keep their order (a stable sort); rows by id. */
function compareArrival(a: ReceiptToMatch, b: ReceiptToMatch): number {
  const byTime = a.dateReceived.getTime() - b.dateReceived.getTime();
  if (byTime !== 0 || a.id === null || b.id === null) return byTime;
  return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Locks the chosen messages and returns the plans whose message is no longer open: settled, or moved on, by a
 * transaction that committed after our candidate query. Status and receipt are on the row, so the locking
 * statement re-checks them in the newest version of a row changed while it waited. Receipt batches lock in sid order, so they
 * cannot deadlock one another; should one deadlock with another writer (the dispatcher's outcome batch), the
 * group commit retries its receipts one by one.
 */
async function lockChosen(query: SqlQuery, plans: readonly SipPlan[]): Promise<Set<SipPlan>> {
  const chosen = plans.filter((plan) => plan.chosen !== null);
  if (chosen.length === 0) return new Set();
  const sids = chosen.map((plan) => (plan.chosen as ReceiptCandidate).sid);
  const open = new Map((await lockOpenMessages(query, sids)).map((row) => [row.sid, row]));
  const contested = new Set<SipPlan>();
  for (const plan of chosen) {
    const row = open.get((plan.chosen as ReceiptCandidate).sid);
    if (row === undefined) {
      contested.add(plan);
      continue;
    }
    // A message still `sending` has no date_sent yet; the receipt proves it left us, when it was claimed.
    if (row.dateSent === null) plan.dateSent = row.dateUpdated;
  }
  return contested;
}

/**
 * Applies the matched plans; the results, by plan. A final receipt for its (locked, open) message settles it and is
 * kept on the message; every other plan's receipt is written as a row (or its row updated): intermediate ones
 * linked to their message, unmatched ones parked for another attempt unless this was the last.
 */
async function writePlans(query: SqlQuery, plans: readonly SipPlan[], policy: ReceiptPolicy): Promise<Map<SipPlan, ApplyReceiptResult>> {
  const results = new Map<SipPlan, ApplyReceiptResult>();
  if (plans.length === 0) return results;
  const settling = new Set(plans.filter((plan) => plan.chosen !== null && plan.mapped.final));
  const rows = await writeRows(query, plans.map((plan) => ({
    receipt: plan.receipt, messageSid: plan.chosen?.sid ?? null, attempts: plan.attempt, settles: settling.has(plan), delayMs: delayOf(plan, policy),
  })));
  const final = [...settling];
  const changes: StatusChange[] = final.map((plan) => {
    const chosen = plan.chosen as ReceiptCandidate;
    return {
      sid: chosen.sid, status: plan.mapped.status, errorCode: plan.mapped.errorCode, errorMessage: plan.mapped.errorMessage,
      ...(plan.dateSent ? { dateSent: plan.dateSent } : {}),
      receipt: settlingReceipt(plan.receipt),
      event: { type: 'receipt', detail: receiptEventDetail(plan.receipt) },
      rawDlrDoneDate: plan.receipt.doneDate === '' ? null : plan.receipt.doneDate,
    };
  });
  const applied = changes.length === 0 ? [] : await applyStatusChangesWith(query, changes, policy.statusChange);
  const intermediate: MessageEventInput[] = plans.filter((plan) => plan.chosen !== null && !plan.mapped.final).map((plan) => ({
    sid: (plan.chosen as ReceiptCandidate).sid, type: 'receipt', status: null,
    detail: receiptEventDetail({ ...plan.receipt, id: rows.get(plan.receipt)?.id ?? null }),
  }));
  await recordMessageEvents(query, intermediate);
  const finalIndex = new Map(final.map((plan, i) => [plan, i]));
  for (const plan of plans) {
    const row = rows.get(plan.receipt);
    if (plan.chosen !== null) {
      const i = finalIndex.get(plan);
      const status = i === undefined ? null : applied[i]?.applied ? plan.mapped.status : null;
      results.set(plan, { outcome: 'matched', receiptId: row?.id ?? null, messageSid: plan.chosen.sid, status });
    } else if (delayOf(plan, policy) === null) {
      results.set(plan, { outcome: 'unmatched', receiptId: (row as { id: string }).id });
    } else {
      const at = row?.nextMatchAt ?? new Date(Date.now() + (delayOf(plan, policy) as number));
      results.set(plan, { outcome: 'parked', receiptId: (row as { id: string }).id, nextMatchAt: at });
    }
  }
  return results;
}

/** Unmatched: retried later with a doubling delay, unless this was the last attempt (or an intermediate receipt). */
function delayOf(plan: SipPlan, policy: ReceiptPolicy): number | null {
  return plan.chosen !== null || plan.lastAttempt ? null : retryDelayMs(policy, plan.attempt);
}

/**
 * Writes each receipt's attempt: a new row for a new receipt that settles nothing (one insert for all), an update
 * of the row a receipt already has (one statement). A new settling receipt writes nothing here. Rows by receipt.
 */
async function writeRows(
  query: SqlQuery,
  items: ReadonlyArray<{ receipt: ReceiptToMatch; messageSid: string | null; attempts: number; settles: boolean; delayMs: number | null }>,
): Promise<Map<ReceiptToMatch, { id: string; nextMatchAt: Date | null }>> {
  const rows = new Map<ReceiptToMatch, { id: string; nextMatchAt: Date | null }>();
  const toInsert = items.filter((item) => item.receipt.id === null && !item.settles);
  const inserted = await insertReceipts(query, toInsert.map((item) => ({ ...item.receipt, ...item })));
  toInsert.forEach((item, i) => rows.set(item.receipt, inserted[i] as { id: string; nextMatchAt: Date | null }));
  const toUpdate = items.filter((item) => item.receipt.id !== null);
  const updated = await updateReceiptAttempts(query, toUpdate.map((item) => ({
    id: item.receipt.id as string, messageSid: item.messageSid, attempts: item.attempts, delayMs: item.delayMs,
  })));
  for (const item of toUpdate) {
    const id = item.receipt.id as string;
    rows.set(item.receipt, { id, nextMatchAt: updated.get(id) ?? null });
  }
  return rows;
}

