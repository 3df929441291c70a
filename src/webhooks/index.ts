// The webhooks adapter as main.ts sees it: one factory that turns the configuration into a running-ready
// delivery worker, plus the pieces other modules use directly (parameters, enqueueing, signatures).
import type { Logger } from 'pino';
import type { Database } from '../store/database.js';
import { createWebhookDeliveryWorker, type WebhookDeliveryWorker } from './delivery-worker.js';
import { DEFAULT_MAX_REDIRECTS } from './http-caller.js';
import { createOutboxRunner, type OutboxRunner } from './outbox-runner.js';

export { createWebhookDeliveryWorker, type WebhookDeliveryWorker, type WebhookDeliveryWorkerOptions, type WebhookDeliveryStats } from './delivery-worker.js';
export { enqueueInboundSmsWebhook, DEFAULT_INBOUND_WEBHOOK_POLICY, type InboundWebhookPolicy, type InboundWebhookRow } from './enqueue-webhook.js';
export { inboundSmsParams, statusCallbackParams, withFallbackError } from './webhook-params.js';
export { computeTwilioSignature } from './signature.js';
export { pendingDeliveryCount } from './delivery-claim.js';
export { createOutboxRunner, type OutboxRunner, type OutboxRunnerOptions, type OutboxRunnerStats } from './outbox-runner.js';

/** The `webhooks` section of the configuration (WEBHOOK_*). */
export interface WebhookSettings {
  timeoutMs: number;
  /** Calls in flight at once (WEBHOOK_CONCURRENCY). */
  concurrency: number;
  allowPrivateUrls: boolean;
  /** WEBHOOK_RETRY_BASE_DELAY_MS and WEBHOOK_RETRY_MAX_DELAY_S (retry-schedule.ts). */
  retryBaseDelayMs: number;
  retryMaxDelayS: number;
}

export interface WebhookWorkerFromConfigOptions {
  db: Database;
  logger: Logger;
  instanceId: string;
  settings: WebhookSettings;
  /** RESTCOMM_X_HEADER_DENY: X- response headers never carried onto `<Sms>` replies. */
  replyXHeaderDeny?: readonly string[];
  /** Wired to the outbound dispatcher's nudge, so TwiML replies leave at once. */
  onReplyQueued?: () => void;
}

/**
 * Sizes that suit one process: WEBHOOK_CONCURRENCY calls in flight (customers' servers are slow, not us, and a
 * message's callbacks run one after the other, so the rate is concurrency / round trip), claims of up to 100, a
 * 60 s lease that is renewed while a call runs (so a crashed instance's work is picked up within a minute),
 * retries on the configured schedule (by default from 1 s doubling up to 1 min, until the deadline).
 */
export function createWebhookWorkerFromConfig(options: WebhookWorkerFromConfigOptions): WebhookDeliveryWorker {
  return createWebhookDeliveryWorker({
    ...deliverySettings(options),
    batchSize: Math.min(100, options.settings.concurrency),
    pollIntervalMs: 250,
  });
}

/** What the retry worker and the outbox runner read alike from the configuration: one place for both. */
function deliverySettings(options: WebhookWorkerFromConfigOptions) {
  return {
    db: options.db,
    logger: options.logger,
    instanceId: options.instanceId,
    concurrency: options.settings.concurrency,
    leaseMs: 60_000,
    timeoutMs: options.settings.timeoutMs,
    retry: { baseMs: options.settings.retryBaseDelayMs, maxMs: options.settings.retryMaxDelayS * 1000 },
    urlPolicy: { allowPrivate: options.settings.allowPrivateUrls },
    maxRedirects: DEFAULT_MAX_REDIRECTS,
    ...(options.onReplyQueued ? { onReplyQueued: options.onReplyQueued } : {}),
    ...(options.replyXHeaderDeny ? { replyXHeaderDeny: options.replyXHeaderDeny } : {}),
  };
}

/**
 * The outbox runner (outbox-runner.ts) beside the worker: first attempts of new webhooks from memory, the same
 * HTTP settings and lease, WEBHOOK_CONCURRENCY first attempts in flight. Rows it records pending go to the worker.
 */
export function createOutboxRunnerFromConfig(
  options: WebhookWorkerFromConfigOptions & { onPendingRecorded?: () => void; alsoFor?: readonly Database[] },
): OutboxRunner {
  return createOutboxRunner({
    ...deliverySettings(options),
    ...(options.onPendingRecorded ? { onPendingRecorded: options.onPendingRecorded } : {}),
    ...(options.alsoFor ? { alsoFor: options.alsoFor } : {}),
  });
}
