// Records a batch of finished delivery runs in ONE transaction: the delivery rows' new state and the last
// attempt's latency (only rows this instance still holds), a `webhook_attempts` row per HTTP request of a FAILED
// attempt (a success is told by its delivery row alone), `twiml` message events, and the TwiML replies. There
// are no `webhook` message events: a delivery's history is its webhook_deliveries row plus its attempt rows. Because the replies and the `succeeded` mark commit together, and both depend on still holding
// the claim, a crash or a lost lease can never create a reply twice. Set-based: the statement count does not grow
// with the batch.
import { recordMessageEvents, type MessageEventInput } from '../messaging/status-change.js';
import type { Database, SqlQuery } from '../store/database.js';
import type { DeliveryRun } from './delivery-runner.js';
import { inboundRefFromParams, insertReplies, planReplies, REPLY_CODES, type ReplyDraft } from './twiml-reply.js';

export interface RecordableRun {
  run: DeliveryRun;
  /** Backoff before the next attempt, used when the verdict is `retry`. */
  retryDelayMs: number;
}

export interface RecordRunsOptions {
  db: Database;
  instanceId: string;
  runs: readonly RecordableRun[];
  /** Validity of TwiML replies (ValidityPeriod), seconds. */
  replyValiditySeconds?: number;
  /** X- response headers never carried onto `<Sms>` replies (RESTCOMM_X_HEADER_DENY). */
  replyXHeaderDeny?: readonly string[];
}

/** What the batch did, for the worker's counters and its `onReplyQueued` hook. */
export interface RecordedRuns {
  /** Final state per delivery id; absent when the claim was lost (another instance owns the row now). */
  states: Map<string, string>;
  repliesQueued: number;
}

export async function recordDeliveryRuns(options: RecordRunsOptions): Promise<RecordedRuns> {
  const { runs } = options;
  if (runs.length === 0) return { states: new Map(), repliesQueued: 0 };
  return options.db.transaction(async (query) => {
    const states = await updateDeliveries(query, options.instanceId, runs);
    await insertAttempts(query, runs.filter((r) => r.run.verdict !== 'succeeded' && states.has(r.run.delivery.id)));
    const repliesQueued = await recordTwimlOutcomes(query, runs.filter((r) => states.has(r.run.delivery.id)).map((r) => r.run), options);
    return { states, repliesQueued };
  });
}

/**
 * The `twiml` events of recorded runs and the TwiML replies of the successful ones (with their `twiml_reply`
 * events), in the caller's transaction; returns how many replies were queued. Shared with the outbox runner.
 */
export async function recordTwimlOutcomes(
  query: SqlQuery,
  runs: readonly DeliveryRun[],
  options: Pick<RecordRunsOptions, 'replyValiditySeconds' | 'replyXHeaderDeny'>,
): Promise<number> {
  const events: MessageEventInput[] = [];
  const replies: ReplyDraft[] = [];
  for (const run of runs) events.push(...twimlEvents(run, replies, options.replyXHeaderDeny ?? []));
  const inserted = await insertReplies(query, replies, options.replyValiditySeconds);
  for (const reply of replies) events.push(replyEvent(reply, inserted.has(reply.sid)));
  await recordMessageEvents(query, events);
  return inserted.size;
}

/** How long an attempt took: its HTTP requests, fallback and redirects together. */
export function attemptLatencyMs(run: DeliveryRun): number | null {
  return run.calls.length === 0 ? null : Math.round(run.calls.reduce((sum, call) => sum + call.latencyMs, 0));
}

// A retry is due after its delay, but never after the deadline: the last attempt is moved onto the deadline, so
// WEBHOOK_RETRY_DEADLINE_S is really reached. An attempt that ends at or past the deadline, or that used the last
// of max_attempts (0 = no limit), fails the delivery.
async function updateDeliveries(query: SqlQuery, instanceId: string, runs: readonly RecordableRun[]): Promise<Map<string, string>> {
  const rows = await query<{ id: string; state: string; retried: boolean }>(
    `WITH input AS (
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::text[], $7::int[])
         AS t(id, verdict, delay_ms, http_status, error, latency_ms)
     ), decided AS (
       SELECT i.*, CASE
           WHEN i.verdict IN ('succeeded', 'failed') THEN i.verdict
           WHEN i.verdict = 'released' THEN 'pending'
           WHEN (d.max_attempts > 0 AND d.attempts >= d.max_attempts) OR now() >= d.deadline THEN 'failed'
           ELSE 'pending' END AS new_state
       FROM input i JOIN webhook_deliveries d ON d.id = i.id
     )
     UPDATE webhook_deliveries d SET state = x.new_state,
       next_attempt_at = CASE WHEN x.verdict = 'retry' AND x.new_state = 'pending'
         THEN LEAST(now() + x.delay_ms * interval '1 millisecond', d.deadline) ELSE now() END,
       claimed_by = NULL, claimed_until = NULL,
       last_http_status = COALESCE(x.http_status, d.last_http_status),
       last_error = x.error,
       last_latency_ms = COALESCE(x.latency_ms, d.last_latency_ms),
       date_completed = CASE WHEN x.new_state = 'pending' THEN NULL ELSE now() END
     FROM decided x
     WHERE d.id = x.id AND d.claimed_by = $6 AND d.state = 'pending'
     RETURNING d.id::text AS id, d.state, (x.verdict = 'retry' AND x.new_state = 'pending') AS retried`,
    [
      runs.map((r) => r.run.delivery.id),
      runs.map((r) => r.run.verdict),
      runs.map((r) => Math.max(0, Math.round(r.retryDelayMs))),
      runs.map((r) => r.run.lastHttpStatus),
      runs.map((r) => r.run.lastError),
      instanceId,
      runs.map((r) => attemptLatencyMs(r.run)),
    ],
  );
  const retried = rows.filter((r) => r.retried).map((r) => r.id);
  if (retried.length > 0) await deferSuccessors(query, retried);
  return new Map(rows.map((r) => [r.id, r.state]));
}

