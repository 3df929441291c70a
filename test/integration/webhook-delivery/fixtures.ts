// Test data and a signature-checking receiver for the webhook delivery tests. Rows are inserted with plain SQL
// (or the production enqueue/status-change functions), then a real worker delivers them to a real node:http server.
import type { ServerResponse } from 'node:http';
import { pino } from 'pino';
import twilio from 'twilio';
import { applyStatusChanges, type OutboundStatus } from '../../../src/messaging/status-change.js';
import { newSid } from '../../../src/messaging/sid.js';
import { createAccount } from '../../../src/store/account-store.js';
import type { Database } from '../../../src/store/database.js';
import { createWebhookDeliveryWorker, type WebhookDeliveryWorkerOptions } from '../../../src/webhooks/delivery-worker.js';
import { enqueueInboundSmsWebhook } from '../../../src/webhooks/enqueue-webhook.js';
import { inboundSmsParams } from '../../../src/webhooks/webhook-params.js';
import { startReceiver, type ReceivedRequest, type Receiver } from '../webhooks/receiver.js';
import { waitForWith } from '../../helpers/wait-for.js';

export const silentLogger = pino({ level: 'silent' });
export const OUR_NUMBER = '+15005550006';
export const HANDSET = '+447700900123';

export interface SignedReceiver extends Receiver {
  /** Requests whose X-Twilio-Signature did not validate (answered 403). Must stay empty. */
  rejected: ReceivedRequest[];
  /** Answers valid requests; `respondWith` of the plain receiver is wrapped by the signature check. */
  answer(responder: (request: ReceivedRequest, res: ServerResponse) => void): void;
}

/**
 * The receiver validates EVERY request the way a customer's server does with twilio-node: POST over the URL as
 * received plus the form parameters, GET over the full URL alone.
 */
export async function startSignedReceiver(authToken: () => string): Promise<SignedReceiver> {
  const receiver = await startReceiver();
  const rejected: ReceivedRequest[] = [];
  let responder = (_request: ReceivedRequest, res: ServerResponse): void => void res.writeHead(204).end();
  receiver.respondWith((request, res) => {
    const signature = String(request.headers['x-twilio-signature'] ?? '');
    const params = request.method === 'GET' ? {} : request.params;
    if (!twilio.validateRequest(authToken(), signature, request.url, params)) {
      rejected.push(request);
      res.writeHead(403).end();
      return;
    }
    responder(request, res);
  });
  return Object.assign(receiver, {
    rejected,
    answer(next: typeof responder) {
      responder = next;
    },
  });
}

export function twiml(res: ServerResponse, xml: string, status = 200): void {
  res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8' }).end(xml);
}

export async function newAccount(db: Database): Promise<{ sid: string; authToken: string }> {
  const account = await createAccount(db, { friendlyName: 'webhook delivery test' });
  await db.query(`INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name) VALUES ($1, $2, $3, $3)`, [
    newSid('PN'), account.sid, OUR_NUMBER,
  ]);
  return { sid: account.sid, authToken: account.authToken };
}

export interface InboundSpec {
  accountSid: string;
  url: string;
  method?: 'GET' | 'POST';
  fallbackUrl?: string | null;
  fallbackMethod?: 'GET' | 'POST';
  body?: string;
  maxAttempts?: number;
  deadlineMs?: number;
}

/** An inbound message (received) and its `sms` delivery, committed together as the SIP adapter does. */
export async function insertInbound(db: Database, spec: InboundSpec): Promise<{ messageSid: string; deliveryId: string; params: Record<string, string> }> {
  const messageSid = newSid('SM');
  const body = spec.body ?? 'Hello there';
  const params = inboundSmsParams({ messageSid, accountSid: spec.accountSid, from: HANDSET, to: OUR_NUMBER, body, numSegments: 1 });
  const deliveryId = await db.transaction(async (query) => {
    await query(
      `INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction)
       VALUES ($1, $2, $3, $4, $5, 'received', 'inbound')`,
      [messageSid, spec.accountSid, HANDSET, OUR_NUMBER, body],
    );
    return enqueueInboundSmsWebhook(query, {
      row: {
        accountSid: spec.accountSid,
        messageSid,
        url: spec.url,
        method: spec.method ?? 'POST',
        fallbackUrl: spec.fallbackUrl ?? null,
        fallbackMethod: spec.fallbackMethod ?? 'POST',
        params,
      },
      policy: { maxAttempts: spec.maxAttempts ?? 3, deadlineMs: spec.deadlineMs ?? 60_000 },
    });
  });
  if (deliveryId === null) throw new Error('no pending delivery row: an outbox runner is attached to this handle');
  return { messageSid, deliveryId: deliveryId.toString(), params };
}

