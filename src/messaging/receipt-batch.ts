// Delivery receipts, many at a time. Receipts arrive as fast as messages are sent, and one transaction of ten
// statements per receipt made them the database's main load; here a batch of receipts costs about ten
// statements in all, whatever its size:
//   store   - advisory locks on the receipts' repeat keys, one lookup of earlier copies, one multi-row INSERT;
//   match   - one candidate query for every (handset, sender) pair in the batch, the choice in memory
//             (receipt-matcher.ts's rules; two receipts of one batch never take the same message), one lock of
//             the chosen messages in sid order, one re-check that no other receipt settled them meanwhile;
//   apply   - the status changes, events and callbacks through status-change.ts, one UPDATE of the receipts.
// A chosen message that another transaction took meanwhile sends its receipt down the one-at-a-time path
// (apply-receipt.ts attemptMatch), which chooses again. SMPP receipts are matched exactly by id: one lookup for
// the batch (store/receipt-store.ts), the final receipts of single-part messages settled together; parts of
// multipart messages and ids not found as stored go the one-at-a-time way. The results are exactly those of
// applySipReceipt / applySmppReceipt, one per input, in order.
//
// createReceiptBatcher puts this behind a group commit (store/group-commit.ts): the SIP handler answers 200, and
// the ESME deliver_sm_resp, only after the batch that holds the receipt has committed. Before a batch it waits,
// in memory, for this instance's unwritten outcomes its receipts report on (dispatch/pending-outcomes.ts).
import { mapReceiptStatus, parseDeliveryReceipt, type MappedReceipt } from '../encoding/index.js';
import type { Database, SqlQuery } from '../store/database.js';
import {
  claimParkedReceipts, findEarlierCopies, insertReceipts, repeatKey, updateReceiptAttempts,
} from '../store/delivery-receipt-store.js';
import { createGroupCommit } from '../store/group-commit.js';
import {
  findCorrectionTargets, findSmppIdsExact, lockMessagesForReceipts, markSubmissions, type SmppIdHit,
} from '../store/receipt-store.js';
import {
  applySipReceipt, applySmppReceipt, attemptMatch, DEFAULT_RECEIPT_POLICY, mayCorrect, REPEAT_WINDOW_MS, sipReceiptFields,
  smppReceiptFields, type ApplyReceiptResult, type ReceiptPolicy, type SipReceiptInput, type SmppReceiptInput,
} from './apply-receipt.js';
import { addressForms, chooseCandidate, submitWindow, type ReceiptCandidate } from './receipt-matcher.js';
import {
  freshReceipt, messagePlace, receiptEventDetail, repeatProbe, retryDelayMs, settlingReceipt, type ReceiptFields,
  type ReceiptToMatch,
} from './receipt-record.js';
import { applyStatusChangesWith, recordMessageEvents, type MessageEventInput, type StatusChange } from './status-change.js';

export interface ReceiptBatcher {
  /** Stores and applies one SIP receipt; resolves after the batch holding it has committed. */
  applySipReceipt(input: SipReceiptInput): Promise<ApplyReceiptResult>;
  /**
   * Stores and applies one SMPP receipt (deliver_sm); resolves after the batch holding it has committed, so that
   * deliver_sm_resp goes only once the receipt is durable.
   */
  applySmppReceipt(input: SmppReceiptInput): Promise<ApplyReceiptResult>;
  readonly pending: number;
  /** Resolves when every accepted item has committed (or failed). */
  idle(): Promise<void>;
}

/**
 * This instance's send outcomes not yet written (dispatch/pending-outcomes.ts): a receipt for one of them waits
 * in memory for that write instead of being parked in the database.
 */
export interface UnwrittenOutcomes {
  forSmscId(smscMessageId: string): Promise<void> | null;
  forAddresses(handset: string, sender: string): Promise<void> | null;
  readonly maxWaitMs: number;
}

export interface ReceiptBatcherOptions {
  db: Database;
  policy?: ReceiptPolicy;
  /**
   * Runs before each batch, e.g. to write this instance's buffered "sent" outcomes first: a receipt that beats
   * our own "sent" write finds its message still `sending` and must be parked and retried later.
   */
  beforeBatch?: () => Promise<void>;
  /** Outcomes answered but not written yet: the batch waits for those its receipts report on. */
  unwritten?: UnwrittenOutcomes;
  maxBatchSize?: number;
}

/** One receipt as the batcher takes it: SIP (MESSAGE body) or SMPP (deliver_sm). */
export type ReceiptInput = ({ source: 'sip' } & SipReceiptInput) | ({ source: 'smpp' } & SmppReceiptInput);

