// Delivery receipts, one at a time (receipt-batch.ts takes many at once and sends its exceptions here): a receipt
// is matched to the outbound message it reports on and applied through status-change.ts (the one place that
// changes a status and queues callbacks). SIP receipts match heuristically (receipt-matcher.ts); SMPP receipts
// exactly, by the SMSC message id of a submission. The receipt that settles its message is kept on the message
// (messages.receipt); any other gets a delivery_receipts row (receipt-record.ts). A receipt that matches nothing
// yet is parked and retried (receipt-sweeper.ts) a bounded number of times, because it may beat our own "sent"
// write; after that it stays stored, unmatched and visible.
import { mapReceiptStatus, parseDeliveryReceipt, type MappedReceipt } from '../encoding/index.js';
import type { Database, SqlQuery } from '../store/database.js';
import { findEarlierCopies, insertReceipts, updateReceiptAttempts } from '../store/delivery-receipt-store.js';
import { findCorrectionTargets, lockMessagesForReceipts, markPartAndCount } from '../store/receipt-store.js';
import { lockOpenCandidate } from '../store/receipt-candidate-store.js';
import {
  chooseCandidate, DEFAULT_RECEIPT_MATCH_RULES, findReceiptCandidates, findSmppSubmission,
  submitWindow, type ReceiptMatchRules, type SmscIdMatch, type SmppSubmissionLookup,
} from './receipt-matcher.js';
import {
  freshReceipt, messagePlace, receiptEventDetail, repeatProbe, retryDelayMs, settlingReceipt,
  type ReceiptFields, type ReceiptToMatch,
} from './receipt-record.js';
import {
  applyStatusChangesWith, DEFAULT_STATUS_CHANGE_OPTIONS, recordMessageEvents, type StatusChangeOptions,
} from './status-change.js';

export interface ReceiptPolicy {
  rules: ReceiptMatchRules;
  /** Match attempts in all (the first included) before a receipt is left unmatched for good. */
  maxMatchAttempts: number;
  /** Delay before the first retry; it doubles per attempt up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  statusChange: StatusChangeOptions;
  /**
   * Tallies how SMPP receipt ids found their submission (exact, another spelling, or refused as ambiguous), for
   * the metrics; counted per attempt that decides, so a transaction rolled back afterwards still counts.
   */
  smscIdMatches?: Record<SmscIdMatch, number>;
  /** RECEIPT_CORRECTION_WINDOW_S: how long a later final receipt may correct an earlier one (0 = never). */
  correctionWindowMs?: number;
}

/** The first attempt at which an SMPP receipt id may match by another spelling (see smppLookup). */
export const SMPP_ALTERNATE_SPELLING_ATTEMPT = 2;

export const DEFAULT_RECEIPT_POLICY: ReceiptPolicy = {
  rules: DEFAULT_RECEIPT_MATCH_RULES,
  maxMatchAttempts: 8,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
  statusChange: DEFAULT_STATUS_CHANGE_OPTIONS,
};

/** How long an identical receipt (same raw text and addresses) counts as a repeat of one already stored. */
export const REPEAT_WINDOW_MS = 72 * 60 * 60 * 1000;

/**
 * `receiptId` is the receipt's delivery_receipts row: null for a receipt that settled its message (it is kept on
 * the message) and for a repeat of one.
 */
export type ApplyReceiptResult =
  | { outcome: 'matched'; receiptId: string | null; messageSid: string; status: string | null }
  | { outcome: 'parked'; receiptId: string; nextMatchAt: Date }
  | { outcome: 'unmatched'; receiptId: string }
  | { outcome: 'duplicate'; receiptId: string | null; messageSid: string | null };

export interface SipReceiptInput {
  rawText: string;
  /** SIP From user: the handset, i.e. our original To. */
  fromUser: string;
  /** SIP To user: our original From. */
  toUser: string;
}

/** A SIP MESSAGE body's receipt fields; throws on a text that is no receipt. */
export function sipReceiptFields(input: SipReceiptInput): ReceiptFields {
  const parsed = parseDeliveryReceipt(input.rawText);
  if (parsed === null) throw new Error('not a delivery receipt (no id: or stat:)');
  return {
    source: 'sip', rawText: input.rawText, fromAddress: input.fromUser, toAddress: input.toUser,
    smscMessageId: parsed.id, stat: parsed.stat, err: parsed.err, submitDate: parsed.submitDate,
    doneDate: parsed.doneDate, text: parsed.text,
  };
}

