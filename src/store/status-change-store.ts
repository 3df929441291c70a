// The SQL of messaging/status-change.ts: the guarded, set-based status update (one statement per batch), the
// exceptional events, and where status callbacks go. The rules (which transition is allowed, which change is
// ordinary history kept on the row) are messaging/'s; the SQL twins below are rendered from its tables.
import { CANCELABLE, CORRECTABLE, STATUS_RANK, TERMINAL } from '../messaging/status-machine.js';
import type { SqlQuery } from './database.js';

const list = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

function rankSql(expr: string): string {
  const arms = Object.entries(STATUS_RANK).map(([status, rank]) => `WHEN '${status}' THEN ${rank}`).join(' ');
  return `(CASE ${expr} ${arms} END)`;
}

/** The same rule as `canTransition`, as a SQL boolean (NULL, i.e. false, for unknown statuses). */
export function transitionAllowedSql(fromExpr: string, toExpr: string): string {
  return `(CASE WHEN ${toExpr} = 'canceled' THEN ${fromExpr} IN (${list(CANCELABLE)})
    WHEN ${fromExpr} IN (${list(TERMINAL)}) THEN false
    ELSE ${rankSql(toExpr)} > ${rankSql(fromExpr)} END)`;
}

/** A receipt-driven correction of a final status (StatusChange.correctionWindowMs), as a SQL boolean. */
function correctionAllowedSql(m: string, i: string): string {
  return `(${i}.correction_ms > 0 AND ${m}.status IN (${list(CORRECTABLE)})
    AND ${i}.status IN (${list([...CORRECTABLE, 'failed'])}) AND ${i}.status <> ${m}.status
    AND ${m}.date_updated > now() - ${i}.correction_ms * interval '1 millisecond')`;
}

/**
 * SQL for the status callback target of message alias `m`: its own StatusCallback, else the sending number's
 * (same account only: tenants never see each other's numbers). Yields columns `callback_url`, `callback_method`.
 */
export function statusCallbackTargetSql(m: string): string {
  const number = `FROM phone_numbers p WHERE p.phone_number = ${m}.from_address AND p.account_sid = ${m}.account_sid`;
  return `COALESCE(NULLIF(${m}.status_callback, ''), (SELECT NULLIF(p.status_callback, '') ${number})) AS callback_url,
    CASE WHEN NULLIF(${m}.status_callback, '') IS NOT NULL THEN ${m}.status_callback_method
      ELSE (SELECT p.status_callback_method ${number}) END AS callback_method`;
}

/** One row of a status update: what the message becomes (a change the caller's rules already shaped). */
export interface StatusUpdate {
  sid: string;
  status: string;
  errorCode: number | null;
  errorMessage: string | null;
  dateSent: Date | null;
  correctionWindowMs: number;
  smscResult: Record<string, unknown> | null;
  smscMessageId: string | null;
  receipt: Record<string, unknown> | null;
}

/** A message the update changed, with what its callback needs. */
export interface UpdatedMessage {
  sid: string;
  account_sid: string;
  from_address: string | null;
  to_address: string;
  body: string;
  /** 'restcomm' for messages sent through RestComm-Connect's resource: their callbacks take its shape. */
  api_dialect: string | null;
  /** The status before this change: a final one means the change corrected it. */
  old_status: string;
  messaging_service_sid: string | null;
  callback_url: string | null;
  callback_method: string | null;
}

/**
 * Applies the updates where the transition (or a correction) is allowed, in one statement; each sid at most once.
 * A correction keeps the receipt it corrects on the row.
 */