/**
 * A message's later deliveries cannot be claimed before its retried one is done (delivery-claim.ts), so they
 * are moved to its retry time: otherwise every poll would walk them as "due" and skip them, and during a long
 * outage that is a scan of the whole backlog four times a second. Later deliveries written after this (a
 * `delivered` callback while `sent` waits) are moved at that one's next retry.
 */
async function deferSuccessors(query: SqlQuery, retriedIds: readonly string[]): Promise<void> {
  await query(
    `UPDATE webhook_deliveries l SET next_attempt_at = r.next_attempt_at
     FROM webhook_deliveries r
     WHERE r.id = ANY($1::bigint[]) AND r.state = 'pending'
       AND l.message_sid = r.message_sid AND l.state = 'pending' AND l.id > r.id
       AND l.next_attempt_at < r.next_attempt_at`,
    [retriedIds],
  );
}

async function insertAttempts(query: SqlQuery, runs: readonly RecordableRun[]): Promise<void> {
  const calls = runs.flatMap(({ run }) => run.calls.map((call) => ({ call, delivery: run.delivery })));
  if (calls.length === 0) return;
  await query(
    `INSERT INTO webhook_attempts (delivery_id, attempt, url, http_status, latency_ms, error_code, error)
     SELECT a.delivery_id, a.attempt, a.url, a.http_status, a.latency_ms, a.error_code, a.error
     FROM unnest($1::bigint[], $2::int[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[])
       WITH ORDINALITY AS a(delivery_id, attempt, url, http_status, latency_ms, error_code, error, ord)
     ORDER BY a.ord`,
    [
      calls.map((c) => c.delivery.id),
      calls.map((c) => c.delivery.attempts),
      calls.map((c) => c.call.url),
      calls.map((c) => c.call.httpStatus),
      calls.map((c) => Math.round(c.call.latencyMs)),
      calls.map((c) => c.call.errorCode),
      calls.map((c) => c.call.error),
    ],
  );
}

/** TwiML errors and warnings as `twiml` events; planned replies go to `replies`, their problems become events. */
function twimlEvents(run: DeliveryRun, replies: ReplyDraft[], xHeaderDeny: readonly string[]): MessageEventInput[] {
  const sid = run.delivery.messageSid;
  const events: MessageEventInput[] = run.twimlEvents.map((e) => ({
    sid,
    type: 'twiml',
    status: null,
    detail: { code: e.code, message: e.message, url: e.url, level: e.fatal ? 'error' : 'warning' },
  }));
  if (run.verdict !== 'succeeded' || run.replies.length === 0) return events;
  const inbound = inboundRefFromParams(run.delivery.params, run.delivery);
  const plan = planReplies({ inbound, messages: run.replies, responseXHeaders: run.responseXHeaders ?? {}, xHeaderDeny });
  replies.push(...plan.replies);
  for (const problem of plan.problems) {
    events.push({ sid, type: 'twiml', status: null, detail: { code: problem.code, message: problem.message, level: 'warning' } });
  }
  return events;
}

function replyEvent(reply: ReplyDraft, inserted: boolean): MessageEventInput {
  if (inserted) {
    return { sid: reply.inReplyToSid, type: 'twiml_reply', status: null, detail: { replySid: reply.sid, to: reply.to, from: reply.from } };
  }
  const message = `Reply 'from' ${reply.from} is not a phone number of this account, or ${reply.to} opted out of it (STOP); the message was not sent`;
  return { sid: reply.inReplyToSid, type: 'twiml', status: null, detail: { code: REPLY_CODES.fromNotOwned, message, level: 'warning' } };
}
