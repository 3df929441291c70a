// The SQL of the delivery_receipts table. A receipt that settles a message is kept on the message
// (messages.receipt, written by the status change); this table holds the receipts that settle nothing: parked or
// never matched, intermediate (ENROUTE), corrections, late ones for a message already settled. The decisions
// (which receipt is which) are messaging/'s; here are the statements, one per batch whatever its size.
import type { DatabaseKind, SqlQuery } from './database.js';

/** A receipt's fields as received (what a delivery_receipts row and messages.receipt hold). */
export interface ReceiptFields {
  source: 'sip' | 'smpp';
  rawText: string;
  /** The receipt's own addresses: from = the handset (our original To), to = our original From. */
  fromAddress: string;
  toAddress: string;
  smscMessageId: string | null;
  stat: string;
  err: string;
  submitDate: string;
  doneDate: string;
  text: string;
}

/** What the repeat lookup needs of one receipt beyond its fields: where its message would be found over SIP. */
export interface RepeatProbe extends ReceiptFields {
  /** messages.to_address forms of the receipt's From (the handset), and messages.from_address forms of its To. */
  handsetForms: readonly string[];
  senderForms: readonly string[];
  /** The window its message's date_sent fell in when the receipt first matched (null: the date is unreadable). */
  window: { from: Date; to: Date } | null;
}

/** An earlier copy of a receipt: a delivery_receipts row, or the receipt that settled a message (receiptId null). */
export interface EarlierCopy {
  index: number;
  receiptId: string | null;
  messageSid: string | null;
}

/** messages.receipt (alias m) holds the same receipt as input row i, received within the window ($12). */
const SAME_SETTLING_RECEIPT = `m.receipt->>'source' = i.source AND m.receipt->>'rawText' = i.raw_text
  AND m.receipt->>'fromAddress' = i.from_address AND m.receipt->>'toAddress' = i.to_address
  AND (m.receipt->>'smscMessageId') IS NOT DISTINCT FROM i.smsc_message_id
  AND (m.receipt->>'dateReceived')::timestamptz > now() - $12 * interval '1 millisecond'`;

/**
 * Finds, for each receipt, an earlier copy received within `windowMs`: a stored row first, else a message that this
 * very receipt settled (SIP: by the swapped addresses within its submit window; SMPP: by its id, on the message or
 * its part). On PostgreSQL the receipts' repeat keys are locked first, in a fixed order, so that two instances
 * given the same receipt at once keep it once. One statement for the lookup, whatever the number of receipts.
 */
export async function findEarlierCopies(
  query: SqlQuery,
  probes: readonly RepeatProbe[],
  options: { kind: DatabaseKind; windowMs: number },
): Promise<EarlierCopy[]> {
  if (probes.length === 0) return [];
  if (options.kind === 'postgres') {
    await query(
      `SELECT pg_advisory_xact_lock(k.h) FROM (SELECT DISTINCT hashtext(t) AS h FROM unnest($1::text[]) AS t ORDER BY 1) k`,
      [probes.map(repeatKey)],
    );
  }
  const second = (forms: readonly string[]) => forms[1] ?? null;
  const rows = await query<{ ord: number; receipt_id: string | null; message_sid: string | null }>(
    `SELECT i.ord::int AS ord, d.receipt_id, d.message_sid
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
       $10::timestamptz[], $11::timestamptz[]) WITH ORDINALITY
       AS i(source, smsc_message_id, raw_text, from_address, to_address, h1, h2, s1, s2, win_from, win_to, ord)
     CROSS JOIN LATERAL (
       (SELECT r.id::text AS receipt_id, r.message_sid, 1 AS pref FROM delivery_receipts r
        WHERE r.smsc_message_id = i.smsc_message_id AND r.raw_text = i.raw_text AND r.from_address = i.from_address
          AND r.to_address = i.to_address AND r.source = i.source AND r.date_received > now() - $12 * interval '1 millisecond'
        ORDER BY r.id LIMIT 1)
       UNION ALL
       (SELECT NULL, m.sid, 2 FROM messages m
        WHERE i.source = 'sip' AND m.to_address IN (i.h1, i.h2) AND m.from_address IN (i.s1, i.s2)
          AND (i.win_from IS NULL OR m.date_sent BETWEEN i.win_from AND i.win_to) AND m.receipt IS NOT NULL
          AND ${SAME_SETTLING_RECEIPT} LIMIT 1)
       UNION ALL
       (SELECT NULL, m.sid, 3 FROM messages m
        WHERE i.source = 'smpp' AND m.smsc_message_id = i.smsc_message_id AND ${SAME_SETTLING_RECEIPT} LIMIT 1)
       UNION ALL
       (SELECT NULL, m.sid, 4 FROM smsc_submissions s JOIN messages m ON m.sid = s.message_sid
        WHERE i.source = 'smpp' AND s.route = 'smpp' AND s.smsc_message_id = i.smsc_message_id AND ${SAME_SETTLING_RECEIPT} LIMIT 1)
       ORDER BY pref LIMIT 1) d`,
    [
      probes.map((p) => p.source), probes.map((p) => p.smscMessageId), probes.map((p) => p.rawText),
      probes.map((p) => p.fromAddress), probes.map((p) => p.toAddress), probes.map((p) => p.handsetForms[0] ?? null),
      probes.map((p) => second(p.handsetForms)), probes.map((p) => p.senderForms[0] ?? null),
      probes.map((p) => second(p.senderForms)), probes.map((p) => p.window?.from.toISOString() ?? null),
      probes.map((p) => p.window?.to.toISOString() ?? null), options.windowMs,
    ],
  );
  return rows.map((r) => ({ index: r.ord - 1, receiptId: r.receipt_id, messageSid: r.message_sid }));
}

