// The dispatcher's bookkeeping on the `messages` table, which is the outbound queue: claim due rows with
// FOR NO KEY UPDATE SKIP LOCKED (two instances never take the same row; NO KEY because a message's key never
// changes, and a plain FOR UPDATE would make every event insert that references the message wait for our
// commit), hand rows back for a later retry, and recover the rows of an instance that died holding a lease.
// These are the only queued ⇄ sending moves; customer-visible transitions go through messaging/status-change.ts.
import type { OutboundSms, SmscRoute } from '../messaging/smsc-gateway.js';
import {
  queueStatusCallbacks,
  recordMessageEvents,
  type MessageEventInput,
  type StatusChangeOptions,
} from '../messaging/status-change.js';
import type { SqlQuery } from '../store/database.js';

/** A claimed message: what the gateway needs (OutboundSms), plus the dispatcher's facts about it. */
export interface ClaimedMessage extends OutboundSms {
  route: SmscRoute;
  /** Attempts including this one (an expired message's claim does not count as one). */
  attempts: number;
  /** The validity deadline had passed when the message was claimed (by the database's clock). */
  expired: boolean;
  /** The instance whose lease on the message ran out before this claim took it over, if any. */
  takenOverFrom: string | null;
  /** When this claim was made (messages.send_started_at): the `sending` step of the message's history. */
  sendStartedAt: Date | null;
  /** The instance holding the claim. */
  claimedBy: string;
}

interface ClaimRow {
  sid: string;
  account_sid: string;
  from_address: string | null;
  to_address: string;
  body: string;
  coding: number;
  udh: string | null;
  message_class: number | null;
  valid_until: Date | string | null;
  receipt_requested: boolean;
  sip_headers: Record<string, string> | null;
  route: string;
  attempts: number;
  old_route: string | null;
  number_route: string | null;
  account_route: string | null;
  /** 'sending' when the row was taken over from a holder whose lease ran out. */
  old_status: string;
  old_claimed_by: string | null;
  old_claimed_until: Date | string | null;
  old_send_started_at: Date | string | null;
  old_attempts: number;
  send_started_at: Date | string | null;
  expired: boolean;
}

export interface ClaimOptions {
  instanceId: string;
  limit: number;
  leaseMs: number;
  /** Route of messages whose message, number and account name none. */
  defaultRoute: SmscRoute;
  /** With `sendingCallbacks`, the queued → sending move also queues a status callback. */
  statusChange?: StatusChangeOptions;
  /**
   * Routes not to claim now (their gateway is not ready): a claimed message could only be handed back, and
   * doing that in a loop is what made an SMPP outage spin. Their messages stay queued, due, and untouched.
   */
  heldRoutes?: readonly SmscRoute[];
}

/**
 * The route a message goes by, as the claim decides it: its own (decided at an earlier claim), else its sending
 * number's, else its account's, else the default. Over `messages m`, `phone_numbers p`, `accounts a` joined as in
 * claimMessages; `defaultRoute` is the SQL parameter holding the default route.
 */
const resolvedRoute = (defaultRoute: string) => `COALESCE(m.route, p.sms_route, a.sms_route, ${defaultRoute})`;
const ROUTE_JOINS = `LEFT JOIN phone_numbers p ON p.phone_number = m.from_address AND p.account_sid = m.account_sid
       LEFT JOIN accounts a ON a.sid = m.account_sid`;

/**
 * Claims up to `limit` due messages: queued → sending, lease until now + leaseMs, attempts + 1, route decided
 * (message, else sending number, else account, else default; route_source says which, the first time). The claim
 * is the message's `sending` step: send_started_at = now() on the row, no event row.
 *
 * The lease is also the row's place in the send queue: next_attempt_at moves to the lease's end, so a message whose
 * holder died (lease run out) is simply due again and the next claim takes it over (with a `lease_expired` event).
 * There is no recovery pass scanning the queue for expired leases.
 */
