// Records an inbound-SMS webhook as a durable `webhook_deliveries` row. The row is written in the caller's
// transaction, next to the message it announces, so a crash can never leave a stored message unannounced
// (or announce one that was rolled back). Sending the row is the delivery worker's job (delivery-worker.ts).
import { randomUUID } from 'node:crypto';
import type { SqlQuery } from '../store/database.js';

export interface InboundWebhookPolicy {
  /** `webhook_deliveries.max_attempts` (WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** How long after creation the delivery may still be attempted (WEBHOOK_RETRY_DEADLINE_S, in ms). */
  deadlineMs: number;
}

export const DEFAULT_INBOUND_WEBHOOK_POLICY: InboundWebhookPolicy = { maxAttempts: 5, deadlineMs: 3_600_000 };

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

/** Inserts one pending `sms` delivery due now; returns its id. */
export async function enqueueInboundSmsWebhook(
  query: SqlQuery,
  options: { row: InboundWebhookRow; policy?: InboundWebhookPolicy },
): Promise<bigint> {
  const { row } = options;
  const policy = options.policy ?? DEFAULT_INBOUND_WEBHOOK_POLICY;
  const [inserted] = await query<{ id: string }>(
    `INSERT INTO webhook_deliveries (account_sid, message_sid, kind, url, method, fallback_url, fallback_method, params,
       idempotency_token, max_attempts, deadline)
     VALUES ($1, $2, 'sms', $3, $4, $5, $6, $7::jsonb, $8, $9, now() + $10 * interval '1 millisecond')
     RETURNING id::text AS id`,
    [
      row.accountSid,
      row.messageSid,
      row.url,
      row.method,
      row.fallbackUrl,
      row.fallbackUrl === null ? null : row.fallbackMethod,
      JSON.stringify(row.params),
      randomUUID(),
      policy.maxAttempts,
      policy.deadlineMs,
    ],
  );
  if (inserted === undefined) throw new Error('webhook_deliveries insert returned no row');
  return BigInt(inserted.id);
}
