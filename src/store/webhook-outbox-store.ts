// SQL of the webhook outbox (`webhook_outbox`, docs/webhooks.md): one row per transaction that created webhooks,
// holding their complete delivery specs, leased to the instance that attempts them from memory. Also the
// transaction that records the first attempts straight into `webhook_deliveries` (and `webhook_attempts` for the
// failed ones), and the plain `pending` insert used when no runner is attached. Set-based: one statement per
// table per call.
import type { SqlQuery } from './database.js';

/** One webhook as the outbox keeps it: everything needed to send it, and to record it later, by any instance. */
export interface OutboxItem {
  /** I-Twilio-Idempotency-Token; also the webhook_deliveries row's idempotency_token. Stable across takeovers. */
  token: string;
  accountSid: string;
  messageSid: string;
  /** `sms` (inbound webhook) or `status_callback`. */
  kind: string;
  url: string;
  method: string;
  fallbackUrl: string | null;
  fallbackMethod: string | null;
  /** Form parameters exactly as they will be sent and signed. */
  params: Record<string, string>;
  /** webhook_deliveries.max_attempts; 0 = no limit. */
  maxAttempts: number;
  /** How long after creation the webhook may still be attempted. */
  deadlineMs: number;
}

export interface OutboxRow {
  id: string;
  items: OutboxItem[];
  dateCreated: Date;
}

