// What the console reads beyond the Twilio API, and its one write (redeliver a failed webhook). Every function
// takes the account the request was authorised for (the API's account rule, src/api/auth.ts) and reads only rows
// of that account, so a subaccount's console shows exactly what its API credentials could reach.
import type { Database } from './database.js';
import type { MessageRecord } from '../messaging/ports.js';
import { MESSAGE_COLUMNS } from './message-columns.js';

export interface MinuteCount {
  /** Start of the minute. */
  minute: Date;
  status: string;
  count: number;
}

export interface ErrorCount {
  code: number;
  message: string | null;
  count: number;
}

export interface AccountOverview {
  /** Messages created per minute over the last `minutes`, by their current status. */
  perMinute: MinuteCount[];
  /** Outbound messages waiting for the dispatcher, and those handed to the SMSC without an answer yet. */
  queued: number;
  sending: number;
  /** Messages of the last 24 hours that carry an error code, by code, most frequent first. */
  errors: ErrorCount[];
  failedWebhooks: number;
  unmatchedReceipts: number;
}

export async function accountOverview(db: Database, options: { accountSid: string; minutes: number }): Promise<AccountOverview> {
  const { accountSid } = options;
  const [perMinute, depth, errors, failed, unmatched] = await Promise.all([
    db.query<{ minute: Date; status: string; count: number }>(
      `SELECT date_trunc('minute', date_created) AS minute, status, count(*)::int AS count
       FROM messages WHERE account_sid = $1 AND date_created >= date_trunc('minute', now()) - $2 * interval '1 minute'
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [accountSid, options.minutes - 1],
    ),
    db.query<{ status: string; count: number }>(
      `SELECT status, count(*)::int AS count FROM messages
       WHERE next_attempt_at IS NOT NULL AND status IN ('queued', 'sending') AND account_sid = $1 GROUP BY status`,
      [accountSid],
    ),
    db.query<ErrorCount>(
      `SELECT error_code AS code, max(error_message) AS message, count(*)::int AS count FROM messages
       WHERE account_sid = $1 AND error_code IS NOT NULL AND date_updated >= now() - interval '24 hours'
       GROUP BY error_code ORDER BY count(*) DESC, error_code LIMIT 10`,
      [accountSid],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE account_sid = $1 AND state = 'failed'`, [accountSid]),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM delivery_receipts r WHERE r.message_sid IS NULL AND ${RECEIPT_OF_ACCOUNT}`, [accountSid]),
  ]);
  const depthOf = (status: string) => depth.find((row) => row.status === status)?.count ?? 0;
  return {
    perMinute,
    queued: depthOf('queued'),
    sending: depthOf('sending'),
    errors,
    failedWebhooks: failed[0]?.n ?? 0,
    unmatchedReceipts: unmatched[0]?.n ?? 0,
  };
}

export interface MessageSearch {
  accountSid: string;
  sid?: string | undefined;
  /** Matches To or From, with or without the leading "+". */
  number?: string | undefined;
  status?: string | undefined;
  /** [from, before) on date_created: a message not yet sent still has a creation date. */
  createdFrom?: Date | undefined;
  createdBefore?: Date | undefined;
  limit: number;
}

/** Newest first. */
export async function searchMessages(db: Database, search: MessageSearch): Promise<MessageRecord[]> {
  const params: unknown[] = [search.accountSid];
  const where = ['account_sid = $1'];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (search.sid !== undefined) add((p) => `sid = ${p}`, search.sid);
  if (search.number !== undefined) {
    const digits = search.number.replace(/^\+/, '');
    add((p) => `(to_address IN (${p}, '+' || ${p}) OR from_address IN (${p}, '+' || ${p}))`, digits);
  }
  if (search.status !== undefined) add((p) => `status = ${p}`, search.status);
  if (search.createdFrom !== undefined) add((p) => `date_created >= ${p}`, search.createdFrom);
  if (search.createdBefore !== undefined) add((p) => `date_created < ${p}`, search.createdBefore);
  params.push(search.limit);
  return db.query<MessageRecord>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${where.join(' AND ')}
     ORDER BY date_created DESC, sid DESC LIMIT $${params.length}`,
    params,
  );
}

export interface WebhookAttemptRecord {
  attempt: number;
  url: string;
  httpStatus: number | null;
  latencyMs: number;
  errorCode: number | null;
  error: string | null;
  dateCreated: Date;
}

export interface WebhookDeliveryRecord {
  id: string;
  messageSid: string;
  kind: string;
  url: string;
  method: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  lastHttpStatus: number | null;
  lastError: string | null;
  dateCreated: Date;
  dateCompleted: Date | null;
  lastLatencyMs: number | null;
  attemptLog: WebhookAttemptRecord[];
}

const DELIVERY_COLUMNS = `d.id::text AS id, d.message_sid AS "messageSid", d.kind, d.url, d.method, d.state, d.attempts,
  d.max_attempts AS "maxAttempts", d.last_http_status AS "lastHttpStatus", d.last_error AS "lastError",
  d.date_created AS "dateCreated", d.date_completed AS "dateCompleted", d.last_latency_ms AS "lastLatencyMs",
  COALESCE((SELECT json_agg(json_build_object('attempt', a.attempt, 'url', a.url, 'httpStatus', a.http_status,
      'latencyMs', a.latency_ms, 'errorCode', a.error_code, 'error', a.error, 'dateCreated', a.date_created) ORDER BY a.id)
    FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::json) AS "attemptLog"`;

/**
 * json_agg hands timestamps back as text. webhook_attempts holds failed attempts only: the attempt that succeeded
 * is the delivery row itself (its last status, latency and completion time), shown last.
 */
function withDates(row: WebhookDeliveryRecord): WebhookDeliveryRecord {
  const log = row.attemptLog.map((a) => ({ ...a, dateCreated: new Date(a.dateCreated) }));
  if (row.state === 'succeeded') {
    log.push({
      attempt: row.attempts, url: row.url, httpStatus: row.lastHttpStatus, latencyMs: row.lastLatencyMs ?? 0,
      errorCode: null, error: null, dateCreated: row.dateCompleted ?? row.dateCreated,
    });
  }
  return { ...row, attemptLog: log };
}

export interface ReceiptRecord {
  id: string;
  source: string;
  rawText: string;
  fromAddress: string;
  toAddress: string;
  stat: string | null;
  err: string | null;
  messageSid: string | null;
  matchAttempts: number;
  /** Set while the receipt is parked for another match attempt. */
  nextMatchAt: Date | null;
  dateReceived: Date;
}

const RECEIPT_COLUMNS = `r.id::text AS id, r.source, r.raw_text AS "rawText", r.from_address AS "fromAddress",
  r.to_address AS "toAddress", r.stat, r.err, r.message_sid AS "messageSid", r.match_attempts AS "matchAttempts",
  r.next_match_at AS "nextMatchAt", r.date_received AS "dateReceived"`;

// A receipt carries no account. An unmatched one belongs to the account that owns the number it was sent to (our
// original From), or whose message it answers by its swapped addresses (an alphanumeric sender owns no number).
// "+" is ignored on both sides: SMSCs write numbers with and without it.
const RECEIPT_OF_ACCOUNT = `(
  EXISTS (SELECT 1 FROM phone_numbers p WHERE p.account_sid = $1 AND ltrim(p.phone_number, '+') = ltrim(r.to_address, '+'))
  OR EXISTS (SELECT 1 FROM messages m WHERE m.account_sid = $1 AND m.direction <> 'inbound'
             AND m.to_address IN (r.from_address, '+' || r.from_address) AND m.from_address IN (r.to_address, '+' || r.to_address)))`;

export interface MessageHistory {
  deliveries: WebhookDeliveryRecord[];
  receipts: ReceiptRecord[];
}

/**
 * The webhook deliveries (with every HTTP attempt) and the receipts of one message of the account; null if not its.
 * The receipt that settled the message is kept on it (messages.receipt); the others are delivery_receipts rows.
 */
export async function messageHistory(db: Database, options: { accountSid: string; sid: string }): Promise<MessageHistory | null> {
  const owner = await db.query<{ receipt: Record<string, unknown> | null }>(
    'SELECT receipt FROM messages WHERE sid = $1 AND account_sid = $2',
    [options.sid, options.accountSid],
  );
  const message = owner[0];
  if (message === undefined) return null;
  const [deliveries, rows] = await Promise.all([
    db.query<WebhookDeliveryRecord>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.message_sid = $1 ORDER BY d.id`, [options.sid]),
    db.query<ReceiptRecord>(`SELECT ${RECEIPT_COLUMNS} FROM delivery_receipts r WHERE r.message_sid = $1 ORDER BY r.id`, [options.sid]),
  ]);
  const settling = message.receipt === null ? null : settlingReceiptRecord(options.sid, message.receipt);
  // A parked receipt that settled the message later is a row too, named by messages.receipt.
  const receipts = settling === null || rows.some((r) => r.id === settling.id)
    ? rows
    : [...rows, settling].sort((a, b) => new Date(a.dateReceived).getTime() - new Date(b.dateReceived).getTime());
  return { deliveries: deliveries.map(withDates), receipts };
}

/** messages.receipt as a receipt record: matched at its first attempt (a parked one keeps its row). */
function settlingReceiptRecord(sid: string, r: Record<string, unknown>): ReceiptRecord {
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    id: str(r.receiptId) ?? `${sid}-receipt`, source: String(r.source ?? ''), rawText: str(r.rawText) ?? '',
    fromAddress: str(r.fromAddress) ?? '', toAddress: str(r.toAddress) ?? '', stat: str(r.stat), err: str(r.err), messageSid: sid,
    matchAttempts: 1, nextMatchAt: null, dateReceived: new Date(str(r.dateReceived) ?? 0),
  };
}

/** Receipts no message of the account has claimed (still parked or given up), newest first. */
export async function listUnmatchedReceipts(db: Database, options: { accountSid: string; limit: number }): Promise<ReceiptRecord[]> {
  return db.query<ReceiptRecord>(
    `SELECT ${RECEIPT_COLUMNS} FROM delivery_receipts r WHERE r.message_sid IS NULL AND ${RECEIPT_OF_ACCOUNT}
     ORDER BY r.date_received DESC, r.id DESC LIMIT $2`,
    [options.accountSid, options.limit],
  );
}

/** Webhook deliveries that ran out of attempts or time, newest first. */
export async function listFailedWebhooks(db: Database, options: { accountSid: string; limit: number }): Promise<WebhookDeliveryRecord[]> {
  const rows = await db.query<WebhookDeliveryRecord>(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.account_sid = $1 AND d.state = 'failed'
     ORDER BY d.date_completed DESC NULLS LAST, d.id DESC LIMIT $2`,
    [options.accountSid, options.limit],
  );
  return rows.map(withDates);
}

export type RedeliverOutcome =
  | { outcome: 'requeued'; delivery: WebhookDeliveryRecord }
  /** The delivery is not failed (pending or succeeded): nothing to do. */
  | { outcome: 'unchanged'; delivery: WebhookDeliveryRecord }
  | { outcome: 'not_found' };

/** How long a redelivered webhook may take before it fails again: one attempt plus the worker's backoff slack. */
const REDELIVERY_WINDOW_MINUTES = 10;

/**
 * Puts a failed delivery back in the queue for ONE more attempt (max_attempts = attempts + 1), due now. It keeps
 * its row, so its idempotency token (I-Twilio-Idempotency-Token) and signed parameters are those of the original:
 * a receiver that did get the earlier call can recognise the repeat. The state guard makes a double click or two
 * consoles requeue once. A `webhook` event on the message records who asked.
 */
export async function redeliverWebhook(db: Database, options: { accountSid: string; id: string; principal: string }): Promise<RedeliverOutcome> {
  if (!/^[0-9]{1,18}$/.test(options.id)) return { outcome: 'not_found' };
  const requeued = await db.transaction(async (query) => {
    const rows = await query<{ id: string; message_sid: string; attempts: number }>(
      `UPDATE webhook_deliveries SET state = 'pending', max_attempts = attempts + 1, next_attempt_at = now(),
         deadline = GREATEST(deadline, now() + $3 * interval '1 minute'), claimed_by = NULL, claimed_until = NULL,
         date_completed = NULL
       WHERE id = $1::bigint AND account_sid = $2 AND state = 'failed'
       RETURNING id::text AS id, message_sid, attempts`,
      [options.id, options.accountSid, REDELIVERY_WINDOW_MINUTES],
    );
    const row = rows[0];
    if (!row) return false;
    await query(
      `INSERT INTO message_events (message_sid, type, status, detail)
       SELECT $1, 'webhook', NULL, $2::jsonb WHERE EXISTS (SELECT 1 FROM messages WHERE sid = $1)`,
      [row.message_sid, JSON.stringify({ deliveryId: row.id, outcome: 'redeliver', attempt: row.attempts + 1, requestedBy: options.principal })],
    );
    return true;
  });
  const rows = await db.query<WebhookDeliveryRecord>(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.id = $1::bigint AND d.account_sid = $2`,
    [options.id, options.accountSid],
  );
  const delivery = rows[0];
  if (!delivery) return { outcome: 'not_found' };
  return { outcome: requeued ? 'requeued' : 'unchanged', delivery: withDates(delivery) };
}
