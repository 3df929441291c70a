// The one place that moves an outbound message forward through its status machine (architecture.md):
//   queued ─▶ sending ─▶ sent ─▶ delivered | undelivered        (failed from any earlier step; canceled from queued)
// The ordinary history stays on the message row (smsc_result and smsc_message_id of the attempt that decided it,
// date_sent; the settling receipt is messages.receipt); only exceptional changes write a `message_events` row (a
// change that did not apply, a correction, an expiry...). Each transition after the initial status also queues a
// `status_callback` webhook (the transaction's outbox row, webhooks/outbox.ts), in the same transaction. Batched,
// set-based: one statement per table per batch (store/status-change-store.ts), because this is the hot path (one
// statement per row caps near 4,000 rows/s). The machine itself: status-machine.ts.
//
// The dispatcher's own bookkeeping (claiming queued → sending, releasing sending → queued for a retry) is not a
// customer-visible transition and lives in dispatch/claim.ts.
import { randomUUID } from 'node:crypto';
import type { Database, SqlQuery } from '../store/database.js';
import {
  findCallbackMessages, findCallbackTargets, insertMessageEvents, updateStatuses, type MessageEventRow, type UpdatedMessage,
} from '../store/status-change-store.js';
import { statusCallbackParams } from '../webhooks/webhook-params.js';
import { restcommStatusCallbackParams } from '../webhooks/restcomm-callback-params.js';
import { queueWebhooks } from '../webhooks/outbox.js';
import type { OutboundStatus } from './status-machine.js';

export { canTransition, type OutboundStatus } from './status-machine.js';

export interface StatusCallbackTarget {
  url: string;
  method: string;
}

/** Where the status callbacks of these messages go; messages without a callback URL are absent from the map. */
export async function findStatusCallbackTargets(query: SqlQuery, sids: readonly string[]): Promise<Map<string, StatusCallbackTarget>> {
  const rows = await findCallbackTargets(query, sids);
  const targets = new Map<string, StatusCallbackTarget>();
  for (const row of rows) if (row.callback_url) targets.set(row.sid, { url: row.callback_url, method: row.callback_method ?? 'POST' });
  return targets;
}

export interface StatusChange {
  sid: string;
  status: OutboundStatus;
  errorCode?: number | null;
  errorMessage?: string | null;
  dateSent?: Date;
  /**
   * The step, as Events.json lists it. Written as a `message_events` row unless it is ordinary history kept on the
   * message row: an applied change that is not a correction and carries `smscResult` or is a `receipt`. A change
   * that does not apply (a late receipt) is still history: it always gets a row.
   */
  event: { type: string; detail: object };
  /** The SMSC's answer to the attempt that decided the message (messages.smsc_result): the send_attempt detail. */
  smscResult?: Record<string, unknown>;
  /** SMPP single-part: the SMSC's message id (messages.smsc_message_id), which its receipt quotes. */
  smscMessageId?: string | null;
  /**
   * The final receipt that settles the message (messages.receipt: source, rawText, stat, err, submitDate, doneDate,
   * text, smscMessageId, dateReceived). A correction keeps the receipt it corrects there; its own is its event row.
   */
  receipt?: Record<string, unknown>;
  /** The receipt's `done date` (YYMMDDhhmm), passed on as RawDlrDoneDate. */
  rawDlrDoneDate?: string | null;
  /**
   * A receipt may correct an earlier final receipt (delivered <-> undelivered, or to failed) set less than this
   * long ago: the Restcomm SMSC sends its own DELIVRD before the operator's UNDELIV (smscgateway issue 305).
   */
  correctionWindowMs?: number;
}

export interface StatusChangeOptions {
  /** Whether the `sending` transition also produces a callback (Twilio does not document it). */
  sendingCallbacks: boolean;
  /** `webhook_deliveries.max_attempts` of the callbacks created. */
  callbackMaxAttempts: number;
  /** How long after creation a callback may still be attempted. */
  callbackDeadlineMs: number;
}