/** Matches a receipt that came as a SIP MESSAGE body and applies it if it matches. Commits before resolving. */
export async function applySipReceipt(db: Database, options: SipReceiptInput & { policy?: ReceiptPolicy }): Promise<ApplyReceiptResult> {
  const fields = sipReceiptFields(options);
  const policy = options.policy ?? DEFAULT_RECEIPT_POLICY;
  return db.transaction((query) => applyOne(query, { fields, policy, kind: db.kind }));
}

export interface SmppReceiptInput {
  smscMessageId: string;
  stat: string;
  err: string;
  submitDate?: string;
  doneDate?: string;
  text?: string;
  /** The receipt as received (short_message text, or a rendering of the TLVs). */
  rawText: string;
  /** deliver_sm source_addr (the handset) and destination_addr (our original sender). */
  fromAddress: string;
  toAddress: string;
}

export function smppReceiptFields(input: SmppReceiptInput): ReceiptFields {
  return {
    source: 'smpp', rawText: input.rawText, fromAddress: input.fromAddress, toAddress: input.toAddress,
    smscMessageId: input.smscMessageId, stat: input.stat, err: input.err, submitDate: input.submitDate ?? '',
    doneDate: input.doneDate ?? '', text: input.text ?? '',
  };
}

/**
 * Applies an SMPP receipt to the message whose submission carries that SMSC message id. A multipart message is
 * delivered only when every part is; one undelivered part makes it undelivered.
 */
export async function applySmppReceipt(db: Database, options: SmppReceiptInput & { policy?: ReceiptPolicy }): Promise<ApplyReceiptResult> {
  const policy = options.policy ?? DEFAULT_RECEIPT_POLICY;
  return db.transaction((query) => applyOne(query, { fields: smppReceiptFields(options), policy, kind: db.kind }));
}

/** One new receipt: absorbed as a repeat of an earlier copy, or matched (its first attempt). */
async function applyOne(
  query: SqlQuery,
  options: { fields: ReceiptFields; policy: ReceiptPolicy; kind: Database['kind'] },
): Promise<ApplyReceiptResult> {
  const { fields, policy } = options;
  const [copy] = await findEarlierCopies(query, [repeatProbe(fields, policy.rules)], { kind: options.kind, windowMs: REPEAT_WINDOW_MS });
  if (copy !== undefined) return { outcome: 'duplicate', receiptId: copy.receiptId, messageSid: copy.messageSid };
  return attemptMatch(query, { receipt: freshReceipt(fields), policy });
}

/** One more match attempt for a receipt (the first one, or a retry from the sweeper). */
export async function attemptMatch(query: SqlQuery, options: { receipt: ReceiptToMatch; policy: ReceiptPolicy }): Promise<ApplyReceiptResult> {
  const { receipt, policy } = options;
  const attempt = receipt.matchAttempts + 1;
  const mapped = mapReceiptStatus(receipt.stat, receipt.err);
  const lastAttempt = attempt >= policy.maxMatchAttempts || !mapped.final;
  const lookup = receipt.source === 'smpp' ? await smppLookup(query, { receipt, attempt, lastAttempt, policy }) : null;
  const submission = lookup !== null && (lookup.kind === 'exact' || lookup.kind === 'alternate') ? lookup : null;
  const messageSid = receipt.source === 'smpp'
    ? (submission?.messageSid ?? null)
    : (mapped.final ? await findCorrectionTarget(query, { receipt, policy }) : null)
      ?? await findSipMatch(query, { receipt, rules: policy.rules, acceptSending: lastAttempt });
  if (messageSid !== null) {
    const settle = { receipt, messageSid, mapped, attempt, statusChange: policy.statusChange, correctionWindowMs: policy.correctionWindowMs ?? 0 };
    // A single-part SMPP message keeps its id on the message: there is no part row to mark.
    const settled = submission !== null && submission.id !== null
      ? await settleSmppPart(query, { ...settle, submissionId: submission.id })
      : await settleMessage(query, settle);
    return { outcome: 'matched', receiptId: settled.receiptId, messageSid, status: settled.status };
  }
  // Intermediate receipts (ENROUTE) are recorded only: nothing waits for them, so they are not parked.
  const delayMs = lastAttempt ? null : retryDelayMs(policy, attempt);
  const row = await writeReceiptRow(query, receipt, { messageSid: null, attempts: attempt, delayMs });
  if (delayMs === null) return { outcome: 'unmatched', receiptId: row.id };
  return { outcome: 'parked', receiptId: row.id, nextMatchAt: row.nextMatchAt ?? new Date(Date.now() + delayMs) };
}

