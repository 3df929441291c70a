// Records an inbound-SMS webhook durably in the caller's transaction, next to the message it announces, so a
// crash can never leave a stored message unannounced (or announce one that was rolled back): as part of the
// transaction's outbox row (outbox.ts), attempted from memory after the commit, or as a pending
// `webhook_deliveries` row when no outbox runner is attached.
import { randomUUID } from 'node:crypto';
import type { SqlQuery } from '../store/database.js';
import { queueWebhooks } from './outbox.js';

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

/** Queues one `sms` webhook; returns its pending delivery id, or null when it went to the outbox (outbox.ts). */
export async function enqueueInboundSmsWebhook(query: SqlQuery, request: InboundWebhookRequest): Promise<bigint | null> {
  const [id] = await enqueueInboundSmsWebhooks(query, [request]);
  return id ?? null;
}

/**
 * Queues `sms` webhooks (the inbound batch, receive-sms.ts): all of one transaction become one outbox row,
 * attempted from memory right after the commit (or pending rows due now when no runner is attached; their ids
 * are returned then, in the order given). Each gets its own idempotency token and its own policy.
 */
export async function enqueueInboundSmsWebhooks(query: SqlQuery, requests: readonly InboundWebhookRequest[]): Promise<bigint[]> {
  if (requests.length === 0) return [];
  return queueWebhooks(query, requests.map(({ row, policy }) => {
    const p = policy ?? DEFAULT_INBOUND_WEBHOOK_POLICY;
    return {
      token: randomUUID(),
      accountSid: row.accountSid,
      messageSid: row.messageSid,
      kind: 'sms',
      url: row.url,
      method: row.method,
      fallbackUrl: row.fallbackUrl,
      fallbackMethod: row.fallbackUrl === null ? null : row.fallbackMethod,
      params: row.params,
      maxAttempts: p.maxAttempts,
      deadlineMs: p.deadlineMs,
    };
  }));
}
