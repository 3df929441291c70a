// Delivery receipts: every receipt is stored (`delivery_receipts`), then matched to the outbound message it
// reports on and applied through status-change.ts (the one place that changes a status and queues callbacks).
// SIP receipts match heuristically (receipt-matcher.ts); SMPP receipts exactly, by the SMSC message id of a
// submission. A receipt that matches nothing yet is parked and retried (receipt-sweeper.ts) a bounded number of
// times, because it may beat our own "sent" write; after that it stays stored, unmatched and visible.
import { mapReceiptStatus, parseDeliveryReceipt, type MappedReceipt } from '../encoding/index.js';
import type { Database, SqlQuery } from '../store/database.js';
import {
  chooseCandidate, DEFAULT_RECEIPT_MATCH_RULES, FINAL_RECEIPT_STATS, findReceiptCandidates, findSmppSubmission, lockOpenCandidate,
  submitWindow, type ReceiptMatchRules, type SmscIdMatch, type SmppSubmissionLookup,
} from './receipt-matcher.js';
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

export type ApplyReceiptResult =
  | { outcome: 'matched'; receiptId: string; messageSid: string; status: string | null }
  | { outcome: 'parked'; receiptId: string; nextMatchAt: Date }
  | { outcome: 'unmatched'; receiptId: string }
  | { outcome: 'duplicate'; receiptId: string; messageSid: string | null };

/** A stored receipt, as the matchers need it. */
export interface StoredReceipt {
  id: string;
  source: 'sip' | 'smpp';
  fromAddress: string;
  toAddress: string;
  smscMessageId: string | null;
  stat: string;
  err: string;
  submitDate: string;
  doneDate: string;
  text: string;
  matchAttempts: number;
}

export interface SipReceiptInput {
  rawText: string;
  /** SIP From user: the handset, i.e. our original To. */
  fromUser: string;
  /** SIP To user: our original From. */
  toUser: string;
}

