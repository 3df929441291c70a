// Messages: the hot insert (ONE statement, one row or a batch), the keyset list, and the guarded
// updates behind cancel, redact and delete. Each guard is part of the UPDATE/DELETE itself, so a dispatcher
// that claims the message at the same moment cannot be overtaken.
import type { Database, SqlQuery } from './database.js';
import type { MessageRecord, MessageWriter, NewOutboundMessage } from '../messaging/ports.js';
import { CANCELABLE_STATUSES, FINISHED_STATUSES, IN_PROGRESS_STATUSES } from '../messaging/message-status.js';
import { MESSAGE_COLUMNS } from './message-columns.js';
import { queueStatusCallbacks } from '../messaging/status-change.js';
import { AppError } from '../errors/app-error.js';
import { isOptedOutSql } from './opt-out-store.js';
import { loadMessageHistory } from './message-history-store.js';

export interface MessageFilter {
  accountSid: string;
  to?: string | undefined;
  from?: string | undefined;
  /** Inclusive lower bound on date_sent; messages not yet sent have none and never match a date filter. */
  sentFrom?: Date | undefined;
  /** Exclusive upper bound on date_sent. */
  sentBefore?: Date | undefined;
}

export interface MessageListOptions extends MessageFilter {
  /** Keyset position in the (date_created DESC, sid DESC) order. */
  position?: { direction: 'after' | 'before'; dateCreated: Date; sid: string } | undefined;
  offset?: number | undefined;
  limit: number;
}

export interface MessageEventRecord {
  id: string;
  type: string;
  status: string | null;
  detail: unknown;
  dateCreated: Date;
}

export type GuardedUpdate = { outcome: 'done'; message: MessageRecord } | { outcome: 'not_found' } | { outcome: 'refused'; status: string };
export type DeleteOutcome = { outcome: 'done' } | { outcome: 'not_found' } | { outcome: 'refused'; status: string };