export const DEFAULT_STATUS_CHANGE_OPTIONS: StatusChangeOptions = {
  sendingCallbacks: false,
  callbackMaxAttempts: 2,
  callbackDeadlineMs: 24 * 60 * 60 * 1000,
};

export interface StatusChangeResult {
  sid: string;
  status: OutboundStatus;
  /** False when the message is missing or the transition is not allowed from its current status. */
  applied: boolean;
  callbackQueued: boolean;
}

/** Applies the changes in one transaction. Changes to the same message are applied in the order given. */
export async function applyStatusChanges(
  db: Database,
  changes: readonly StatusChange[],
  options: StatusChangeOptions = DEFAULT_STATUS_CHANGE_OPTIONS,
): Promise<StatusChangeResult[]> {
  if (changes.length === 0) return [];
  return db.transaction((query) => applyStatusChangesWith(query, changes, options));
}

/** The same, inside a transaction the caller already holds (so it can commit other writes with it). */
export async function applyStatusChangesWith(
  query: SqlQuery,
  changes: readonly StatusChange[],
  options: StatusChangeOptions = DEFAULT_STATUS_CHANGE_OPTIONS,
): Promise<StatusChangeResult[]> {
  const results: StatusChangeResult[] = [];
  for (const round of splitIntoRounds(changes)) results.push(...(await applyRound(query, round, options)));
  // Back to input order, so that callers can zip results with their changes.
  return orderLike(changes, results);
}

/** A statement updates each row once, so a batch with two changes for one message runs as two rounds. */
function splitIntoRounds(changes: readonly StatusChange[]): StatusChange[][] {
  const rounds: StatusChange[][] = [];
  const seen = new Map<string, number>();
  for (const change of changes) {
    const round = seen.get(change.sid) ?? 0;
    seen.set(change.sid, round + 1);
    (rounds[round] ??= []).push(change);
  }
  return rounds;
}

/** `results` follow the rounds' order; put them back in the order of `changes`. */
function orderLike(changes: readonly StatusChange[], results: StatusChangeResult[]): StatusChangeResult[] {
  const byChange = new Map<StatusChange, StatusChangeResult>();
  splitIntoRounds(changes).flat().forEach((change, i) => byChange.set(change, results[i] as StatusChangeResult));
  return changes.map((change) => byChange.get(change) as StatusChangeResult);
}

type UpdatedRow = UpdatedMessage;

async function applyRound(query: SqlQuery, round: StatusChange[], options: StatusChangeOptions): Promise<StatusChangeResult[]> {
  const updated = await updateStatuses(query, round.map((c) => ({
    sid: c.sid, status: c.status, errorCode: c.errorCode ?? null, errorMessage: c.errorMessage ?? null, dateSent: c.dateSent ?? null,
    correctionWindowMs: c.correctionWindowMs ?? 0, smscResult: c.smscResult ?? null, smscMessageId: c.smscMessageId ?? null,
    receipt: c.receipt ?? null,
  })));
  const bySid = new Map(updated.map((row) => [row.sid, row]));
  await insertEvents(query, round, bySid);
  const callbacks = round.flatMap((change) => {
    const row = bySid.get(change.sid);
    return row?.callback_url && wantsCallback(change.status, options) ? [{ change, row }] : [];
  });
  await insertCallbacks(query, callbacks, options);
  const queued = new Set(callbacks.map((c) => c.change.sid));
  return round.map((c) => ({ sid: c.sid, status: c.status, applied: bySid.has(c.sid), callbackQueued: queued.has(c.sid) }));
}

function wantsCallback(status: OutboundStatus, options: StatusChangeOptions): boolean {
  if (status === 'sending') return options.sendingCallbacks;
  return status !== 'queued' && status !== 'accepted' && status !== 'scheduled';
}

/** The event of a change that replaced a final status says which one it corrected. */
function withCorrection(detail: object, row: UpdatedRow): object {
  return isCorrection(row) ? { ...detail, correctedFrom: row.old_status } : detail;
}