/** Writes the receipt's row with this attempt's outcome: a new row, or the one it already has. */
async function writeReceiptRow(
  query: SqlQuery,
  receipt: ReceiptToMatch,
  outcome: { messageSid: string | null; attempts: number; delayMs: number | null },
): Promise<{ id: string; nextMatchAt: Date | null }> {
  if (receipt.id === null) {
    const [row] = await insertReceipts(query, [{ ...receipt, ...outcome }]);
    if (row === undefined) throw new Error('delivery_receipts insert returned no row');
    return row;
  }
  const updated = await updateReceiptAttempts(query, [{ id: receipt.id, ...outcome }]);
  return { id: receipt.id, nextMatchAt: updated.get(receipt.id) ?? null };
}

/**
 * Looks an SMPP receipt's id up. The first attempt takes the id only as stored: a receipt that finds nothing is
 * most often one that beat our own write of its submission, and another spelling would then find a different
 * message (sequential ids: "30" read as hex is 48). Later attempts also try the other spellings.
 */
async function smppLookup(
  query: SqlQuery,
  options: { receipt: ReceiptToMatch; attempt: number; lastAttempt: boolean; policy: ReceiptPolicy },
): Promise<SmppSubmissionLookup> {
  const { receipt, policy } = options;
  if (receipt.smscMessageId === null || receipt.smscMessageId.trim() === '') return { kind: 'none' };
  const alternates = options.attempt >= SMPP_ALTERNATE_SPELLING_ATTEMPT || options.lastAttempt;
  const lookup = await findSmppSubmission(query, receipt.smscMessageId, { alternates });
  const tally = policy.smscIdMatches;
  if (tally !== undefined) {
    if (lookup.kind === 'exact' || lookup.kind === 'alternate') tally[lookup.kind] += 1;
    // An ambiguous id may still find its exact submission on a later attempt; it is counted when it gives up.
    else if (lookup.kind === 'ambiguous' && options.lastAttempt) tally.ambiguous += 1;
  }
  return lookup;
}

/** Most open messages considered for one SIP receipt (the oldest of one sender/handset pair). */
const RECEIPT_CANDIDATE_LIMIT = 50;

async function findSipMatch(
  query: SqlQuery,
  options: { receipt: ReceiptToMatch; rules: ReceiptMatchRules; acceptSending: boolean },
): Promise<string | null> {
  const { receipt } = options;
  const window = submitWindow(receipt.submitDate, options.rules);
  // Only the chosen message is locked; if a concurrent receipt took it first, choose again among the rest. Each
  // lost round means another receipt committed, so n receipts racing for identical texts need at most n rounds.
  const taken = new Set<string>();
  for (let round = 0; round < RECEIPT_CANDIDATE_LIMIT; round += 1) {
    const candidates = await findReceiptCandidates(query, {
      fromUser: receipt.fromAddress, toUser: receipt.toAddress, window, limit: RECEIPT_CANDIDATE_LIMIT,
    });
    const open = candidates.filter((candidate) => !taken.has(candidate.sid));
    const choice = chooseCandidate(receipt.text, open, { acceptSending: options.acceptSending });
    if (choice.kind !== 'matched') return null;
    if (await lockOpenCandidate(query, choice.candidate.sid)) return choice.candidate.sid;
    taken.add(choice.candidate.sid);
  }
  // Every candidate was taken by a concurrent receipt: park this one; the sweeper tries again shortly.
  return null;
}

/** Whether a final SIP receipt may be a correction: corrections are on and it carries an `id:`. */
export function mayCorrect(receipt: Pick<ReceiptToMatch, 'smscMessageId'>, windowMs: number): boolean {
  return windowMs > 0 && receipt.smscMessageId !== null && receipt.smscMessageId !== '';
}

/**
 * SIP receipts carry no reference to our message, but two final receipts for one SMSC message carry the same
 * `id:`: a final receipt whose id, source and users match those of the receipt that settled a message within
 * the correction window (messages.receipt) is a correction of that message (the SMSC's DELIVRD, then the
 * operator's UNDELIV).
 */
export async function findCorrectionTarget(query: SqlQuery, options: { receipt: ReceiptToMatch; policy: ReceiptPolicy }): Promise<string | null> {
  const { receipt, policy } = options;
  const windowMs = policy.correctionWindowMs ?? 0;
  if (!mayCorrect(receipt, windowMs)) return null;
  const [hit] = await findCorrectionTargets(query, [{
    source: receipt.source, smscMessageId: receipt.smscMessageId as string, fromAddress: receipt.fromAddress,
    toAddress: receipt.toAddress, ...messagePlace(receipt, policy.rules),
  }], windowMs);
  return hit?.messageSid ?? null;
}