// Messages in ONE statement, for any number of rows (their `queued` step is the row itself, date_created): the
// columns travel as one array per column (unnest), so the SQL text is the same for 1 row or 100 and each batch costs one round trip and
// one commit. The rows share now() (the statement's transaction time) as date_created. A row asking
// refuse_if_opted_out whose recipient opted out of its sender is left out (no row comes back for it): the
// opt-out check is part of the insert, not a statement of its own before it (a second round trip per batch).
const INSERT_MESSAGES = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[],
    $9::int[], $10::text[], $11::int[], $12::float8[], $13::boolean[], $14::text[], $15::jsonb[], $16::boolean[])
    AS u(sid, account_sid, from_address, to_address, body, num_segments, status_callback, status_callback_method,
      coding, udh, message_class, validity_seconds, receipt_requested, api_dialect, sip_headers, refuse_if_opted_out)
), m AS (
  INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, num_segments,
    status_callback, status_callback_method, coding, udh, message_class, valid_until, next_attempt_at,
    receipt_requested, api_dialect, sip_headers, date_created, date_updated)
  SELECT sid, account_sid, from_address, to_address, body, 'queued', 'outbound-api', num_segments, status_callback,
    status_callback_method, coding, udh, message_class, now() + make_interval(secs => validity_seconds), now(),
    receipt_requested, api_dialect, sip_headers, now(), now()
  FROM input
  WHERE NOT (refuse_if_opted_out AND ${isOptedOutSql('input.account_sid', 'input.from_address', 'input.to_address')})
  RETURNING ${MESSAGE_COLUMNS}
)
SELECT * FROM m`;

/**
 * Inserts the messages (status queued) in one statement; rows come back in input order, null for a message that
 * asked `refuseIfOptedOut` and whose recipient opted out (nothing written for it).
 */
export async function insertOutboundMessages(query: SqlQuery, messages: readonly NewOutboundMessage[]): Promise<Array<MessageRecord | null>> {
  const column = <T>(pick: (m: NewOutboundMessage) => T): T[] => messages.map(pick);
  const rows = await query<MessageRecord>(INSERT_MESSAGES, [
    column((m) => m.sid), column((m) => m.accountSid), column((m) => m.from), column((m) => m.to), column((m) => m.body),
    column((m) => m.numSegments), column((m) => m.statusCallback), column((m) => m.statusCallbackMethod),
    column((m) => m.coding), column((m) => m.udh), column((m) => m.messageClass), column((m) => m.validitySeconds),
    column((m) => m.receiptRequested), column((m) => m.apiDialect ?? null),
    column((m) => (m.sipHeaders ? JSON.stringify(m.sipHeaders) : null)), column((m) => m.refuseIfOptedOut === true),
  ]);
  return matchReturnedRows(messages, rows);
}

/**
 * RETURNING promises no order: rows matched to the input by sid. A missing row is a refused message (opted-out
 * recipient) when the message asked for that check; for any other message it is a bug, and thrown as one.
 */
export function matchReturnedRows(messages: readonly NewOutboundMessage[], rows: readonly MessageRecord[]): Array<MessageRecord | null> {
  const bySid = new Map(rows.map((row) => [row.sid, row]));
  return messages.map((m) => {
    const row = bySid.get(m.sid);
    if (row !== undefined) return row;
    if (m.refuseIfOptedOut === true) return null;
    throw new Error(`INSERT … RETURNING returned no row for ${m.sid}`);
  });
}

/** The writer the API uses: one round trip per message. A batching writer can replace it behind the same port. */
export function createMessageWriter(db: Database): MessageWriter {
  return {
    async insertMessage(message) {
      const [row] = await insertOutboundMessages(db.query, [message]);
      if (row === undefined) throw new Error(`INSERT … RETURNING returned no row for ${message.sid}`);
      if (row === null) throw new AppError('recipientOptedOut');
      return row;
    },
  };
}

export async function findMessage(db: Database, options: { accountSid: string; sid: string }): Promise<MessageRecord | null> {
  const rows = await db.query<MessageRecord>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sid = $1 AND account_sid = $2`,
    [options.sid, options.accountSid],
  );
  return rows[0] ?? null;
}