/** Whether the change is ordinary history, kept on the message row (StatusChange.event). */
function keptOnRow(change: StatusChange, row: UpdatedRow | undefined): boolean {
  if (row === undefined || isCorrection(row)) return false;
  return change.smscResult !== undefined || change.event.type === 'receipt';
}

function isCorrection(row: UpdatedRow): boolean {
  return row.old_status === 'delivered' || row.old_status === 'undelivered';
}

async function insertEvents(query: SqlQuery, round: StatusChange[], applied: Map<string, UpdatedRow>): Promise<void> {
  await recordMessageEvents(
    query,
    round.filter((c) => !keptOnRow(c, applied.get(c.sid))).map((c) => ({
      sid: c.sid,
      type: c.event.type,
      status: applied.has(c.sid) ? c.status : null,
      detail: applied.has(c.sid) ? withCorrection(c.event.detail, applied.get(c.sid) as UpdatedRow) : { ...c.event.detail, ignoredStatus: c.status },
    })),
  );
}

export interface MessageEventInput extends MessageEventRow {
  /** e.g. status, route, send_attempt, receipt, lease_expired */
  type: string;
  /** The status the message took with this event, or null when it did not change. */
  status: string | null;
}

/** Appends events in the order given (ids grow in that order); events of unknown messages are skipped. */
export async function recordMessageEvents(query: SqlQuery, events: readonly MessageEventInput[]): Promise<void> {
  await insertMessageEvents(query, events);
}

async function insertCallbacks(
  query: SqlQuery,
  callbacks: Array<{ change: StatusChange; row: UpdatedRow }>,
  options: StatusChangeOptions,
): Promise<void> {
  if (callbacks.length === 0) return;
  const params = callbacks.map(({ change, row }): Record<string, string> =>
    row.api_dialect === 'restcomm' ? restcommStatusCallbackParams({
        messageSid: row.sid, accountSid: row.account_sid, from: row.from_address ?? '', to: row.to_address, body: row.body,
        status: change.status,
        errorCode: change.status === 'failed' || change.status === 'undelivered' ? change.errorCode : null,
      }) : statusCallbackParams({
        messageSid: row.sid,
        accountSid: row.account_sid,
        from: row.from_address ?? '',
        to: row.to_address,
        messagingServiceSid: row.messaging_service_sid,
        status: change.status,
        errorCode: change.status === 'failed' || change.status === 'undelivered' ? change.errorCode : null,
        rawDlrDoneDate: change.rawDlrDoneDate,
      }),
  );
  // One outbox row per transaction (webhooks/outbox.ts), attempted from memory after the commit.
  await queueWebhooks(query, callbacks.map(({ row }, i) => ({
    token: randomUUID(),
    accountSid: row.account_sid,
    messageSid: row.sid,
    kind: 'status_callback',
    url: row.callback_url ?? '',
    method: row.callback_method ?? 'POST',
    fallbackUrl: null,
    fallbackMethod: null,
    params: params[i] as Record<string, string>,
    maxAttempts: options.callbackMaxAttempts,
    deadlineMs: options.callbackDeadlineMs,
  })));
}

/**
 * Queues status callbacks for transitions recorded elsewhere (the dispatcher's claim, which moves queued →
 * sending in its own statement). Returns how many were queued.
 */
export async function queueStatusCallbacks(
  query: SqlQuery,
  items: ReadonlyArray<Pick<StatusChange, 'sid' | 'status' | 'errorCode' | 'rawDlrDoneDate'>>,
  options: StatusChangeOptions = DEFAULT_STATUS_CHANGE_OPTIONS,
): Promise<number> {
  if (items.length === 0) return 0;
  const rows = await findCallbackMessages(query, items.map((i) => i.sid));
  const bySid = new Map(rows.map((row) => [row.sid, row]));
  const callbacks = items.flatMap((item) => {
    const row = bySid.get(item.sid);
    const change: StatusChange = { ...item, event: { type: 'status', detail: {} } };
    return row?.callback_url ? [{ change, row }] : [];
  });
  await insertCallbacks(query, callbacks, options);
  return callbacks.length;
}
