// The SQL of the batched SMPP receipt path (messaging/receipt-batch.ts): one statement each for the id lookup of
// a whole batch, the lock of the messages it settles, the part rows and the receipts' match records. The
// decisions (which receipt settles what) stay in messaging/.
import type { SqlQuery } from './database.js';

/** Where one SMSC id, as stored, leads: the message itself (single part) or its newest smsc_submissions row. */
export interface SmppIdHit {
  /** Index of the id in the input. */
  index: number;
  messageSid: string;
  /** The smsc_submissions row, or null when the message keeps the id itself (messages.smsc_message_id). */
  submissionId: string | null;
  totalParts: number;
}

/**
 * Looks every id up as stored: messages.smsc_message_id first (single-part SMPP messages), then the newest
 * smsc_submissions row carrying it. One round trip for the batch; ids that find nothing are absent.
 */
export async function findSmppIdsExact(query: SqlQuery, smscMessageIds: readonly string[]): Promise<SmppIdHit[]> {
  if (smscMessageIds.length === 0) return [];
  const rows = await query<{ ord: number; message_sid: string; submission_id: string | null; total_parts: number }>(
    `SELECT i.ord::int AS ord, x.message_sid, x.submission_id, x.total_parts
     FROM unnest($1::text[]) WITH ORDINALITY AS i(smsc_id, ord)
     CROSS JOIN LATERAL (
       (SELECT m.sid AS message_sid, NULL::text AS submission_id, 1 AS total_parts, 1 AS pref FROM messages m
        WHERE m.smsc_message_id = i.smsc_id ORDER BY m.date_created DESC LIMIT 1)
       UNION ALL
       (SELECT s.message_sid, s.id::text, s.total_parts, 2 FROM smsc_submissions s
        WHERE s.route = 'smpp' AND s.smsc_message_id = i.smsc_id ORDER BY s.id DESC LIMIT 1)
       ORDER BY pref LIMIT 1
     ) x`,
    [smscMessageIds.map((id) => id.trim())],
  );
  return rows.map((r) => ({ index: r.ord - 1, messageSid: r.message_sid, submissionId: r.submission_id, totalParts: r.total_parts }));
}

/** Locks the messages in sid order (so concurrent batches cannot deadlock) and returns when each was sent. */
export async function lockMessagesForReceipts(
  query: SqlQuery,
  sids: readonly string[],
): Promise<Map<string, { dateSent: Date | null; dateUpdated: Date }>> {
  if (sids.length === 0) return new Map();
  const rows = await query<{ sid: string; date_sent: Date | null; date_updated: Date }>(
    'SELECT sid, date_sent, date_updated FROM messages WHERE sid = ANY($1::text[]) ORDER BY sid FOR NO KEY UPDATE',
    [[...sids]],
  );
  return new Map(rows.map((r) => [r.sid, { dateSent: r.date_sent === null ? null : new Date(r.date_sent), dateUpdated: new Date(r.date_updated) }]));
}

/** Records the part status of single-part submissions (rows written before messages.smsc_message_id existed). */
export async function markSubmissions(query: SqlQuery, rows: ReadonlyArray<{ id: string; status: string }>): Promise<void> {
  if (rows.length === 0) return;
  await query(
    `UPDATE smsc_submissions s SET status = i.status, date_updated = now()
     FROM unnest($1::bigint[], $2::text[]) AS i(id, status) WHERE s.id = i.id`,
    [rows.map((r) => r.id), rows.map((r) => r.status)],
  );
}

/** Marks stored receipts as matched to their message, in one statement. */
export async function markReceiptsMatched(
  query: SqlQuery,
  rows: ReadonlyArray<{ receiptId: string; messageSid: string; attempts: number }>,
): Promise<void> {
  if (rows.length === 0) return;
  await query(
    `UPDATE delivery_receipts r SET message_sid = i.message_sid, date_matched = now(), next_match_at = NULL, match_attempts = i.attempts
     FROM unnest($1::bigint[], $2::text[], $3::int[]) AS i(id, message_sid, attempts) WHERE r.id = i.id`,
    [rows.map((r) => r.receiptId), rows.map((r) => r.messageSid), rows.map((r) => r.attempts)],
  );
}