export async function listMessages(db: Database, options: MessageListOptions): Promise<MessageRecord[]> {
  const params: unknown[] = [options.accountSid];
  const where = ['account_sid = $1'];
  const add = (clause: (n: string) => string, value: unknown): void => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (options.to !== undefined) add((p) => `to_address = ${p}`, options.to);
  if (options.from !== undefined) add((p) => `from_address = ${p}`, options.from);
  if (options.sentFrom !== undefined) add((p) => `date_sent >= ${p}`, options.sentFrom);
  if (options.sentBefore !== undefined) add((p) => `date_sent < ${p}`, options.sentBefore);
  const position = options.position;
  const backwards = position?.direction === 'before';
  if (position) {
    params.push(position.dateCreated, position.sid);
    const op = backwards ? '>' : '<';
    where.push(`(date_created, sid) ${op} ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(options.limit);
  let sql = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${where.join(' AND ')}
    ORDER BY date_created ${backwards ? 'ASC' : 'DESC'}, sid ${backwards ? 'ASC' : 'DESC'} LIMIT $${params.length}`;
  if (!position && options.offset) {
    params.push(options.offset);
    sql += ` OFFSET $${params.length}`;
  }
  const rows = await db.query<MessageRecord>(sql, params);
  return backwards ? rows.reverse() : rows;
}

/** Body="" on a finished message; an inbound message's payload (the same content as bytes) goes with it. */
export async function redactMessage(db: Database, options: { accountSid: string; sid: string }): Promise<GuardedUpdate> {
  const rows = await db.query<MessageRecord>(
    `UPDATE messages SET body = '', payload = NULL, date_updated = now()
     WHERE sid = $1 AND account_sid = $2 AND status = ANY($3::text[]) RETURNING ${MESSAGE_COLUMNS}`,
    [options.sid, options.accountSid, FINISHED_STATUSES],
  );
  return rows[0] ? { outcome: 'done', message: rows[0] } : explainRefusal(db, options);
}

/** Status=canceled on a message no dispatcher has claimed yet; records the status event in the same statement. */
export async function cancelMessage(db: Database, options: { accountSid: string; sid: string }): Promise<GuardedUpdate> {
  // The status change, its event and the `canceled` status callback commit together (Twilio calls the
  // StatusCallback on cancelation too); the claim guard keeps a send in progress from being canceled under it.
  const rows = await db.transaction(async (query) => {
    const updated = await query<MessageRecord>(
      `WITH m AS (
         UPDATE messages SET status = 'canceled', next_attempt_at = NULL, release_at = NULL, date_updated = now()
         WHERE sid = $1 AND account_sid = $2 AND status = ANY($3::text[])
           AND (claimed_until IS NULL OR claimed_until < now())
         RETURNING ${MESSAGE_COLUMNS}
       ), e AS (
         INSERT INTO message_events (message_sid, type, status, detail)
         SELECT sid, 'status', 'canceled', '{"source":"api"}'::jsonb FROM m
       )
       SELECT * FROM m`,
      [options.sid, options.accountSid, CANCELABLE_STATUSES],
    );
    if (updated[0]) await queueStatusCallbacks(query, [{ sid: updated[0].sid, status: 'canceled' }]);
    return updated;
  });
  return rows[0] ? { outcome: 'done', message: rows[0] } : explainRefusal(db, options);
}

export async function deleteMessage(db: Database, options: { accountSid: string; sid: string }): Promise<DeleteOutcome> {
  // The message's history goes in the same statement, as retention deletes it (store/retention-store.ts):
  // message_events and webhook_deliveries have no foreign key to cascade, and delivery_receipts' ON DELETE SET NULL
  // would otherwise turn the message's receipts into "unmatched" ones. A callback still pending keeps its row: it
  // carries its own parameters and is still delivered (nothing accepted is dropped).
  const rows = await db.query(
    `WITH deleted AS (
       DELETE FROM messages WHERE sid = $1 AND account_sid = $2 AND NOT (status = ANY($3::text[])) RETURNING sid
     ), events AS (
       DELETE FROM message_events WHERE message_sid IN (SELECT sid FROM deleted)
     ), receipts AS (
       DELETE FROM delivery_receipts WHERE message_sid IN (SELECT sid FROM deleted)
     ), submissions AS (
       DELETE FROM smsc_submissions WHERE message_sid IN (SELECT sid FROM deleted)
     ), deliveries AS (
       DELETE FROM webhook_deliveries WHERE message_sid IN (SELECT sid FROM deleted) AND state <> 'pending' RETURNING id
     ), attempts AS (
       DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM deliveries)
     )
     SELECT sid FROM deleted`,
    [options.sid, options.accountSid, IN_PROGRESS_STATUSES],
  );
  if (rows.length > 0) return { outcome: 'done' };
  return explainRefusal(db, options);
}

async function explainRefusal(db: Database, options: { accountSid: string; sid: string }): Promise<{ outcome: 'not_found' } | { outcome: 'refused'; status: string }> {
  const rows = await db.query<{ status: string }>('SELECT status FROM messages WHERE sid = $1 AND account_sid = $2', [
    options.sid, options.accountSid,
  ]);
  return rows[0] ? { outcome: 'refused', status: rows[0].status } : { outcome: 'not_found' };
}

/**
 * The message's events, oldest first; null when the message is not the account's. Built from the message row and
 * the rows of its exceptional steps, receipts and webhook calls (store/message-history-store.ts).
 */
export async function listMessageEvents(db: Database, options: { accountSid: string; sid: string }): Promise<MessageEventRecord[] | null> {
  return loadMessageHistory(db, options);
}