/** Stores a receipt that came as a SIP MESSAGE body and applies it if it matches. Commits before resolving. */
export async function applySipReceipt(db: Database, options: SipReceiptInput & { policy?: ReceiptPolicy }): Promise<ApplyReceiptResult> {
  const parsed = parseDeliveryReceipt(options.rawText);
  if (parsed === null) throw new Error('not a delivery receipt (no id: or stat:)');
  const policy = options.policy ?? DEFAULT_RECEIPT_POLICY;
  return db.transaction(async (query) => {
    const fields = {
      source: 'sip' as const, rawText: options.rawText, fromAddress: options.fromUser, toAddress: options.toUser,
      smscMessageId: parsed.id, stat: parsed.stat, err: parsed.err, submitDate: parsed.submitDate,
      doneDate: parsed.doneDate, text: parsed.text,
    };
    const stored = await storeReceipt(query, { fields, kind: db.kind });
    if ('duplicateOf' in stored) return stored.duplicateOf;
    return attemptMatch(query, { receipt: stored.receipt, policy });
  });
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

/**
 * Stores an SMPP receipt and applies it to the message whose submission carries that SMSC message id. A
 * multipart message is delivered only when every part is; one undelivered part makes it undelivered.
 */
export async function applySmppReceipt(db: Database, options: SmppReceiptInput & { policy?: ReceiptPolicy }): Promise<ApplyReceiptResult> {
  const policy = options.policy ?? DEFAULT_RECEIPT_POLICY;
  return db.transaction(async (query) => {
    const fields = {
      source: 'smpp' as const, rawText: options.rawText, fromAddress: options.fromAddress, toAddress: options.toAddress,
      smscMessageId: options.smscMessageId, stat: options.stat, err: options.err, submitDate: options.submitDate ?? '',
      doneDate: options.doneDate ?? '', text: options.text ?? '',
    };
    const stored = await storeReceipt(query, { fields, kind: db.kind });
    if ('duplicateOf' in stored) return stored.duplicateOf;
    return attemptMatch(query, { receipt: stored.receipt, policy });
  });
}

/** One more match attempt for a stored receipt (the first one, or a retry from the sweeper). */
export async function attemptMatch(query: SqlQuery, options: { receipt: StoredReceipt; policy: ReceiptPolicy }): Promise<ApplyReceiptResult> {
  const { receipt, policy } = options;
  const attempt = receipt.matchAttempts + 1;
  const mapped = mapReceiptStatus(receipt.stat, receipt.err);
  const lastAttempt = attempt >= policy.maxMatchAttempts || !mapped.final;
  const lookup = receipt.source === 'smpp' ? await smppLookup(query, { receipt, attempt, lastAttempt, policy }) : null;
  const submission = lookup !== null && (lookup.kind === 'exact' || lookup.kind === 'alternate') ? lookup : null;
  const messageSid = receipt.source === 'smpp'
    ? (submission?.messageSid ?? null)
    : (mapped.final ? await findCorrectionTarget(query, { receipt, windowMs: policy.correctionWindowMs ?? 0 }) : null)
      ?? await findSipMatch(query, { receipt, rules: policy.rules, acceptSending: lastAttempt });
  if (messageSid !== null) {
    const settle = { receipt, messageSid, mapped, statusChange: policy.statusChange, correctionWindowMs: policy.correctionWindowMs ?? 0 };
    // A single-part SMPP message keeps its id on the message: there is no part row to mark.
    const status = submission !== null && submission.id !== null
      ? await settleSmppPart(query, { ...settle, submissionId: submission.id })
      : await settleMessage(query, settle);
    await query(
      `UPDATE delivery_receipts SET message_sid = $2, date_matched = now(), next_match_at = NULL, match_attempts = $3
       WHERE id = $1`,
      [receipt.id, messageSid, attempt],
    );
    return { outcome: 'matched', receiptId: receipt.id, messageSid, status };
  }
  // Intermediate receipts (ENROUTE) are recorded only: nothing waits for them, so they are not parked.
  if (lastAttempt) {
    await query('UPDATE delivery_receipts SET match_attempts = $2, next_match_at = NULL WHERE id = $1', [receipt.id, attempt]);
    return { outcome: 'unmatched', receiptId: receipt.id };
  }
  const delayMs = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
  const [row] = await query<{ next_match_at: Date }>(
    `UPDATE delivery_receipts SET match_attempts = $2, next_match_at = now() + $3 * interval '1 millisecond'
     WHERE id = $1 RETURNING next_match_at`,
    [receipt.id, attempt, delayMs],
  );
  return { outcome: 'parked', receiptId: receipt.id, nextMatchAt: new Date(row?.next_match_at ?? Date.now() + delayMs) };
}

/**
 * Looks an SMPP receipt's id up. The first attempt takes the id only as stored: a receipt that finds nothing is
 * most often one that beat our own write of its submission, and another spelling would then find a different
 * message (sequential ids: "30" read as hex is 48). Later attempts also try the other spellings.
 */
async function smppLookup(
  query: SqlQuery,
  options: { receipt: StoredReceipt; attempt: number; lastAttempt: boolean; policy: ReceiptPolicy },
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
  options: { receipt: StoredReceipt; rules: ReceiptMatchRules; acceptSending: boolean },
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

/**
 * SIP receipts carry no reference to our message, but two final receipts for one SMSC message carry the same
 * `id:`: a final receipt whose id, source and users match an earlier final one that settled a message within
 * the correction window is a correction of that message (the SMSC's DELIVRD, then the operator's UNDELIV).
 */
export async function findCorrectionTarget(query: SqlQuery, options: { receipt: StoredReceipt; windowMs: number }): Promise<string | null> {
  const { receipt, windowMs } = options;
  if (windowMs <= 0 || receipt.smscMessageId === null || receipt.smscMessageId === '') return null;
  const [row] = await query<{ message_sid: string }>(
    `SELECT r.message_sid FROM delivery_receipts r JOIN messages m ON m.sid = r.message_sid
     WHERE r.source = $1 AND r.smsc_message_id = $2 AND r.from_address = $3 AND r.to_address = $4 AND r.id <> $5::bigint
       AND upper(r.stat) = ANY($6::text[]) AND m.status IN ('delivered', 'undelivered')
       AND m.date_updated > now() - $7 * interval '1 millisecond'
     ORDER BY r.id DESC LIMIT 1`,
    [receipt.source, receipt.smscMessageId, receipt.fromAddress, receipt.toAddress, receipt.id, FINAL_RECEIPT_STATS, windowMs],
  );
  return row?.message_sid ?? null;
}

/** What every receipt event says, so "what happened to my message?" can be answered from message_events. */
export function receiptEventDetail(receipt: StoredReceipt): object {
  return {
    receiptId: receipt.id, source: receipt.source, smscMessageId: receipt.smscMessageId, stat: receipt.stat,
    err: receipt.err, submitDate: receipt.submitDate, doneDate: receipt.doneDate,
  };
}

/**
 * Applies a final receipt's status to the message (a late or repeated one is still recorded as an event) or,
 * for an intermediate one, records the event only. Returns the status set, or null when it did not change.
 */
export async function settleMessage(
  query: SqlQuery,
  options: { receipt: StoredReceipt; messageSid: string; mapped: MappedReceipt; statusChange: StatusChangeOptions; correctionWindowMs?: number },
): Promise<string | null> {
  const { receipt, messageSid, mapped } = options;
  const detail = receiptEventDetail(receipt);
  if (!mapped.final) {
    await recordMessageEvents(query, [{ sid: messageSid, type: 'receipt', status: null, detail }]);
    return null;
  }
  // A message still `sending` has no date_sent yet; the receipt proves it left us, when it was claimed.
  const [row] = await query<{ date_sent: Date | null; date_updated: Date }>(
    'SELECT date_sent, date_updated FROM messages WHERE sid = $1',
    [messageSid],
  );
  const [result] = await applyStatusChangesWith(
    query,
    [{
      sid: messageSid, status: mapped.status, errorCode: mapped.errorCode, errorMessage: mapped.errorMessage,
      ...(row && row.date_sent === null ? { dateSent: new Date(row.date_updated) } : {}),
      event: { type: 'receipt', detail }, rawDlrDoneDate: receipt.doneDate === '' ? null : receipt.doneDate,
      correctionWindowMs: options.correctionWindowMs ?? 0,
    }],
    options.statusChange,
  );
  return result?.applied ? mapped.status : null;
}

/**
 * SMPP: one receipt per submitted part. Marks the part, then settles the message only once the parts say so:
 * undelivered as soon as one part is, delivered when every part of the latest attempt is.
 */
async function settleSmppPart(
  query: SqlQuery,
  options: {
    receipt: StoredReceipt; messageSid: string; mapped: MappedReceipt; statusChange: StatusChangeOptions; submissionId: string;
    correctionWindowMs?: number;
  },
): Promise<string | null> {
  const { mapped } = options;
  if (!mapped.final) return settleMessage(query, options);
  // Sibling parts' receipts may be applied at once by other instances: serialise on the message row.
  await query('SELECT sid FROM messages WHERE sid = $1 FOR NO KEY UPDATE', [options.messageSid]);
  const partStatus = mapped.status === 'delivered' ? 'delivered' : 'undelivered';
  await query('UPDATE smsc_submissions SET status = $2, date_updated = now() WHERE id = $1', [options.submissionId, partStatus]);
  const [parts] = await query<{ total: number; delivered: number; undelivered: number }>(
    `SELECT max(total_parts)::int AS total, count(*) FILTER (WHERE status = 'delivered')::int AS delivered,
       count(*) FILTER (WHERE status = 'undelivered')::int AS undelivered
     FROM (SELECT DISTINCT ON (part_number) status, total_parts FROM smsc_submissions
           WHERE message_sid = $1 AND route = 'smpp' ORDER BY part_number, id DESC) latest`,
    [options.messageSid],
  );
  const settled = parts !== undefined && (parts.undelivered > 0 || parts.delivered >= parts.total);
  // The message takes the parts' verdict, not this part's: a part's DELIVRD after a sibling's UNDELIV must not
  // pass for a correction of the message (RECEIPT_CORRECTION_WINDOW_S) and turn it delivered.
  const verdict = parts !== undefined && parts.undelivered > 0 ? 'undelivered' : 'delivered';
  if (settled && partStatus === verdict) return settleMessage(query, options);
  await recordMessageEvents(query, [{
    sid: options.messageSid, type: 'receipt', status: null,
    detail: { ...receiptEventDetail(options.receipt), partsDelivered: parts?.delivered ?? 0, partsTotal: parts?.total ?? 0 },
  }]);
  return null;
}

type ReceiptFields = Omit<StoredReceipt, 'id' | 'matchAttempts'> & { rawText: string };

/** Inserts the receipt, unless the very same one (a repeated SIP request) is already stored. */
async function storeReceipt(
  query: SqlQuery,
  options: { fields: ReceiptFields; kind: Database['kind'] },
): Promise<{ receipt: StoredReceipt } | { duplicateOf: ApplyReceiptResult }> {
  const f = options.fields;
  if (options.kind === 'postgres') await query('SELECT pg_advisory_xact_lock(hashtext($1))', [`dlr:${f.smscMessageId ?? ''}|${f.rawText}`]);
  const [existing] = await query<{ id: string; message_sid: string | null }>(
    `SELECT id::text AS id, message_sid FROM delivery_receipts
     WHERE smsc_message_id = $1 AND raw_text = $2 AND from_address = $3 AND to_address = $4 AND source = $5
       AND date_received > now() - $6 * interval '1 millisecond'
     ORDER BY delivery_receipts.id LIMIT 1`,
    [f.smscMessageId, f.rawText, f.fromAddress, f.toAddress, f.source, REPEAT_WINDOW_MS],
  );
  if (existing) return { duplicateOf: { outcome: 'duplicate', receiptId: existing.id, messageSid: existing.message_sid } };
  const [row] = await query<{ id: string }>(
    `INSERT INTO delivery_receipts (source, raw_text, from_address, to_address, smsc_message_id, stat, err, submit_date,
       done_date, text)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id::text AS id`,
    [f.source, f.rawText, f.fromAddress, f.toAddress, f.smscMessageId, f.stat, f.err, f.submitDate, f.doneDate, f.text],
  );
  if (row === undefined) throw new Error('delivery_receipts insert returned no row');
  const { rawText: _rawText, ...rest } = f;
  return { receipt: { ...rest, id: row.id, matchAttempts: 0 } };
}