/** An outbound message with a StatusCallback, moved through `statuses` by the production status-change code. */
export async function insertOutboundWithCallbacks(
  db: Database,
  spec: { accountSid: string; statusCallback: string; statuses: OutboundStatus[]; maxAttempts?: number; deadlineMs?: number },
): Promise<string> {
  const sid = newSid('SM');
  await db.query(
    `INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, status_callback, next_attempt_at)
     VALUES ($1, $2, $3, $4, 'Hi', 'queued', 'outbound-api', $5, NULL)`,
    [sid, spec.accountSid, OUR_NUMBER, HANDSET, spec.statusCallback],
  );
  const options = { sendingCallbacks: true, callbackMaxAttempts: spec.maxAttempts ?? 5, callbackDeadlineMs: spec.deadlineMs ?? 60_000 };
  for (const status of spec.statuses) {
    await applyStatusChanges(db, [{ sid, status, event: { type: 'test', detail: {} } }], options);
  }
  return sid;
}

export function testWorker(overrides: Partial<WebhookDeliveryWorkerOptions> & Pick<WebhookDeliveryWorkerOptions, 'db'>) {
  return createWebhookDeliveryWorker({
    logger: silentLogger,
    instanceId: `test-${newSid('SM').slice(2, 10)}`,
    concurrency: 8,
    batchSize: 8,
    leaseMs: 5_000,
    pollIntervalMs: 20,
    timeoutMs: 3_000,
    retry: { baseMs: 20, maxMs: 100 },
    urlPolicy: { allowPrivate: true },
    maxRedirects: 5,
    ...overrides,
  });
}

export interface DeliveryRow {
  state: string;
  attempts: number;
  last_http_status: number | null;
  last_error: string | null;
  claimed_by: string | null;
  idempotency_token: string;
  last_latency_ms: number | null;
}

export async function delivery(db: Database, id: string): Promise<DeliveryRow> {
  const [row] = await db.query<DeliveryRow>(
    `SELECT state, attempts, last_http_status, last_error, claimed_by, idempotency_token, last_latency_ms FROM webhook_deliveries WHERE id = $1`,
    [id],
  );
  if (!row) throw new Error(`delivery ${id} not found`);
  return row;
}

export interface AttemptRow {
  attempt: number;
  url: string;
  http_status: number | null;
  latency_ms: number;
  error_code: number | null;
  error: string | null;
}

export async function attemptsOf(db: Database, id: string): Promise<AttemptRow[]> {
  return db.query<AttemptRow>(
    `SELECT attempt, url, http_status, latency_ms, error_code, error FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id`,
    [id],
  );
}

export async function eventsOf(db: Database, sid: string, type?: string): Promise<Array<{ type: string; detail: Record<string, unknown> }>> {
  return db.query(
    `SELECT type, detail FROM message_events WHERE message_sid = $1 AND ($2::text IS NULL OR type = $2) ORDER BY id`,
    [sid, type ?? null],
  );
}

export interface ReplyRow {
  sid: string;
  from_address: string;
  to_address: string;
  body: string;
  status: string;
  direction: string;
  status_callback: string | null;
  status_callback_method: string;
  num_segments: number;
  coding: number;
  in_reply_to_sid: string;
  due: boolean;
}

export async function repliesTo(db: Database, inboundSid: string): Promise<ReplyRow[]> {
  return db.query<ReplyRow>(
    `SELECT sid, from_address, to_address, body, status, direction, status_callback, status_callback_method, num_segments,
       coding, in_reply_to_sid, next_attempt_at <= now() AS due
     FROM messages WHERE in_reply_to_sid = $1 ORDER BY date_created, sid`,
    [inboundSid],
  );
}

/** Polls `check` until it holds (test/helpers/wait-for.ts), with room for a loaded database. */
export const waitFor = waitForWith({ timeoutMs: 15_000, intervalMs: 20 });

export async function settled(db: Database, id: string): Promise<boolean> {
  return (await delivery(db, id)).state !== 'pending';
}