export async function claimMessages(query: SqlQuery, options: ClaimOptions): Promise<ClaimedMessage[]> {
  const rows = await query<ClaimRow>(
    `WITH candidates AS (
       SELECT m.sid, m.route AS old_route, p.sms_route AS number_route, a.sms_route AS account_route,
         m.status AS old_status, m.claimed_by AS old_claimed_by, m.claimed_until AS old_claimed_until,
         m.send_started_at AS old_send_started_at, m.attempts AS old_attempts
       FROM messages m
       ${ROUTE_JOINS}
       WHERE m.status IN ('queued', 'sending') AND m.next_attempt_at <= now()
         AND ${resolvedRoute('$4')} <> ALL($5::text[])
       ORDER BY m.next_attempt_at
       LIMIT $2
       FOR NO KEY UPDATE OF m SKIP LOCKED)
     UPDATE messages m SET status = 'sending', claimed_by = $1,
       claimed_until = now() + $3 * interval '1 millisecond', next_attempt_at = now() + $3 * interval '1 millisecond',
       attempts = m.attempts + CASE WHEN m.valid_until <= now() THEN 0 ELSE 1 END,
       route = COALESCE(c.old_route, c.number_route, c.account_route, $4),
       route_source = CASE WHEN c.old_route IS NULL
         THEN CASE WHEN c.number_route IS NOT NULL THEN 'number' WHEN c.account_route IS NOT NULL THEN 'account' ELSE 'default' END
         ELSE m.route_source END,
       send_started_at = now(), date_updated = now()
     FROM candidates c WHERE m.sid = c.sid
     RETURNING m.sid, m.account_sid, m.from_address, m.to_address, m.body, m.coding, m.udh, m.message_class,
       m.valid_until, m.receipt_requested, m.sip_headers, m.route, m.attempts, c.old_route, c.number_route, c.account_route,
       c.old_status, c.old_claimed_by, c.old_claimed_until, c.old_send_started_at, c.old_attempts, m.send_started_at,
       COALESCE(m.valid_until <= now(), false) AS expired`,
    [options.instanceId, options.limit, options.leaseMs, options.defaultRoute, options.heldRoutes ?? []],
  );
  await recordMessageEvents(query, rows.flatMap(claimEvents));
  if (options.statusChange?.sendingCallbacks) {
    const sending = rows.filter((row) => !row.expired).map((row) => ({ sid: row.sid, status: 'sending' as const }));
    await queueStatusCallbacks(query, sending, options.statusChange);
  }
  return rows.map((row) => toClaimedMessage(row, options.instanceId));
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

/**
 * Only a takeover is an exceptional step (`lease_expired`); it says when the claim it ended started
 * (sendStartedAt), since the row now holds this claim's. The route and the `sending` step are on the row.
 */
function claimEvents(row: ClaimRow): MessageEventInput[] {
  if (row.old_status !== 'sending') return [];
  return [{
    sid: row.sid, type: 'lease_expired', status: 'queued',
    detail: {
      claimedBy: row.old_claimed_by, claimedUntil: iso(row.old_claimed_until),
      ...(row.old_send_started_at === null ? {} : { sendStartedAt: iso(row.old_send_started_at), attempt: row.old_attempts }),
    },
  }];
}

function toClaimedMessage(row: ClaimRow, instanceId: string): ClaimedMessage {
  return {
    sid: row.sid,
    accountSid: row.account_sid,
    to: row.to_address,
    from: row.from_address ?? '',
    body: row.body,
    coding: row.coding === 1 || row.coding === 2 ? row.coding : 0,
    udh: row.udh,
    messageClass: row.message_class,
    validUntil: row.valid_until === null ? null : new Date(row.valid_until),
    receiptRequested: row.receipt_requested,
    sipHeaders: row.sip_headers,
    route: row.route === 'smpp' ? 'smpp' : 'sip',
    attempts: row.attempts,
    expired: row.expired,
    takenOverFrom: row.old_status === 'sending' ? (row.old_claimed_by ?? 'unknown') : null,
    sendStartedAt: row.send_started_at === null ? null : new Date(row.send_started_at),
    claimedBy: instanceId,
  };
}

export interface Requeue {
  sid: string;
  /** Earliest next attempt, from now; capped at the validity deadline so expiry is noticed on time. */
  delayMs: number;
  /** False when the message never reached the SMSC (throttled, shutting down): the claim's attempt is undone. */
  countAttempt: boolean;
}

/** Hands claimed messages back to the queue (sending → queued), only those this instance still holds. */
export async function requeueMessages(query: SqlQuery, instanceId: string, items: readonly Requeue[]): Promise<string[]> {
  if (items.length === 0) return [];
  const rows = await query<{ sid: string }>(
    `WITH input AS (SELECT * FROM unnest($1::text[], $2::int[], $3::boolean[]) AS t(sid, delay_ms, count_attempt))
     UPDATE messages m SET status = 'queued', claimed_by = NULL, claimed_until = NULL,
       attempts = m.attempts - CASE WHEN i.count_attempt THEN 0 ELSE 1 END,
       next_attempt_at = LEAST(now() + i.delay_ms * interval '1 millisecond', COALESCE(m.valid_until, 'infinity')),
       date_updated = now()
     FROM input i WHERE m.sid = i.sid AND m.status = 'sending' AND m.claimed_by = $4
     RETURNING m.sid`,
    [items.map((i) => i.sid), items.map((i) => Math.max(0, Math.round(i.delayMs))), items.map((i) => i.countAttempt), instanceId],
  );
  return rows.map((r) => r.sid);
}

/** Messages waiting to be sent (due or not) and messages being sent, for metrics. */
export async function queueDepth(query: SqlQuery): Promise<{ queued: number; sending: number }> {
  const rows = await query<{ status: string; count: string | number }>(
    `SELECT status, count(*) AS count FROM messages WHERE next_attempt_at IS NOT NULL AND status IN ('queued', 'sending') GROUP BY status`,
  );
  const count = (status: string) => Number(rows.find((r) => r.status === status)?.count ?? 0);
  return { queued: count('queued'), sending: count('sending') };
}

/** Queued messages (due or not) by the route they will go by, for metrics: the backlog of a route that is down. */
export async function queuedByRoute(query: SqlQuery, defaultRoute: SmscRoute): Promise<Array<{ route: string; queued: number }>> {
  const rows = await query<{ route: string; n: number }>(
    `SELECT ${resolvedRoute('$1::text')} AS route, count(*)::int AS n
     FROM messages m
     ${ROUTE_JOINS}
     WHERE m.next_attempt_at IS NOT NULL AND m.status = 'queued'
     GROUP BY 1`,
    [defaultRoute],
  );
  return rows.map((row) => ({ route: row.route, queued: row.n }));
}

/** Releases every claim this instance still holds (shutdown), due at once. Attempts stay counted. */
export async function releaseClaims(query: SqlQuery, instanceId: string): Promise<string[]> {
  const rows = await query<{ sid: string; send_started_at: Date | string | null; attempts: number }>(
    `UPDATE messages SET status = 'queued', claimed_by = NULL, claimed_until = NULL, next_attempt_at = now(),
       date_updated = now()
     WHERE next_attempt_at IS NOT NULL AND status = 'sending' AND claimed_by = $1
     RETURNING sid, send_started_at, attempts`,
    [instanceId],
  );
  await recordMessageEvents(query, rows.map((r) => ({
    sid: r.sid, type: 'released', status: 'queued',
    detail: { claimedBy: instanceId, ...(r.send_started_at === null ? {} : { sendStartedAt: iso(r.send_started_at), attempt: r.attempts }) },
  })));
  return rows.map((r) => r.sid);
}
