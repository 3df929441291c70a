// The message side of receipt matching (messaging/receipt-batch.ts, apply-receipt.ts): one statement each for the
// SMPP id lookup of a whole batch, the lock of the messages it settles, the part rows, and the messages earlier
// final receipts settled (corrections). The receipts' own rows: delivery-receipt-store.ts. The decisions (which
// receipt settles what) stay in messaging/.
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

/**
 * The submission an SMSC id names, exactly as stored: the message that keeps it (single part, newest first), else
 * the newest smsc_submissions row with it (`id` that row; null for the message itself).
 */
export async function findSmppIdAsStored(query: SqlQuery, smscMessageId: string): Promise<{ id: string | null; messageSid: string } | undefined> {
  const [exact] = await query<{ id: string | null; message_sid: string }>(
    `(SELECT NULL::text AS id, m.sid AS message_sid, 1 AS pref FROM messages m
      WHERE m.smsc_message_id = $1 ORDER BY m.date_created DESC LIMIT 1)
     UNION ALL
     (SELECT s.id::text, s.message_sid, 2 FROM smsc_submissions s
      WHERE s.route = 'smpp' AND s.smsc_message_id = $1 ORDER BY s.id DESC LIMIT 1)
     ORDER BY pref LIMIT 1`,
    [smscMessageId],
  );
  return exact === undefined ? undefined : { id: exact.id, messageSid: exact.message_sid };
}

/** At most two submissions (messages first) stored under any of these spellings of an id: two mean ambiguity. */
export async function findSmppIdSpellings(query: SqlQuery, forms: readonly string[]): Promise<Array<{ id: string | null; messageSid: string }>> {
  const rows = await query<{ id: string | null; message_sid: string }>(
    `(SELECT NULL::text AS id, m.sid AS message_sid FROM messages m WHERE m.smsc_message_id = ANY($1::text[]) LIMIT 2)
     UNION ALL
     (SELECT s.id::text, s.message_sid FROM smsc_submissions s
      WHERE s.route = 'smpp' AND s.smsc_message_id = ANY($1::text[]) ORDER BY s.id DESC LIMIT 2)
     LIMIT 2`,
    [[...forms]],
  );
  return rows.map((r) => ({ id: r.id, messageSid: r.message_sid }));
}

/** A message locked for a receipt: whether it is still open (sent or sending, settled by no receipt). */
export interface LockedMessage {
  dateSent: Date | null;
  dateUpdated: Date;
  open: boolean;
}

/**
 * Locks the messages in sid order (so concurrent batches cannot deadlock) and says whether each is still open. The
 * row is locked before its status and receipt are read, so a receipt committed meanwhile is seen.
 */
export async function lockMessagesForReceipts(query: SqlQuery, sids: readonly string[]): Promise<Map<string, LockedMessage>> {
  if (sids.length === 0) return new Map();
  const rows = await query<{ sid: string; date_sent: Date | null; date_updated: Date; open: boolean }>(
    `SELECT sid, date_sent, date_updated, (status IN ('sent', 'sending') AND receipt IS NULL) AS open
     FROM messages WHERE sid = ANY($1::text[]) ORDER BY sid FOR NO KEY UPDATE`,
    [[...sids]],
  );
  return new Map(rows.map((r) => [r.sid, {
    dateSent: r.date_sent === null ? null : new Date(r.date_sent), dateUpdated: new Date(r.date_updated), open: r.open,
  }]));
}

/** What finds the message an earlier final SIP receipt settled: its id and users, and where its message lies. */
export interface CorrectionProbe {
  source: string;
  smscMessageId: string;
  fromAddress: string;
  toAddress: string;
  handsetForms: readonly string[];
  senderForms: readonly string[];
  window: { from: Date; to: Date } | null;
}

/**
 * For each probe, the message (if any) settled within `windowMs` by a receipt with the same id, source and users
 * (messages.receipt), the latest first; one statement for all. Found through the (to, from, date_sent) index.
 */
export async function findCorrectionTargets(
  query: SqlQuery,
  probes: readonly CorrectionProbe[],
  windowMs: number,
): Promise<Array<{ index: number; messageSid: string }>> {
  if (probes.length === 0) return [];
  const rows = await query<{ ord: number; sid: string }>(
    `SELECT i.ord::int AS ord, c.sid
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::timestamptz[], $10::timestamptz[]) WITH ORDINALITY
       AS i(source, smsc_message_id, from_address, to_address, h1, h2, s1, s2, win_from, win_to, ord)
     CROSS JOIN LATERAL (
       SELECT m.sid FROM messages m
       WHERE m.to_address IN (i.h1, i.h2) AND m.from_address IN (i.s1, i.s2) AND m.direction LIKE 'outbound%'
         AND (i.win_from IS NULL OR m.date_sent BETWEEN i.win_from AND i.win_to)
         AND m.status IN ('delivered', 'undelivered') AND m.date_updated > now() - $11 * interval '1 millisecond'
         AND m.receipt->>'source' = i.source AND m.receipt->>'smscMessageId' = i.smsc_message_id
         AND m.receipt->>'fromAddress' = i.from_address AND m.receipt->>'toAddress' = i.to_address
       ORDER BY m.receipt->>'dateReceived' DESC LIMIT 1) c`,
    [
      probes.map((p) => p.source), probes.map((p) => p.smscMessageId), probes.map((p) => p.fromAddress),
      probes.map((p) => p.toAddress), probes.map((p) => p.handsetForms[0] ?? null), probes.map((p) => p.handsetForms[1] ?? null),
      probes.map((p) => p.senderForms[0] ?? null), probes.map((p) => p.senderForms[1] ?? null),
      probes.map((p) => p.window?.from.toISOString() ?? null), probes.map((p) => p.window?.to.toISOString() ?? null), windowMs,
    ],
  );
  return rows.map((r) => ({ index: r.ord - 1, messageSid: r.sid }));
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

/** Parts of a multipart SMPP message: the latest submission of each part, counted by status. */
export interface PartCounts {
  total: number;
  delivered: number;
  undelivered: number;
}

/** Marks one part with its receipt's status and counts the message's parts (latest attempt of each). */
export async function markPartAndCount(
  query: SqlQuery,
  options: { messageSid: string; submissionId: string; status: 'delivered' | 'undelivered' },
): Promise<PartCounts | undefined> {
  await query('UPDATE smsc_submissions SET status = $2, date_updated = now() WHERE id = $1', [options.submissionId, options.status]);
  const [parts] = await query<PartCounts>(
    `SELECT max(total_parts)::int AS total, count(*) FILTER (WHERE status = 'delivered')::int AS delivered,
       count(*) FILTER (WHERE status = 'undelivered')::int AS undelivered
     FROM (SELECT DISTINCT ON (part_number) status, total_parts FROM smsc_submissions
           WHERE message_sid = $1 AND route = 'smpp' ORDER BY part_number, id DESC) latest`,
    [options.messageSid],
  );
  return parts;
}