export function createReceiptBatcher(options: ReceiptBatcherOptions): ReceiptBatcher {
  const { db } = options;
  const policy = options.policy ?? DEFAULT_RECEIPT_POLICY;
  const commits = createGroupCommit<ReceiptInput, ApplyReceiptResult>({
    async writeBatch(inputs) {
      await options.beforeBatch?.();
      if (options.unwritten) await waitForOutcomes(inputs, options.unwritten);
      return db.transaction((query) => applyReceiptsWith(query, inputs, { policy, kind: db.kind }));
    },
    writeOne: (input) => (input.source === 'sip'
      ? applySipReceipt(db, { ...stripSource(input), policy })
      : applySmppReceipt(db, { ...stripSource(input), policy })),
    maxBatchSize: options.maxBatchSize ?? 200,
  });
  return {
    applySipReceipt(input) {
      // Refuse a text that is no receipt here, so that it cannot fail the batch of the others.
      if (parseDeliveryReceipt(input.rawText) === null) return Promise.reject(new Error('not a delivery receipt (no id: or stat:)'));
      return commits.submit({ ...input, source: 'sip' });
    },
    applySmppReceipt(input) {
      return commits.submit({ ...input, source: 'smpp' });
    },
    get pending() {
      return commits.pending;
    },
    idle: () => commits.idle(),
  };
}

function stripSource<T extends { source: string }>(input: T): Omit<T, 'source'> {
  const { source: _source, ...rest } = input;
  return rest;
}

/**
 * Waits (at most `maxWaitMs`) for the unwritten outcomes the batch's receipts report on: by SMSC id for SMPP, by
 * handset and sender for SIP. Called after the group commit's own turn of the event loop, so a submit answer that
 * arrived in the same read as its receipt has been registered by then.
 */
export async function waitForOutcomes(inputs: readonly ReceiptInput[], unwritten: UnwrittenOutcomes): Promise<void> {
  const waits = inputs.map((input) => (input.source === 'smpp'
    ? (input.smscMessageId.trim() === '' ? null : unwritten.forSmscId(input.smscMessageId))
    : unwritten.forAddresses(input.fromUser, input.toUser)));
  const pending = waits.filter((w): w is Promise<void> => w !== null);
  if (pending.length === 0) return;
  await waitAtMost(Promise.all(pending), unwritten.maxWaitMs);
}

async function waitAtMost(wait: Promise<unknown>, maxMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, maxMs);
  });
  await Promise.race([wait.then(() => undefined), timeout]);
  clearTimeout(timer);
}

/** Applies SIP receipts inside the caller's transaction. One result per input. */
export async function applySipReceiptsWith(
  query: SqlQuery,
  inputs: readonly SipReceiptInput[],
  options: { policy: ReceiptPolicy; kind: Database['kind'] },
): Promise<ApplyReceiptResult[]> {
  return applyReceiptsWith(query, inputs.map((input) => ({ ...input, source: 'sip' as const })), options);
}

/** Applies receipts of either road inside the caller's transaction; repeats are absorbed. One result per input. */
export async function applyReceiptsWith(
  query: SqlQuery,
  inputs: readonly ReceiptInput[],
  options: { policy: ReceiptPolicy; kind: Database['kind'] },
): Promise<ApplyReceiptResult[]> {
  const fields = inputs.map((input) => (input.source === 'smpp' ? smppReceiptFields(input) : sipReceiptFields(input)));
  const screened = await screenRepeats(query, fields, options);
  const fresh = screened.flatMap((s) => ('receipt' in s ? [s.receipt] : []));
  const matched = await matchReceiptsWith(query, fresh, options.policy);
  const resultOf = new Map(fresh.map((receipt, i) => [receipt, matched[i] as ApplyReceiptResult]));
  return screened.map((s) => {
    if ('receipt' in s) return resultOf.get(s.receipt) as ApplyReceiptResult;
    if ('duplicateOf' in s) return s.duplicateOf;
    // A second copy inside this batch repeats the first one (matched just now).
    const first = resultOf.get(s.copyOf) as ApplyReceiptResult;
    return { outcome: 'duplicate', receiptId: first.receiptId, messageSid: first.outcome === 'matched' ? first.messageSid : null };
  });
}

type Screened = { receipt: ReceiptToMatch } | { duplicateOf: ApplyReceiptResult } | { copyOf: ReceiptToMatch };

/**
 * Sorts out the receipts that repeat one received in the last 72 hours (a row, or the receipt that settled a
 * message) or an earlier one of this batch. The rest are new: matched next, written only if they settle nothing.
 */