/** The identity of a repeated receipt: the same request re-sent by the SMSC carries the same id and text. */
export function repeatKey(f: Pick<ReceiptFields, 'smscMessageId' | 'rawText'>): string {
  return `dlr:${f.smscMessageId ?? ''}|${f.rawText}`;
}

/** A receipt written as a row, with the outcome of its first match attempt. */
export interface ReceiptRowInput extends ReceiptFields {
  /** The message it was linked to (intermediate, correction, late), or null (parked, unmatched). */
  messageSid: string | null;
  attempts: number;
  /** Parked: the next attempt this long from now; null when nothing waits for another attempt. */
  delayMs: number | null;
}

/** Inserts the rows (one statement); ids and next match times in input order. */
export async function insertReceipts(
  query: SqlQuery,
  rows: readonly ReceiptRowInput[],
): Promise<Array<{ id: string; nextMatchAt: Date | null }>> {
  if (rows.length === 0) return [];
  const inserted = await query<{ id: string; next_match_at: Date | null }>(
    `INSERT INTO delivery_receipts (source, raw_text, from_address, to_address, smsc_message_id, stat, err, submit_date,
       done_date, text, message_sid, date_matched, match_attempts, next_match_at)
     SELECT i.source, i.raw_text, i.from_address, i.to_address, i.smsc_message_id, i.stat, i.err, i.submit_date,
       i.done_date, i.text, i.message_sid, CASE WHEN i.message_sid IS NULL THEN NULL ELSE now() END, i.attempts,
       CASE WHEN i.delay_ms IS NULL THEN NULL ELSE now() + i.delay_ms * interval '1 millisecond' END
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::text[], $10::text[], $11::text[], $12::int[], $13::int[]) WITH ORDINALITY
       AS i(source, raw_text, from_address, to_address, smsc_message_id, stat, err, submit_date, done_date, text,
         message_sid, attempts, delay_ms, ord)
     ORDER BY i.ord
     RETURNING id::text AS id, next_match_at`,
    [
      rows.map((f) => f.source), rows.map((f) => f.rawText), rows.map((f) => f.fromAddress), rows.map((f) => f.toAddress),
      rows.map((f) => f.smscMessageId), rows.map((f) => f.stat), rows.map((f) => f.err), rows.map((f) => f.submitDate),
      rows.map((f) => f.doneDate), rows.map((f) => f.text), rows.map((f) => f.messageSid), rows.map((f) => f.attempts),
      rows.map((f) => f.delayMs),
    ],
  );
  if (inserted.length !== rows.length) throw new Error(`delivery_receipts insert returned ${inserted.length} of ${rows.length} rows`);
  // Ids come from the sequence in insertion order, which is the ORDER BY above: ascending ids follow `rows`.
  return inserted
    .map((r) => ({ id: r.id, nextMatchAt: r.next_match_at === null ? null : new Date(r.next_match_at) }))
    .sort((a, b) => compareIds(a.id, b.id));
}

/** Another match attempt of stored rows: the message found (or null), the count, when to try again (or never). */
export async function updateReceiptAttempts(
  query: SqlQuery,
  rows: ReadonlyArray<{ id: string; messageSid: string | null; attempts: number; delayMs: number | null }>,
): Promise<Map<string, Date | null>> {
  if (rows.length === 0) return new Map();
  const updated = await query<{ id: string; next_match_at: Date | null }>(
    `UPDATE delivery_receipts r SET message_sid = COALESCE(i.message_sid, r.message_sid),
       date_matched = CASE WHEN i.message_sid IS NULL THEN r.date_matched ELSE now() END,
       match_attempts = i.attempts,
       next_match_at = CASE WHEN i.delay_ms IS NULL THEN NULL ELSE now() + i.delay_ms * interval '1 millisecond' END
     FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[]) AS i(id, message_sid, attempts, delay_ms)
     WHERE r.id = i.id
     RETURNING r.id::text AS id, r.next_match_at`,
    [rows.map((r) => r.id), rows.map((r) => r.messageSid), rows.map((r) => r.attempts), rows.map((r) => r.delayMs)],
  );
  return new Map(updated.map((r) => [r.id, r.next_match_at === null ? null : new Date(r.next_match_at)]));
}

/** A parked receipt claimed for another attempt. */
export interface ParkedReceipt extends ReceiptFields {
  id: string;
  matchAttempts: number;
  dateReceived: Date;
}

/** Parked receipts due for another attempt, locked for this transaction (other instances skip them). */
export async function claimParkedReceipts(query: SqlQuery, limit: number): Promise<ParkedReceipt[]> {
  const rows = await query<{
    id: string; source: 'sip' | 'smpp'; raw_text: string; from_address: string; to_address: string; smsc_message_id: string | null;
    stat: string | null; err: string | null; submit_date: string | null; done_date: string | null; text: string | null;
    match_attempts: number; date_received: Date;
  }>(
    `SELECT id::text AS id, source, raw_text, from_address, to_address, smsc_message_id, stat, err, submit_date, done_date,
       text, match_attempts, date_received
     FROM delivery_receipts WHERE message_sid IS NULL AND next_match_at <= now()
     ORDER BY next_match_at, delivery_receipts.id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id, source: r.source, rawText: r.raw_text, fromAddress: r.from_address, toAddress: r.to_address,
    smscMessageId: r.smsc_message_id, stat: r.stat ?? '', err: r.err ?? '', submitDate: r.submit_date ?? '',
    doneDate: r.done_date ?? '', text: r.text ?? '', matchAttempts: r.match_attempts, dateReceived: new Date(r.date_received),
  }));
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
