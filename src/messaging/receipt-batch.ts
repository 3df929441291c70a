// Delivery receipts, many at a time. Receipts arrive as fast as messages are sent, and one transaction of ten
// statements per receipt made them the database's main load; here a batch of receipts costs about ten
// statements in all, whatever its size:
//   repeats - advisory locks on the receipts' repeat keys, one lookup of earlier copies (rows, messages.receipt);
//   match   - SMPP singles (smpp-receipt-batch.ts), corrections (one lookup), SIP (sip-receipt-batch.ts): one
//             candidate query for every (handset, sender) pair, the choice in memory, one lock of the chosen
//             messages in sid order that re-checks they are still open;
//   apply   - the status changes (messages.receipt for a settling receipt), events and callbacks through
//             status-change.ts, one insert of the receipts that settle nothing (receipt-record.ts).
// What does not fit goes the one-at-a-time way (apply-receipt.ts attemptMatch). The results are exactly those
// of applySipReceipt / applySmppReceipt, one per input, in order.
//
// createReceiptBatcher puts this behind a group commit (store/group-commit.ts): the SIP handler answers 200, and
// the ESME deliver_sm_resp, only after the batch that holds the receipt has committed. Before a batch it waits,
// in memory, for this instance's unwritten outcomes its receipts report on (dispatch/pending-outcomes.ts).
import { mapReceiptStatus, parseDeliveryReceipt } from '../encoding/index.js';
import type { Database, SqlQuery } from '../store/database.js';
import { claimParkedReceipts, findEarlierCopies, repeatKey } from '../store/delivery-receipt-store.js';
import { createGroupCommit } from '../store/group-commit.js';
import { findCorrectionTargets } from '../store/receipt-store.js';
import {
  applySipReceipt, applySmppReceipt, attemptMatch, DEFAULT_RECEIPT_POLICY, mayCorrect, REPEAT_WINDOW_MS, sipReceiptFields,
  smppReceiptFields, type ApplyReceiptResult, type ReceiptPolicy, type SipReceiptInput, type SmppReceiptInput,
} from './apply-receipt.js';
import { freshReceipt, messagePlace, repeatProbe, type ReceiptFields, type ReceiptToMatch } from './receipt-record.js';
import { matchSipBatch } from './sip-receipt-batch.js';
import { settleSmppSingles } from './smpp-receipt-batch.js';

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
  const sip: Array<{ index: number; receipt: ReceiptToMatch }> = [];
  for (const [index, receipt] of receipts.entries()) {
    if (results[index] !== undefined) continue;
    if (receipt.source === 'sip' && !corrections.has(index)) sip.push({ index, receipt });
    else results[index] = await attemptMatch(query, { receipt, policy });
  }
  for (const [index, result] of await matchSipBatch(query, sip, policy)) results[index] = result;
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

/** Parked receipts due for another attempt, claimed for this transaction (other instances skip them). */
export async function retryParkedReceipts(
  db: Database,
  options: { limit: number; policy?: ReceiptPolicy },
): Promise<ApplyReceiptResult[]> {
  const policy = options.policy ?? DEFAULT_RECEIPT_POLICY;
  return db.transaction(async (query) => matchReceiptsWith(query, await claimParkedReceipts(query, options.limit), policy));
}