async function screenRepeats(
  query: SqlQuery,
  all: readonly ReceiptFields[],
  options: { policy: ReceiptPolicy; kind: Database['kind'] },
): Promise<Screened[]> {
  const sameKey = (f: ReceiptFields) => `${f.source}\u0000${f.fromAddress}\u0000${f.toAddress}\u0000${repeatKey(f)}`;
  const firstOf = new Map<string, number>();
  all.forEach((f, i) => { if (!firstOf.has(sameKey(f))) firstOf.set(sameKey(f), i); });
  const unique = [...firstOf.values()].map((i) => all[i] as ReceiptFields);
  const copies = await findEarlierCopies(query, unique.map((f) => repeatProbe(f, options.policy.rules)), {
    kind: options.kind, windowMs: REPEAT_WINDOW_MS,
  });
  const copyOf = new Map(copies.map((c) => [c.index, c]));
  const now = new Date();
  const outcomeOfKey = new Map<string, Screened>();
  unique.forEach((f, i) => {
    const copy = copyOf.get(i);
    outcomeOfKey.set(sameKey(f), copy === undefined
      ? { receipt: freshReceipt(f, now) }
      : { duplicateOf: { outcome: 'duplicate', receiptId: copy.receiptId, messageSid: copy.messageSid } });
  });
  return all.map((f, i) => {
    const outcome = outcomeOfKey.get(sameKey(f)) as Screened;
    if (firstOf.get(sameKey(f)) === i || !('receipt' in outcome)) return outcome;
    return { copyOf: outcome.receipt };
  });
}

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

/**
 * One more match attempt for each receipt, inside the caller's transaction; one result per receipt, in order.
 * The same decisions as attemptMatch, taken for the whole batch at once.
 */
export async function matchReceiptsWith(
  query: SqlQuery,
  receipts: readonly ReceiptToMatch[],
  policy: ReceiptPolicy,
): Promise<ApplyReceiptResult[]> {
  const results: Array<ApplyReceiptResult | undefined> = new Array(receipts.length);
  // Final SMPP receipts of open single-part messages, found by their id as stored: settled together.
  for (const [index, result] of await settleSmppSingles(query, receipts, policy)) results[index] = result;
  // A correction of a message an earlier receipt settled goes the single-receipt way (apply-receipt.ts).
  const corrections = await findCorrections(query, receipts, policy);
  const plans: Array<{ index: number; plan: SipPlan }> = [];
  for (const [index, receipt] of receipts.entries()) {
    if (results[index] !== undefined) continue;
    if (receipt.source === 'sip' && !corrections.has(index)) {
      const attempt = receipt.matchAttempts + 1;
      const mapped = mapReceiptStatus(receipt.stat, receipt.err);
      const lastAttempt = attempt >= policy.maxMatchAttempts || !mapped.final;
      plans.push({ index, plan: { receipt, attempt, mapped, lastAttempt, window: submitWindow(receipt.submitDate, policy.rules), chosen: null } });
    } else {
      results[index] = await attemptMatch(query, { receipt, policy });
    }
  }
  await chooseForBatch(query, plans.map((p) => p.plan));
  const contested = await lockChosen(query, plans.map((p) => p.plan));
  const written = await writePlans(query, plans.map((p) => p.plan).filter((plan) => !contested.has(plan)), policy);
  for (const { index, plan } of plans) {
    // Another transaction took the chosen message meanwhile: choose again, one receipt at a time.
    results[index] = contested.has(plan) ? await attemptMatch(query, { receipt: plan.receipt, policy }) : written.get(plan);
  }
  return results as ApplyReceiptResult[];
}

/** The final SIP receipts of the batch that correct a message settled before (one statement for them all). */
async function findCorrections(query: SqlQuery, receipts: readonly ReceiptToMatch[], policy: ReceiptPolicy): Promise<Set<number>> {
  const windowMs = policy.correctionWindowMs ?? 0;
  const candidates = [...receipts.entries()].filter(([, r]) => r.source === 'sip' && mayCorrect(r, windowMs)
    && mapReceiptStatus(r.stat, r.err).final);
  const hits = await findCorrectionTargets(query, candidates.map(([, r]) => ({
    source: r.source, smscMessageId: r.smscMessageId as string, fromAddress: r.fromAddress, toAddress: r.toAddress,
    ...messagePlace(r, policy.rules),
  })), windowMs);
  return new Set(hits.map((hit) => (candidates[hit.index] as [number, ReceiptToMatch])[0]));
}

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

