// Which outbound message a SIP delivery receipt belongs to. Over SIP the SMSC never tells us its message id
// (smsc-sip-interface.md §6.5), so the match is heuristic: swapped addresses, the first 20 characters of the text,
// the submit date within a window, and the oldest open message first. docs/receipts.md explains the limits.
// The rules are pure functions; their queries are in src/store/ (receipt-candidate-store.ts, receipt-store.ts).
import { parseReceiptDate, receiptTextExcerpt } from '../encoding/index.js';
import type { SqlQuery } from '../store/database.js';
import { findOpenCandidates } from '../store/receipt-candidate-store.js';
import { findSmppIdAsStored, findSmppIdSpellings } from '../store/receipt-store.js';

export interface ReceiptMatchRules {
  /**
   * The SMSC writes `submit date` in its own local time and we read it as UTC; this is its offset from UTC
   * (e.g. 120 for UTC+2), when known.
   */
  smscUtcOffsetMinutes: number;
  /** Slack either side of the submit minute, for clock skew and our own "sent" write lagging the SMSC. */
  toleranceMinutes: number;
}

export const DEFAULT_RECEIPT_MATCH_RULES: ReceiptMatchRules = { smscUtcOffsetMinutes: 0, toleranceMinutes: 10 };

/** An outbound message that could be the one a receipt reports on. */
export interface ReceiptCandidate {
  sid: string;
  status: string;
  body: string;
  /** When we sent it (`date_sent`), or when it was claimed for sending while it is still `sending`. */
  sentAt: Date;
}

export type TextMatch = 'exact' | 'lenient' | 'none';

export type CandidateChoice =
  | { kind: 'matched'; candidate: ReceiptCandidate; text: Exclude<TextMatch, 'none'> }
  /** The best candidate is still `sending`: the receipt beat our "sent" write, so try again later. */
  | { kind: 'wait'; candidate: ReceiptCandidate }
  | { kind: 'none' };

/** The address forms a receipt's SIP user may correspond to in our rows: `+digits` and `digits`, or the text. */
export function addressForms(user: string): string[] {
  let decoded = user;
  try {
    decoded = decodeURIComponent(user);
  } catch {
    // keep it as received
  }
  const trimmed = decoded.trim();
  if (/^\+?\d+$/.test(trimmed)) {
    const digits = trimmed.replace(/^\+/, '');
    return [`+${digits}`, digits];
  }
  return [trimmed];
}

/** The window `date_sent` must fall in for a receipt's `submit date`, or null when the date is unreadable. */
export function submitWindow(submitDate: string, rules: ReceiptMatchRules): { from: Date; to: Date } | null {
  const submitted = parseReceiptDate(submitDate);
  if (submitted === null) return null;
  const minute = 60_000;
  const utc = submitted.getTime() - rules.smscUtcOffsetMinutes * minute;
  // Minute resolution: the submit instant lies anywhere in [minute, minute + 1).
  return { from: new Date(utc - rules.toleranceMinutes * minute), to: new Date(utc + (1 + rules.toleranceMinutes) * minute) };
}

/**
 * Compares a receipt's `text:` with a message body. Exact: the body's first 20 characters (trailing spaces
 * aside). Lenient, because the SMSC may transcode (GSM 7-bit loses accents and replaces what it cannot encode):
 * equal after folding case, accents and whitespace, with `?` or any non-ASCII character matching anything, or
 * one a prefix of the other (an SMSC counting bytes cuts earlier). An empty `text:` tells nothing: lenient.
 */
export function compareReceiptText(receiptText: string, body: string): TextMatch {
  const excerpt = receiptTextExcerpt(body);
  if (receiptText.trimEnd() === excerpt.trimEnd()) return 'exact';
  const r = fold(receiptText);
  const e = fold(excerpt);
  if (r === '') return 'lenient';
  if (r.length === e.length) return sameWithWildcards(r, e) ? 'lenient' : 'none';
  const [shorter, longer] = r.length < e.length ? [r, e] : [e, r];
  return shorter.length > 0 && sameWithWildcards(shorter, longer.slice(0, shorter.length)) ? 'lenient' : 'none';
}

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[^\x20-\x7e]/g, '?');
}

function sameWithWildcards(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i += 1) {
    if (a[i] !== b[i] && a[i] !== '?' && b[i] !== '?') return false;
  }
  return true;
}

/**
 * Picks the candidate: exact text matches beat lenient ones; within the better group the oldest wins. If that
 * oldest one is still `sending`, the answer is to wait, unless `acceptSending` (the last attempt): taking a
 * newer `sent` message instead would give the receipt to the wrong one of two identical texts.
 */