/** Inserts one outbox row leased to `instanceId`; returns its id. */
export async function insertOutboxRow(
  query: SqlQuery,
  options: { instanceId: string; leaseMs: number; items: readonly OutboxItem[] },
): Promise<string> {
  const rows = await query<{ id: string }>(
    `INSERT INTO webhook_outbox (instance_id, lease_until, items)
     VALUES ($1, now() + $2 * interval '1 millisecond', $3::jsonb)
     RETURNING id::text AS id`,
    [options.instanceId, options.leaseMs, JSON.stringify(options.items)],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('webhook_outbox insert returned no row');
  return id;
}

/** Leases up to `limit` rows whose lease ran out (their instance died or hung), oldest first. */
export async function takeOverOutboxRows(
  query: SqlQuery,
  options: { instanceId: string; leaseMs: number; limit: number },
): Promise<OutboxRow[]> {
  if (options.limit <= 0) return [];
  const rows = await query<{ id: string; items: unknown; date_created: Date }>(
    `WITH expired AS (
       SELECT id FROM webhook_outbox WHERE lease_until < now() ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
     UPDATE webhook_outbox o SET instance_id = $1, lease_until = now() + $2 * interval '1 millisecond'
     FROM expired e WHERE o.id = e.id
     RETURNING o.id::text AS id, o.items, o.date_created`,
    [options.instanceId, options.leaseMs, options.limit],
  );
  return rows
    .map((row) => ({ id: row.id, items: toItems(row.items), dateCreated: new Date(row.date_created) }))
    .sort((a, b) => a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Extends the leases of rows still in flight on this instance; returns the ids it still holds. */
export async function renewOutboxLeases(
  query: SqlQuery,
  options: { instanceId: string; ids: readonly string[]; leaseMs: number },
): Promise<Set<string>> {
  if (options.ids.length === 0) return new Set();
  const rows = await query<{ id: string }>(
    `UPDATE webhook_outbox SET lease_until = now() + $3 * interval '1 millisecond'
     WHERE id = ANY($2::bigint[]) AND instance_id = $1
     RETURNING id::text AS id`,
    [options.instanceId, options.ids, options.leaseMs],
  );
  return new Set(rows.map((r) => r.id));
}

/** Shutdown: every row this instance still holds is free for any instance at once. */
export async function releaseOutboxRows(query: SqlQuery, instanceId: string, ids?: readonly string[]): Promise<number> {
  const rows = await query(
    `UPDATE webhook_outbox SET instance_id = NULL, lease_until = now() - interval '1 millisecond'
     WHERE instance_id = $1 AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))
     RETURNING id`,
    [instanceId, ids ?? null],
  );
  return rows.length;
}

/**
 * Deletes the row if this instance still holds it; returns its creation time (the deliveries' date_created),
 * or null when it is gone or held by another instance (it took the row over after our lease ran out).
 */
export async function deleteOutboxRow(query: SqlQuery, options: { id: string; instanceId: string }): Promise<Date | null> {
  const rows = await query<{ date_created: Date }>(
    `DELETE FROM webhook_outbox WHERE id = $1 AND instance_id = $2 RETURNING date_created`,
    [options.id, options.instanceId],
  );
  return rows[0]?.date_created ?? null;
}

export interface OutboxPreparation {
  /** account sid → stored auth token (as stored: the caller opens it). */
  authTokens: Map<string, string>;
  /** Messages that already have a pending delivery: their new webhooks queue behind it. */
  pendingMessages: Set<string>;
}

/** One read before a row's first attempts: the accounts' auth tokens and which messages have a pending delivery. */
export async function prepareOutboxItems(query: SqlQuery, items: readonly OutboxItem[]): Promise<OutboxPreparation> {
  const accounts = [...new Set(items.map((i) => i.accountSid))];
  const messages = [...new Set(items.map((i) => i.messageSid))];
  const rows = await query<{ accounts: Array<{ sid: string; token: string }> | null; pending: string[] | null }>(
    `SELECT
       (SELECT json_agg(json_build_object('sid', a.sid, 'token', a.auth_token)) FROM accounts a WHERE a.sid = ANY($1::text[])) AS accounts,
       (SELECT array_agg(DISTINCT d.message_sid) FROM webhook_deliveries d
         WHERE d.state = 'pending' AND d.message_sid = ANY($2::text[])) AS pending`,
    [accounts, messages],
  );
  const row = rows[0];
  return {
    authTokens: new Map((row?.accounts ?? []).map((a) => [a.sid, a.token])),
    pendingMessages: new Set(row?.pending ?? []),
  };
}

/** How a first attempt ended, as it is recorded. `behind`: not attempted, it waits behind an earlier pending webhook. */
export interface RecordedItem {
  item: OutboxItem;
  state: 'succeeded' | 'pending' | 'failed';
  /** Attempts made (0 or 1). */
  attempts: number;
  /** pending only: when the retry worker may take it; null = at once (or right after the webhook it waits behind). */
  nextAttemptDelayMs: number;
  /** Whether it waits behind an earlier pending delivery of its message (next_attempt_at no earlier than that one's). */
  behind: boolean;
  lastHttpStatus: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  /** The HTTP requests of a FAILED attempt (none for a success). */
  calls: ReadonlyArray<{ url: string; httpStatus: number | null; latencyMs: number; errorCode: number | null; error: string | null }>;
}

/**
 * Inserts the deliveries of a recorded outbox row in their final or pending state, in the order given (ids grow
 * in that order, which is the order the retry worker keeps per message), plus an attempt row per request of each
 * failed attempt. Returns token → delivery id.
 */
export async function insertRecordedDeliveries(
  query: SqlQuery,
  options: { dateCreated: Date; items: readonly RecordedItem[] },
): Promise<Map<string, string>> {
  const { items } = options;
  if (items.length === 0) return new Map();
  const col = <T>(pick: (r: RecordedItem) => T): T[] => items.map(pick);
  const rows = await query<{ id: string; idempotency_token: string }>(
    `WITH w AS (
       SELECT t.*, $18::timestamptz + t.deadline_ms * interval '1 millisecond' AS deadline
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[],
         $9::text[], $10::text[], $11::int[], $12::int[], $13::float8[], $14::int[], $15::bool[], $16::int[], $17::text[],
         $19::int[])
         WITH ORDINALITY AS t(account_sid, message_sid, kind, url, method, fallback_url, fallback_method, params, token,
           state, attempts, max_attempts, deadline_ms, delay_ms, behind, http_status, error, latency_ms, ord))
     INSERT INTO webhook_deliveries (account_sid, message_sid, kind, url, method, fallback_url, fallback_method, params,
       idempotency_token, state, attempts, max_attempts, next_attempt_at, deadline, last_http_status, last_error,
       last_latency_ms, date_created, date_completed)
     SELECT w.account_sid, w.message_sid, w.kind, w.url, w.method, w.fallback_url, w.fallback_method, w.params,
       w.token, w.state, w.attempts, w.max_attempts,
       CASE WHEN w.state <> 'pending' THEN now()
         WHEN w.behind THEN GREATEST(LEAST(now() + w.delay_ms * interval '1 millisecond', w.deadline),
           COALESCE((SELECT max(e.next_attempt_at) FROM webhook_deliveries e
                     WHERE e.message_sid = w.message_sid AND e.state = 'pending'), now()))
         ELSE LEAST(now() + w.delay_ms * interval '1 millisecond', w.deadline) END,
       w.deadline, w.http_status, w.error, w.latency_ms, $18::timestamptz,
       CASE WHEN w.state = 'pending' THEN NULL ELSE now() END
     FROM w ORDER BY w.ord
     RETURNING id::text AS id, idempotency_token`,
    [
      col((r) => r.item.accountSid),
      col((r) => r.item.messageSid),
      col((r) => r.item.kind),
      col((r) => r.item.url),
      col((r) => r.item.method),
      col((r) => r.item.fallbackUrl),
      col((r) => (r.item.fallbackUrl === null ? null : r.item.fallbackMethod)),
      col((r) => JSON.stringify(r.item.params)),
      col((r) => r.item.token),
      col((r) => r.state),
      col((r) => r.attempts),
      col((r) => r.item.maxAttempts),
      col((r) => r.item.deadlineMs),
      col((r) => Math.max(0, Math.round(r.nextAttemptDelayMs))),
      col((r) => r.behind),
      col((r) => r.lastHttpStatus),
      col((r) => r.lastError),
      options.dateCreated,
      col((r) => (r.lastLatencyMs === null ? null : Math.round(r.lastLatencyMs))),
    ],
  );
  const ids = new Map(rows.map((row) => [row.idempotency_token, row.id]));
  const calls = items.flatMap((r) => r.calls.map((call) => ({ call, id: ids.get(r.item.token), attempt: r.attempts })));
  if (calls.length > 0) {
    await query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, url, http_status, latency_ms, error_code, error)
       SELECT a.delivery_id, a.attempt, a.url, a.http_status, a.latency_ms, a.error_code, a.error
       FROM unnest($1::bigint[], $2::int[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[])
         WITH ORDINALITY AS a(delivery_id, attempt, url, http_status, latency_ms, error_code, error, ord)
       ORDER BY a.ord`,
      [
        calls.map((c) => c.id),
        calls.map((c) => Math.max(1, c.attempt)),
        calls.map((c) => c.call.url),
        calls.map((c) => c.call.httpStatus),
        calls.map((c) => Math.round(c.call.latencyMs)),
        calls.map((c) => c.call.errorCode),
        calls.map((c) => c.call.error),
      ],
    );
  }
  return ids;
}

/**
 * The plain path, used when no outbox runner runs on this handle (tools, tests of the retry worker): `pending`
 * deliveries due now, for the delivery worker to claim. Returns the delivery ids in the order given.
 */
export async function insertPendingDeliveries(query: SqlQuery, items: readonly OutboxItem[]): Promise<bigint[]> {
  if (items.length === 0) return [];
  const inserted = await query<{ id: string; idempotency_token: string }>(
    `INSERT INTO webhook_deliveries (account_sid, message_sid, kind, url, method, fallback_url, fallback_method, params,
       idempotency_token, max_attempts, deadline)
     SELECT w.account_sid, w.message_sid, w.kind, w.url, w.method, w.fallback_url, w.fallback_method, w.params,
       w.token, w.max_attempts, now() + w.deadline_ms * interval '1 millisecond'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[],
       $9::text[], $10::int[], $11::float8[])
       WITH ORDINALITY AS w(account_sid, message_sid, kind, url, method, fallback_url, fallback_method, params, token,
         max_attempts, deadline_ms, ord)
     ORDER BY w.ord
     RETURNING id::text AS id, idempotency_token`,
    [
      items.map((i) => i.accountSid),
      items.map((i) => i.messageSid),
      items.map((i) => i.kind),
      items.map((i) => i.url),
      items.map((i) => i.method),
      items.map((i) => i.fallbackUrl),
      items.map((i) => (i.fallbackUrl === null ? null : i.fallbackMethod)),
      items.map((i) => JSON.stringify(i.params)),
      items.map((i) => i.token),
      items.map((i) => i.maxAttempts),
      items.map((i) => i.deadlineMs),
    ],
  );
  // RETURNING promises no order: match rows to the items by their token.
  const byToken = new Map(inserted.map((row) => [row.idempotency_token, BigInt(row.id)]));
  return items.map((item) => {
    const id = byToken.get(item.token);
    if (id === undefined) throw new Error('webhook_deliveries insert returned no row');
    return id;
  });
}

function toItems(value: unknown): OutboxItem[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? (parsed as OutboxItem[]) : [];
}
