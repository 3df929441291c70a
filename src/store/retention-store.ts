// The SQL of retention (MESSAGE_RETENTION_DAYS; the loop is src/dispatch/retention-sweeper.ts): deleting finished
// messages older than a cutoff together with their history, and the leftovers that belong to no message. Every
// statement deletes one bounded batch, walks an index whose columns never change after the insert (migration
// 20261203200400_retention), and skips rows another transaction holds (FOR UPDATE SKIP LOCKED), so two instances
// may sweep at once and the pipeline never waits for a sweep.
import { IN_PROGRESS_STATUSES } from '../messaging/message-status.js';
import type { SqlQuery } from './database.js';

/** Where a walk over messages stands: the last (date_created, sid) a batch deleted. */
export interface RetentionCursor {
  dateCreated: Date;
  sid: string;
}

/** Rows deleted, by table. */
export interface RetentionCounts {
  messages: number;
  message_events: number;
  delivery_receipts: number;
  smsc_submissions: number;
  webhook_deliveries: number;
  webhook_attempts: number;
  webhook_outbox: number;
  mo_parts: number;
}

export const RETENTION_TABLES = [
  'messages', 'message_events', 'delivery_receipts', 'smsc_submissions', 'webhook_deliveries', 'webhook_attempts',
  'webhook_outbox', 'mo_parts',
] as const satisfies ReadonlyArray<keyof RetentionCounts>;

export function noRetentionCounts(): RetentionCounts {
  return {
    messages: 0, message_events: 0, delivery_receipts: 0, smsc_submissions: 0, webhook_deliveries: 0,
    webhook_attempts: 0, webhook_outbox: 0, mo_parts: 0,
  };
}

/**
 * Whether a `webhook_outbox` table with a `message_sid` column exists (it is optional: retention deletes a
 * message's outbox items with it when there is one).
 */
export async function hasWebhookOutbox(query: SqlQuery): Promise<boolean> {
  const [row] = await query<{ present: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute
       WHERE attrelid = to_regclass('webhook_outbox') AND attname = 'message_sid' AND NOT attisdropped) AS present`,
  );
  return row?.present === true;
}

/**
 * One batch of expired messages, oldest first, after `after`: messages created before `olderThan` that are
 * finished (no in-progress status, out of the send and release queues) and have no pending webhook delivery,
 * deleted in one statement with their events, receipts, submissions, webhook deliveries and failed attempts
 * (and outbox items, when `outbox`). Messages another transaction holds are skipped, for a later pass.
 *
 * Returns what was deleted and the cursor to pass as `after` for the next batch (null when nothing was).
 */
export async function deleteExpiredMessages(
  query: SqlQuery,
  options: { olderThan: Date; limit: number; after: RetentionCursor | null; outbox: boolean },
): Promise<{ counts: RetentionCounts; last: RetentionCursor | null }> {
  const after = options.after ?? { dateCreated: new Date('0001-01-01T00:00:00.000Z'), sid: '' };
  // delivery_receipts (ON DELETE SET NULL) and smsc_submissions (CASCADE) have foreign keys to messages; their
  // rows go in the same statement, before the foreign-key triggers run at its end and find nothing left to do.
  // message_events and webhook_deliveries have none.
  const outbox = options.outbox
    ? 'outbox AS (DELETE FROM webhook_outbox o USING doomed d WHERE o.message_sid = d.sid RETURNING 1),'
    : 'outbox AS (SELECT 1 WHERE false),';
  const [row] = await query<RetentionCounts & { last_date: Date | null; last_sid: string | null }>(
    `WITH doomed AS MATERIALIZED (
       SELECT m.sid, m.date_created FROM messages m
       WHERE m.date_created < $1 AND (m.date_created, m.sid) > ($2::timestamptz, $3::text)
         AND NOT (m.status = ANY($4::text[])) AND m.next_attempt_at IS NULL AND m.release_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.message_sid = m.sid AND w.state = 'pending')
       ORDER BY m.date_created, m.sid
       LIMIT $5
       FOR UPDATE OF m SKIP LOCKED
     ),
     events AS (DELETE FROM message_events e USING doomed d WHERE e.message_sid = d.sid RETURNING 1),
     receipts AS (DELETE FROM delivery_receipts r USING doomed d WHERE r.message_sid = d.sid RETURNING 1),
     submissions AS (DELETE FROM smsc_submissions s USING doomed d WHERE s.message_sid = d.sid RETURNING 1),
     deliveries AS (DELETE FROM webhook_deliveries w USING doomed d WHERE w.message_sid = d.sid RETURNING w.id),
     attempts AS (DELETE FROM webhook_attempts a USING deliveries w WHERE a.delivery_id = w.id RETURNING 1),
     ${outbox}
     deleted AS (DELETE FROM messages m USING doomed d WHERE m.sid = d.sid RETURNING 1),
     last AS (SELECT date_created, sid FROM doomed ORDER BY date_created DESC, sid DESC LIMIT 1)
     SELECT (SELECT count(*) FROM deleted)::int AS messages,
            (SELECT count(*) FROM events)::int AS message_events,
            (SELECT count(*) FROM receipts)::int AS delivery_receipts,
            (SELECT count(*) FROM submissions)::int AS smsc_submissions,
            (SELECT count(*) FROM deliveries)::int AS webhook_deliveries,
            (SELECT count(*) FROM attempts)::int AS webhook_attempts,
            (SELECT count(*) FROM outbox)::int AS webhook_outbox,
            0 AS mo_parts,
            (SELECT date_created FROM last) AS last_date,
            (SELECT sid FROM last) AS last_sid`,
    [options.olderThan, after.dateCreated, after.sid, IN_PROGRESS_STATUSES, options.limit],
  );
  if (row === undefined) throw new Error('the retention statement returned no row');
  const { last_date: lastDate, last_sid: lastSid, ...counts } = row;
  return { counts, last: lastDate !== null && lastSid !== null ? { dateCreated: new Date(lastDate), sid: lastSid } : null };
}

/** One batch of receipts that matched no message and were received before `olderThan`. */
export async function deleteExpiredUnmatchedReceipts(query: SqlQuery, options: { olderThan: Date; limit: number }): Promise<number> {
  const [row] = await query<{ n: number }>(
    `WITH doomed AS (
       SELECT id FROM delivery_receipts WHERE message_sid IS NULL AND date_received < $1
       ORDER BY date_received LIMIT $2 FOR UPDATE SKIP LOCKED
     ), deleted AS (DELETE FROM delivery_receipts r USING doomed d WHERE r.id = d.id RETURNING 1)
     SELECT count(*)::int AS n FROM deleted`,
    [options.olderThan, options.limit],
  );
  return row?.n ?? 0;
}

/**
 * One batch of inbound segments whose reassembly deadline passed before `olderThan`: the reassembly sweeper
 * (MO_REASSEMBLY_TIMEOUT_S) stores such groups within seconds; what is still here that long after is left over.
 */
export async function deleteExpiredMoParts(query: SqlQuery, options: { olderThan: Date; limit: number }): Promise<number> {
  const [row] = await query<{ n: number }>(
    `WITH doomed AS (
       SELECT id FROM mo_parts WHERE deadline < $1 ORDER BY deadline LIMIT $2 FOR UPDATE SKIP LOCKED
     ), deleted AS (DELETE FROM mo_parts p USING doomed d WHERE p.id = d.id RETURNING 1)
     SELECT count(*)::int AS n FROM deleted`,
    [options.olderThan, options.limit],
  );
  return row?.n ?? 0;
}