async function settleSmppSingles(
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

/** Most open messages considered for one receipt, as in attemptMatch. */
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
  const rows: Array<{ group: number; toForm: string; fromForm: string; from: string | null; to: string | null; limit: number; patterns: string }> = [];
  const grouped = [...groups.values()];
  grouped.forEach((members, group) => {
    const first = members[0] as SipPlan;
    // One query per pair covers every member's window: the union of them (none if any member has none).
    const windows = members.map((m) => m.window);
    const from = windows.some((w) => w === null) ? null : new Date(Math.min(...windows.map((w) => (w as { from: Date }).from.getTime())));
    const to = from === null ? null : new Date(Math.max(...windows.map((w) => (w as { to: Date }).to.getTime())));
    const patterns = [...new Set(members.map((m) => prefixPattern(m.receipt.text)).filter((p) => p !== null))].join(PATTERN_SEPARATOR);
    for (const toForm of addressForms(first.receipt.fromAddress)) {
      for (const fromForm of addressForms(first.receipt.toAddress)) {
        rows.push({
          group, toForm, fromForm, from: from?.toISOString() ?? null, to: to?.toISOString() ?? null,
          limit: RECEIPT_CANDIDATE_LIMIT + members.length, patterns,
        });
      }
    }
  });
  const open = `m.to_address = g.to_form AND m.from_address = g.from_form
         AND m.direction LIKE 'outbound%' AND m.status IN ('sent', 'sending')
         AND (g.win_from IS NULL OR COALESCE(m.date_sent, m.date_updated) BETWEEN g.win_from AND g.win_to)
         AND m.receipt IS NULL`;
  const columns = 'm.sid, m.status, m.body, COALESCE(m.date_sent, m.date_updated) AS sent_at';
  const order = 'ORDER BY COALESCE(m.date_sent, m.date_updated), m.sid LIMIT g.lim';
  const found = await query<{ grp: number; sid: string; status: string; body: string; sent_at: Date }>(
    `SELECT g.grp, c.sid, c.status, c.body, c.sent_at
     FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::text[])
       AS g(grp, to_form, from_form, win_from, win_to, lim, patterns)
     CROSS JOIN LATERAL (
       (SELECT ${columns} FROM messages m WHERE ${open} ${order})
       UNION
       (SELECT ${columns} FROM messages m WHERE ${open}
          AND g.patterns <> '' AND m.body LIKE ANY (string_to_array(g.patterns, E'\\x1f')) ${order})
     ) c`,
    [
      rows.map((r) => r.group), rows.map((r) => r.toForm), rows.map((r) => r.fromForm), rows.map((r) => r.from),
      rows.map((r) => r.to), rows.map((r) => r.limit), rows.map((r) => r.patterns),
    ],
  );
  const candidatesOf = new Map<number, ReceiptCandidate[]>();
  for (const row of found) {
    candidatesOf.set(row.grp, [...(candidatesOf.get(row.grp) ?? []), { sid: row.sid, status: row.status, body: row.body, sentAt: new Date(row.sent_at) }]);
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

/** Separates a group's LIKE patterns in one text parameter (split again in SQL). */
const PATTERN_SEPARATOR = '\u001f';

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
  const locked = await query<{ sid: string; date_sent: Date | null; date_updated: Date }>(
    `SELECT sid, date_sent, date_updated FROM messages
     WHERE sid = ANY($1::text[]) AND status IN ('sent', 'sending') AND receipt IS NULL ORDER BY sid FOR NO KEY UPDATE`,
    [sids],
  );
  const open = new Map(locked.map((row) => [row.sid, row]));
  const contested = new Set<SipPlan>();
  for (const plan of chosen) {
    const row = open.get((plan.chosen as ReceiptCandidate).sid);
    if (row === undefined) {
      contested.add(plan);
      continue;
    }
    // A message still `sending` has no date_sent yet; the receipt proves it left us, when it was claimed.
    if (row.date_sent === null) plan.dateSent = new Date(row.date_updated);
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
 * Writes each receipt's attempt: a new row for a new receipt that settles nothing (one INSERT for all), an update
 * of the row a receipt already has (one UPDATE). A new settling receipt writes nothing here. Rows by receipt.
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

/** Parked receipts due for another attempt, claimed for this transaction (other instances skip them). */
export async function retryParkedReceipts(
  db: Database,
  options: { limit: number; policy?: ReceiptPolicy },
): Promise<ApplyReceiptResult[]> {
  const policy = options.policy ?? DEFAULT_RECEIPT_POLICY;
  return db.transaction(async (query) => matchReceiptsWith(query, await claimParkedReceipts(query, options.limit), policy));
}
