// Records an inbound-SMS webhook as a durable `webhook_deliveries` row. The row is written in the caller's
// transaction, next to the message it announces, so a crash can never leave a stored message unannounced
// (or announce one that was rolled back). Sending the row is the delivery worker's job (delivery-worker.ts).
import { randomUUID } from 'node:crypto';
import type { SqlQuery } from '../store/database.js';

export interface InboundWebhookPolicy {
  /** `webhook_deliveries.max_attempts` (WEBHOOK_MAX_ATTEMPTS); 0 = no limit, retried until the deadline. */
  maxAttempts: number;
  /** How long after creation the delivery may still be attempted (WEBHOOK_RETRY_DEADLINE_S, in ms). */
  deadlineMs: number;
}

export const DEFAULT_INBOUND_WEBHOOK_POLICY: InboundWebhookPolicy = { maxAttempts: 0, deadlineMs: 3_600_000 };

export interface InboundWebhookRow {
  accountSid: string;
  messageSid: string;
  url: string;
  method: string;
  fallbackUrl: string | null;
  fallbackMethod: string | null;
  /** Form parameters exactly as they will be sent and signed (see webhook-params.ts). */
  params: Record<string, string>;
}

export interface InboundWebhookRequest {
  row: InboundWebhookRow;
  policy?: InboundWebhookPolicy | undefined;
}

/** Inserts one pending `sms` delivery due now; returns its id. */
export async function enqueueInboundSmsWebhook(query: SqlQuery, request: InboundWebhookRequest): Promise<bigint> {
  const [id] = await enqueueInboundSmsWebhooks(query, [request]);
  if (id === undefined) throw new Error('webhook_deliveries insert returned no row');
  return id;
}

/**
 * Inserts pending `sms` deliveries due now, all in one statement (the inbound batch, receive-sms.ts); returns
 * their ids in the order given. Each row gets its own idempotency token and its own policy's attempts and deadline.
 */
export async function enqueueInboundSmsWebhooks(query: SqlQuery, requests: readonly InboundWebhookRequest[]): Promise<bigint[]> {
  if (requests.length === 0) return [];
  const tokens = requests.map(() => randomUUID());
  const column = <T>(pick: (row: InboundWebhookRow, policy: InboundWebhookPolicy) => T): T[] =>
    requests.map((r) => pick(r.row, r.policy ?? DEFAULT_INBOUND_WEBHOOK_POLICY));
  const inserted = await query<{ id: string; idempotency_token: string }>(
    `INSERT INTO webhook_deliveries (account_sid, message_sid, kind, url, method, fallback_url, fallback_method, params,
       idempotency_token, max_attempts, deadline)
     SELECT w.account_sid, w.message_sid, 'sms', w.url, w.method, w.fallback_url, w.fallback_method, w.params,
       w.token, w.max_attempts, now() + w.deadline_ms * interval '1 millisecond'
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[],
       $9::int[], $10::float8[])
       WITH ORDINALITY AS w(account_sid, message_sid, url, method, fallback_url, fallback_method, params, token,
         max_attempts, deadline_ms, ord)
     ORDER BY w.ord
     RETURNING id::text AS id, idempotency_token`,
    [
      column((row) => row.accountSid),
      column((row) => row.messageSid),
      column((row) => row.url),
      column((row) => row.method),
      column((row) => row.fallbackUrl),
      column((row) => (row.fallbackUrl === null ? null : row.fallbackMethod)),
      column((row) => JSON.stringify(row.params)),
      tokens,
      column((_, policy) => policy.maxAttempts),
      column((_, policy) => policy.deadlineMs),
    ],
  );
  // RETURNING promises no order: match rows to the requests by their token.
  const byToken = new Map(inserted.map((row) => [row.idempotency_token, BigInt(row.id)]));
  return tokens.map((token) => {
    const id = byToken.get(token);
    if (id === undefined) throw new Error('webhook_deliveries insert returned no row');
    return id;
  });
}
