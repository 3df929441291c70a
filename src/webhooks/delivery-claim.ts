// Claiming webhook deliveries from `webhook_deliveries`, the webhook work queue. A claim is a lease
// (claimed_by / claimed_until) taken with FOR UPDATE SKIP LOCKED, so several instances never hold one row at once.
// Only the OLDEST pending row of a message is eligible: a later status callback waits until the earlier one has
// succeeded or definitively failed. That single rule keeps callbacks in order per message, across instances too.
import { PLAIN_AUTH_TOKENS, type AuthTokenCipher } from '../store/auth-token-cipher.js';
import type { SqlQuery } from '../store/database.js';
import type { WebhookMethod } from './webhook-request.js';

export interface ClaimedDelivery {
  /** bigint id, as text (JavaScript numbers cannot hold every bigint). */
  id: string;
  accountSid: string;
  messageSid: string;
  /** `sms` (inbound webhook) or `status_callback`; other kinds are treated like status callbacks. */
  kind: string;
  url: string;
  method: WebhookMethod;
  fallbackUrl: string | null;
  fallbackMethod: WebhookMethod;
  params: Record<string, string>;
  idempotencyToken: string;
  /** Attempts including this one. */
  attempts: number;
  /** 0 = no limit: retried until the deadline (WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** The account's auth token, joined at claim time (never stored with the delivery); null if the account is gone. */
  authToken: string | null;
}

interface ClaimRow {
  id: string;
  account_sid: string;
  message_sid: string;
  kind: string;
  url: string;
  method: string;
  fallback_url: string | null;
  fallback_method: string | null;
  params: unknown;
  idempotency_token: string;
  attempts: number;
  max_attempts: number;
  auth_token: string | null;
}

export interface ClaimDeliveriesOptions {
  instanceId: string;
  limit: number;
  leaseMs: number;
  /** How the joined auth tokens are stored (Database.authTokens); absent: plain text. */
  authTokens?: AuthTokenCipher | undefined;
}

// A row is free when nobody holds it or its holder's lease ran out (the holder crashed or hung): expired leases
// need no separate recovery pass. The NOT EXISTS reads the older rows without locking them: a row claimed by
// another instance is still `pending`, so it keeps blocking its successors, which is exactly what ordering needs.
const CLAIM_SQL = `
WITH candidates AS (
  SELECT d.id
  FROM webhook_deliveries d
  WHERE d.state = 'pending' AND d.next_attempt_at <= now()
    AND (d.claimed_until IS NULL OR d.claimed_until < now())
    AND NOT EXISTS (
      SELECT 1 FROM webhook_deliveries e
      WHERE e.message_sid = d.message_sid AND e.state = 'pending' AND e.id < d.id)
  ORDER BY d.next_attempt_at, d.id
  LIMIT $2
  FOR UPDATE OF d SKIP LOCKED)
UPDATE webhook_deliveries d SET claimed_by = $1, claimed_until = now() + $3 * interval '1 millisecond',
  attempts = d.attempts + 1
FROM candidates c
WHERE d.id = c.id
RETURNING d.id::text AS id, d.account_sid, d.message_sid, d.kind, d.url, d.method, d.fallback_url, d.fallback_method,
  d.params, d.idempotency_token, d.attempts, d.max_attempts,
  (SELECT a.auth_token FROM accounts a WHERE a.sid = d.account_sid) AS auth_token`;

/** Claims up to `limit` due deliveries (attempts + 1 each), oldest first. */
export async function claimDeliveries(query: SqlQuery, options: ClaimDeliveriesOptions): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  const rows = await query<ClaimRow>(CLAIM_SQL, [options.instanceId, options.limit, options.leaseMs]);
  const tokens = options.authTokens ?? PLAIN_AUTH_TOKENS;
  return rows.sort((a, b) => compareIds(a.id, b.id)).map((row) => toClaimedDelivery({
    ...row, auth_token: row.auth_token === null ? null : tokens.open(row.account_sid, row.auth_token),
  }));
}

/** Extends the leases of deliveries still being worked on (long redirect chains, slow receivers). */
export async function renewLeases(query: SqlQuery, options: { instanceId: string; ids: readonly string[]; leaseMs: number }): Promise<number> {
  if (options.ids.length === 0) return 0;
  const rows = await query(
    `UPDATE webhook_deliveries SET claimed_until = now() + $3 * interval '1 millisecond'
     WHERE id = ANY($2::bigint[]) AND claimed_by = $1 AND state = 'pending'
     RETURNING id`,
    [options.instanceId, options.ids, options.leaseMs],
  );
  return rows.length;
}

/** Hands back every delivery this instance still holds (shutdown), due at once. Attempts stay counted. */
export async function releaseDeliveryClaims(query: SqlQuery, instanceId: string): Promise<number> {
  const rows = await query(
    `UPDATE webhook_deliveries SET claimed_by = NULL, claimed_until = NULL, next_attempt_at = now()
     WHERE claimed_by = $1 AND state = 'pending'
     RETURNING id`,
    [instanceId],
  );
  return rows.length;
}

/** Pending deliveries (due or not), for metrics and tests. */
export async function pendingDeliveryCount(query: SqlQuery): Promise<number> {
  const rows = await query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE state = 'pending'`);
  return rows[0]?.n ?? 0;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function toMethod(value: string | null): WebhookMethod {
  return value?.toUpperCase() === 'GET' ? 'GET' : 'POST';
}

function toParams(value: unknown): Record<string, string> {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  const params: Record<string, string> = {};
  if (parsed === null || typeof parsed !== 'object') return params;
  for (const [key, item] of Object.entries(parsed)) params[key] = typeof item === 'string' ? item : String(item);
  return params;
}

function toClaimedDelivery(row: ClaimRow): ClaimedDelivery {
  return {
    id: row.id,
    accountSid: row.account_sid,
    messageSid: row.message_sid,
    kind: row.kind,
    url: row.url,
    method: toMethod(row.method),
    fallbackUrl: row.fallback_url === null || row.fallback_url === '' ? null : row.fallback_url,
    fallbackMethod: toMethod(row.fallback_method),
    params: toParams(row.params),
    idempotencyToken: row.idempotency_token,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    authToken: row.auth_token,
  };
}