interface SettleOptions {
  receipt: ReceiptToMatch;
  messageSid: string;
  mapped: MappedReceipt;
  attempt: number;
  statusChange: StatusChangeOptions;
  correctionWindowMs?: number;
}

/** The status set (null when it did not change) and the receipt's row (null when it settled the message). */
interface Settled {
  status: string | null;
  receiptId: string | null;
}

/**
 * Applies a final receipt's status to the message or, for an intermediate one, records the event only. A final
 * receipt for an open message settles it and is kept on the message (no row); a late, repeated or correcting one
 * keeps a row linked to the message and is recorded as an event (or corrects the status, within the window).
 */
export async function settleMessage(query: SqlQuery, options: SettleOptions): Promise<Settled> {
  const { receipt, messageSid, mapped } = options;
  const link = { messageSid, attempts: options.attempt, delayMs: null };
  if (!mapped.final) {
    const row = await writeReceiptRow(query, receipt, link);
    await recordMessageEvents(query, [{ sid: messageSid, type: 'receipt', status: null, detail: receiptEventDetail({ ...receipt, id: row.id }) }]);
    return { status: null, receiptId: row.id };
  }
  const locked = (await lockMessagesForReceipts(query, [messageSid])).get(messageSid);
  const open = locked?.open === true;
  // Only an exceptional receipt is written as a row, before its event so that the event can name it.
  const receiptId = open ? receipt.id : (await writeReceiptRow(query, receipt, link)).id;
  const [result] = await applyStatusChangesWith(
    query,
    [{
      sid: messageSid, status: mapped.status, errorCode: mapped.errorCode, errorMessage: mapped.errorMessage,
      // A message still `sending` has no date_sent yet; the receipt proves it left us, when it was claimed.
      ...(locked && locked.dateSent === null ? { dateSent: locked.dateUpdated } : {}),
      ...(open ? { receipt: settlingReceipt(receipt) } : {}),
      event: { type: 'receipt', detail: receiptEventDetail({ ...receipt, id: receiptId }) },
      rawDlrDoneDate: receipt.doneDate === '' ? null : receipt.doneDate,
      correctionWindowMs: options.correctionWindowMs ?? 0,
    }],
    options.statusChange,
  );
  // A parked receipt that settles keeps its row, now linked (messages.receipt names it).
  if (open && receipt.id !== null) await updateReceiptAttempts(query, [{ id: receipt.id, ...link }]);
  return { status: result?.applied ? mapped.status : null, receiptId };
}

/**
 * SMPP: one receipt per submitted part. Marks the part, then settles the message only once the parts say so:
 * undelivered as soon as one part is, delivered when every part of the latest attempt is.
 */
async function settleSmppPart(query: SqlQuery, options: SettleOptions & { submissionId: string }): Promise<Settled> {
  const { mapped } = options;
  if (!mapped.final) return settleMessage(query, options);
  // Sibling parts' receipts may be applied at once by other instances: serialise on the message row.
  await lockMessagesForReceipts(query, [options.messageSid]);
  const partStatus = mapped.status === 'delivered' ? 'delivered' : 'undelivered';
  const parts = await markPartAndCount(query, { messageSid: options.messageSid, submissionId: options.submissionId, status: partStatus });
  const settled = parts !== undefined && (parts.undelivered > 0 || parts.delivered >= parts.total);
  // The message takes the parts' verdict, not this part's: a part's DELIVRD after a sibling's UNDELIV must not
  // pass for a correction of the message (RECEIPT_CORRECTION_WINDOW_S) and turn it delivered.
  const verdict = parts !== undefined && parts.undelivered > 0 ? 'undelivered' : 'delivered';
  if (settled && partStatus === verdict) return settleMessage(query, options);
  const row = await writeReceiptRow(query, options.receipt, { messageSid: options.messageSid, attempts: options.attempt, delayMs: null });
  await recordMessageEvents(query, [{
    sid: options.messageSid, type: 'receipt', status: null,
    detail: { ...receiptEventDetail({ ...options.receipt, id: row.id }), partsDelivered: parts?.delivered ?? 0, partsTotal: parts?.total ?? 0 },
  }]);
  return { status: null, receiptId: row.id };
}
