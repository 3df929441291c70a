// The SQL that finds and locks the open messages a SIP receipt may report on (messaging/receipt-matcher.ts has the
// rules, apply-receipt.ts and sip-receipt-batch.ts the choice). Open: outbound, `sent` or `sending`, settled by no
// receipt (messages.receipt IS NULL). Candidates are read without locks; only the chosen message is locked:
// locking every candidate made concurrent receipts (and the dispatcher's outcome writes) deadlock on overlapping
// rows taken in different orders. Status and receipt are on the row, so the locking statement re-checks them in
// the newest version of a row changed while it waited (READ COMMITTED).
import type { SqlQuery } from './database.js';

/** An open message as the matcher sees it; `sentAt` is date_sent, or the claim time while it is `sending`. */
export interface OpenCandidateRow {
  sid: string;
  status: string;
  body: string;
  sentAt: Date;
}

/**
 * Open outbound messages from one of `senderForms` (our original From) to one of `handsetForms`, sent within the
 * window (none: any time); oldest first.
 */
export async function findOpenCandidates(
  query: SqlQuery,
  options: { handsetForms: readonly string[]; senderForms: readonly string[]; window: { from: Date; to: Date } | null; limit: number },
): Promise<OpenCandidateRow[]> {
  const rows = await query<{ sid: string; status: string; body: string; sent_at: Date }>(
    `SELECT m.sid, m.status, m.body, COALESCE(m.date_sent, m.date_updated) AS sent_at
     FROM messages m
     WHERE m.to_address = ANY($1::text[]) AND m.from_address = ANY($2::text[])
       AND m.direction LIKE 'outbound%' AND m.status IN ('sent', 'sending')
       AND ($3::timestamptz IS NULL OR COALESCE(m.date_sent, m.date_updated) BETWEEN $3::timestamptz AND $4::timestamptz)
       AND m.receipt IS NULL
     ORDER BY COALESCE(m.date_sent, m.date_updated), m.sid
     LIMIT $5`,
    [
      [...options.handsetForms], [...options.senderForms], options.window?.from.toISOString() ?? null,
      options.window?.to.toISOString() ?? null, options.limit,
    ],
  );
  return rows.map((r) => ({ sid: r.sid, status: r.status, body: r.body, sentAt: new Date(r.sent_at) }));
}

/** Locks a chosen candidate until the transaction ends and says whether it is still open. */
export async function lockOpenCandidate(query: SqlQuery, sid: string): Promise<boolean> {
  const locked = await query<{ sid: string }>(
    `SELECT sid FROM messages WHERE sid = $1 AND status IN ('sent', 'sending') AND receipt IS NULL FOR NO KEY UPDATE`,
    [sid],
  );
  return locked.length > 0;
}

/** One address pair of a batch group: its window (the union of its receipts'), row limit and LIKE patterns. */
export interface CandidateGroupRow {
  group: number;
  handset: string;
  sender: string;
  window: { from: Date; to: Date } | null;
  limit: number;
  /** The group's body prefix patterns, joined by PATTERN_SEPARATOR; '' for none. */
  patterns: string;
}

/** Separates a group's LIKE patterns in one text parameter (split again in SQL). */
export const PATTERN_SEPARATOR = '\u001f';

/**
 * The open candidates of every group in one statement. Two sets per group: the oldest open messages whatever their
 * text (for lenient matches), and the oldest whose body starts with one of the patterns (exact matches), so that a
 * receipt for a newer message of a busy pair still finds it among the first rows.
 */
export async function findBatchCandidates(
  query: SqlQuery,
  groups: readonly CandidateGroupRow[],
): Promise<Array<OpenCandidateRow & { group: number }>> {
  if (groups.length === 0) return [];
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
      groups.map((g) => g.group), groups.map((g) => g.handset), groups.map((g) => g.sender),
      groups.map((g) => g.window?.from.toISOString() ?? null), groups.map((g) => g.window?.to.toISOString() ?? null),
      groups.map((g) => g.limit), groups.map((g) => g.patterns),
    ],
  );
  return found.map((r) => ({ group: r.grp, sid: r.sid, status: r.status, body: r.body, sentAt: new Date(r.sent_at) }));
}

/**
 * Locks the messages in sid order (so receipt batches cannot deadlock one another) and returns those still open,
 * with when each was sent.
 */
export async function lockOpenMessages(
  query: SqlQuery,
  sids: readonly string[],
): Promise<Array<{ sid: string; dateSent: Date | null; dateUpdated: Date }>> {
  if (sids.length === 0) return [];
  const locked = await query<{ sid: string; date_sent: Date | null; date_updated: Date }>(
    `SELECT sid, date_sent, date_updated FROM messages
     WHERE sid = ANY($1::text[]) AND status IN ('sent', 'sending') AND receipt IS NULL ORDER BY sid FOR NO KEY UPDATE`,
    [[...sids]],
  );
  return locked.map((r) => ({ sid: r.sid, dateSent: r.date_sent === null ? null : new Date(r.date_sent), dateUpdated: new Date(r.date_updated) }));
}
