// Reads what messaging/message-history.ts merges into a message's Events.json: the message row and the rows of
// its exceptional steps, receipts, SMSC parts and webhook calls, in ONE round trip (one statement, each source
// an index lookup by message sid).
import type { Database } from './database.js';
import {
  buildMessageHistory, type HistoryAttempt, type HistoryDelivery, type HistoryEvent, type HistoryMessage, type HistoryReceipt,
  type HistorySubmission,
} from '../messaging/message-history.js';

const HISTORY_QUERY = `
SELECT
  (SELECT row_to_json(x) FROM (
     SELECT m.sid, m.direction, m.status, m.date_created, m.date_updated, m.date_sent, m.attempts, m.route, m.route_source,
       m.claimed_by, m.send_started_at, m.smsc_result, m.receipt, m.messaging_service_sid, m.in_reply_to_sid, m.num_segments,
       m.smsc_id, m.smsc_delivery_time) x) AS message,
  (SELECT coalesce(json_agg(x), '[]') FROM (
     SELECT e.id::text AS id, e.type, e.status, e.detail, e.date_created FROM message_events e WHERE e.message_sid = m.sid) x) AS events,
  (SELECT coalesce(json_agg(x), '[]') FROM (
     SELECT r.id::text AS id, r.source, r.smsc_message_id, r.stat, r.err, r.submit_date, r.done_date, r.date_received
     FROM delivery_receipts r WHERE r.message_sid = m.sid) x) AS receipts,
  (SELECT coalesce(json_agg(x), '[]') FROM (
     SELECT s.id::text AS id, s.part_number, s.total_parts, s.smsc_message_id FROM smsc_submissions s WHERE s.message_sid = m.sid) x) AS submissions,
  (SELECT coalesce(json_agg(x), '[]') FROM (
     SELECT d.id::text AS id, d.kind, d.url, d.state, d.attempts, d.last_http_status, d.last_latency_ms, d.last_error, d.date_completed
     FROM webhook_deliveries d WHERE d.message_sid = m.sid) x) AS deliveries,
  (SELECT coalesce(json_agg(x), '[]') FROM (
     SELECT a.id::text AS id, a.delivery_id::text AS delivery_id, a.attempt, a.url, a.http_status, a.latency_ms, a.error_code, a.error, a.date_created
     FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.message_sid = m.sid) x) AS attempts
FROM messages m WHERE m.sid = $1 AND m.account_sid = $2`;

type Json = Record<string, unknown>;

interface HistoryRow {
  message: Json;
  events: Json[];
  receipts: Json[];
  submissions: Json[];
  deliveries: Json[];
  attempts: Json[];
}

const date = (v: unknown): Date => new Date(v as string);
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const obj = (v: unknown): Json | null => (v !== null && typeof v === 'object' ? (v as Json) : null);

/** The message's events, oldest first; null when the message is not the account's. */
export async function loadMessageHistory(db: Database, options: { accountSid: string; sid: string }): Promise<HistoryEvent[] | null> {
  const rows = await db.query<HistoryRow>(HISTORY_QUERY, [options.sid, options.accountSid]);
  const row = rows[0];
  if (row === undefined) return null;
  const m = row.message;
  const message: HistoryMessage = {
    sid: String(m.sid), direction: String(m.direction), status: String(m.status),
    dateCreated: date(m.date_created), dateUpdated: date(m.date_updated), dateSent: dateOrNull(m.date_sent),
    attempts: Number(m.attempts), route: text(m.route), routeSource: text(m.route_source), claimedBy: text(m.claimed_by),
    sendStartedAt: dateOrNull(m.send_started_at), smscResult: obj(m.smsc_result), receipt: obj(m.receipt),
    messagingServiceSid: text(m.messaging_service_sid), inReplyToSid: text(m.in_reply_to_sid), numSegments: Number(m.num_segments),
    smscId: text(m.smsc_id), smscDeliveryTime: text(m.smsc_delivery_time),
  };
  const events: HistoryEvent[] = row.events.map((e) => ({
    id: String(e.id), type: String(e.type), status: text(e.status), detail: obj(e.detail) ?? {}, dateCreated: date(e.date_created),
  }));
  const receipts: HistoryReceipt[] = row.receipts.map((r) => ({
    id: String(r.id), source: String(r.source), smscMessageId: text(r.smsc_message_id), stat: text(r.stat), err: text(r.err),
    submitDate: text(r.submit_date), doneDate: text(r.done_date), dateReceived: date(r.date_received),
  }));
  const submissions: HistorySubmission[] = row.submissions.map((s) => ({
    partNumber: Number(s.part_number), totalParts: Number(s.total_parts), smscMessageId: text(s.smsc_message_id),
  }));
  const deliveries: HistoryDelivery[] = row.deliveries.map((d) => ({
    id: String(d.id), kind: String(d.kind), url: String(d.url), state: String(d.state), attempts: Number(d.attempts),
    lastHttpStatus: num(d.last_http_status), lastLatencyMs: num(d.last_latency_ms), lastError: text(d.last_error),
    dateCompleted: dateOrNull(d.date_completed),
  }));
  const attempts: HistoryAttempt[] = row.attempts.map((a) => ({
    id: String(a.id), deliveryId: String(a.delivery_id), attempt: Number(a.attempt), url: String(a.url), httpStatus: num(a.http_status),
    latencyMs: Number(a.latency_ms), errorCode: num(a.error_code), error: text(a.error), dateCreated: date(a.date_created),
  }));
  return buildMessageHistory({ message, events, receipts, submissions, deliveries, attempts });
}