export function chooseCandidate(
  receiptText: string,
  candidates: readonly ReceiptCandidate[],
  options: { acceptSending: boolean },
): CandidateChoice {
  const scored = candidates
    .map((candidate) => ({ candidate, text: compareReceiptText(receiptText, candidate.body) }))
    .filter((each): each is { candidate: ReceiptCandidate; text: 'exact' | 'lenient' } => each.text !== 'none');
  const exact = scored.filter((each) => each.text === 'exact');
  const pool = (exact.length > 0 ? exact : scored).sort(
    (a, b) => a.candidate.sentAt.getTime() - b.candidate.sentAt.getTime() || a.candidate.sid.localeCompare(b.candidate.sid),
  );
  const best = pool[0];
  if (best === undefined) return { kind: 'none' };
  if (best.candidate.status === 'sending' && !options.acceptSending) return { kind: 'wait', candidate: best.candidate };
  return { kind: 'matched', candidate: best.candidate, text: best.text };
}

/**
 * Open outbound messages from `toUser` (our original From) to `fromUser` (the handset), sent within the window,
 * not already settled by another receipt (messages.receipt); oldest first. Not locked (store/receipt-candidate-store.ts
 * says why): the caller locks only the one it picks, with `lockOpenCandidate`.
 */
export async function findReceiptCandidates(
  query: SqlQuery,
  options: { fromUser: string; toUser: string; window: { from: Date; to: Date } | null; limit?: number },
): Promise<ReceiptCandidate[]> {
  return findOpenCandidates(query, {
    handsetForms: addressForms(options.fromUser), senderForms: addressForms(options.toUser), window: options.window, limit: options.limit ?? 50,
  });
}

/**
 * Other spellings under which an SMPP receipt id may have been stored from submit_sm_resp: other letter case,
 * without leading zeros, and decimal <-> hex (SMSCs often quote the id in decimal in the text but return it in
 * hex). The id as written is not among them: it is looked up on its own, first (findSmppSubmission).
 */
export function smscIdForms(id: string): string[] {
  const trimmed = id.trim();
  const forms = new Set([trimmed.toLowerCase(), trimmed.toUpperCase()]);
  if (/^\d{1,40}$/.test(trimmed)) {
    forms.add(BigInt(trimmed).toString(10));
    forms.add(BigInt(trimmed).toString(10).padStart(10, '0'));
    forms.add(BigInt(trimmed).toString(16));
    forms.add(BigInt(trimmed).toString(16).toUpperCase());
  }
  if (/^[0-9a-f]{1,40}$/i.test(trimmed)) {
    const decimal = BigInt(`0x${trimmed}`).toString(10);
    // RestComm and many SMSCs zero-pad decimal ids to 10 digits.
    forms.add(decimal);
    forms.add(decimal.padStart(10, '0'));
  }
  forms.delete(trimmed);
  forms.delete('');
  return [...forms];
}

/** How an SMPP receipt id found its submission: as stored, by another spelling, or not (several candidates). */
export type SmscIdMatch = 'exact' | 'alternate' | 'ambiguous';

export type SmppSubmissionLookup =
  /** `id` is the smsc_submissions row of the part, or null for a single-part message that keeps its id itself. */
  | { kind: 'exact' | 'alternate'; id: string | null; messageSid: string }
  | { kind: 'ambiguous'; candidates: number }
  | { kind: 'none' };

/**
 * The submission an SMPP receipt id belongs to. A single-part message keeps its SMSC id on the message
 * (messages.smsc_message_id); a multipart one has one smsc_submissions row per part (and older single-part
 * messages do too): the message is looked up first, then the parts. The id as stored always wins (the latest
 * submission carrying it, should the SMSC reuse ids). Only when it finds nothing, and only if `alternates` is
 * allowed, are the other spellings tried, and then only a single candidate is taken: with an SMSC that hands
 * out sequential ids, "30" read as hex is the id 48 of another message, so two candidates mean the spelling
 * tells nothing.
 */
export async function findSmppSubmission(
  query: SqlQuery,
  smscMessageId: string,
  options: { alternates: boolean },
): Promise<SmppSubmissionLookup> {
  const exact = await findSmppIdAsStored(query, smscMessageId.trim());
  if (exact !== undefined) return { kind: 'exact', id: exact.id, messageSid: exact.messageSid };
  const forms = smscIdForms(smscMessageId);
  if (!options.alternates || forms.length === 0) return { kind: 'none' };
  const rows = await findSmppIdSpellings(query, forms);
  const [only] = rows;
  if (only === undefined) return { kind: 'none' };
  if (rows.length > 1) return { kind: 'ambiguous', candidates: rows.length };
  return { kind: 'alternate', id: only.id, messageSid: only.messageSid };
}