export async function updateStatuses(query: SqlQuery, updates: readonly StatusUpdate[]): Promise<UpdatedMessage[]> {
  return query<UpdatedMessage>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::int[], $7::jsonb[], $8::text[], $9::jsonb[])
         AS t(sid, status, error_code, error_message, date_sent, correction_ms, smsc_result, smsc_message_id, receipt)),
     old AS (SELECT m.sid, m.status AS old_status FROM messages m JOIN input i ON i.sid = m.sid)
     UPDATE messages m SET status = i.status,
       error_code = CASE WHEN i.status = 'delivered' THEN NULL ELSE COALESCE(i.error_code, m.error_code) END,
       error_message = CASE WHEN i.status = 'delivered' THEN NULL ELSE COALESCE(i.error_message, m.error_message) END,
       date_sent = COALESCE(i.date_sent, m.date_sent),
       smsc_result = COALESCE(i.smsc_result, m.smsc_result), smsc_message_id = COALESCE(i.smsc_message_id, m.smsc_message_id),
       receipt = CASE WHEN o.old_status IN ('delivered', 'undelivered') THEN m.receipt ELSE COALESCE(i.receipt, m.receipt) END,
       -- Leaving the send queue (its partial index) is the one non-HOT update of a message's life.
       next_attempt_at = CASE WHEN i.status IN ('accepted', 'scheduled', 'queued', 'sending') THEN m.next_attempt_at END,
       release_at = CASE WHEN i.status IN ('accepted', 'scheduled') THEN m.release_at END,
       claimed_by = NULL, claimed_until = NULL, date_updated = now()
     FROM input i JOIN old o ON o.sid = i.sid
     WHERE m.sid = i.sid AND (${transitionAllowedSql('m.status', 'i.status')} OR ${correctionAllowedSql('m', 'i')})
     RETURNING m.sid, m.account_sid, m.from_address, m.to_address, m.body, m.api_dialect, o.old_status, m.messaging_service_sid,
       ${statusCallbackTargetSql('m')}`,
    [
      updates.map((u) => u.sid),
      updates.map((u) => u.status),
      updates.map((u) => u.errorCode),
      updates.map((u) => u.errorMessage),
      updates.map((u) => u.dateSent?.toISOString() ?? null),
      updates.map((u) => u.correctionWindowMs),
      updates.map((u) => (u.smscResult === null ? null : JSON.stringify(u.smscResult))),
      updates.map((u) => u.smscMessageId),
      updates.map((u) => (u.receipt === null ? null : JSON.stringify(u.receipt))),
    ],
  );
}

/** The messages with what their callbacks need, for transitions recorded elsewhere (the dispatcher's claim). */
export async function findCallbackMessages(query: SqlQuery, sids: readonly string[]): Promise<UpdatedMessage[]> {
  return query<UpdatedMessage>(
    `SELECT m.sid, m.account_sid, m.from_address, m.to_address, m.messaging_service_sid, ${statusCallbackTargetSql('m')}
     FROM messages m WHERE m.sid = ANY($1::text[])`,
    [sids],
  );
}

/** Where the status callbacks of these messages go: url and method, or null url when there is none. */
export async function findCallbackTargets(
  query: SqlQuery,
  sids: readonly string[],
): Promise<Array<{ sid: string; callback_url: string | null; callback_method: string | null }>> {
  return query(`SELECT m.sid, ${statusCallbackTargetSql('m')} FROM messages m WHERE m.sid = ANY($1::text[])`, [sids]);
}

/** An event row: the step, the status it set (or null), its detail. */
export interface MessageEventRow {
  sid: string;
  type: string;
  status: string | null;
  detail: object;
}

/** Appends events in the order given (ids grow in that order); events of unknown messages are skipped. */
export async function insertMessageEvents(query: SqlQuery, events: readonly MessageEventRow[]): Promise<void> {
  if (events.length === 0) return;
  await query(
    `INSERT INTO message_events (message_sid, type, status, detail)
     SELECT e.sid, e.type, e.status, e.detail
     FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS e(sid, type, status, detail, ord)
     WHERE EXISTS (SELECT 1 FROM messages m WHERE m.sid = e.sid)
     ORDER BY e.ord`,
    [events.map((e) => e.sid), events.map((e) => e.type), events.map((e) => e.status), events.map((e) => JSON.stringify(e.detail))],
  );
}
