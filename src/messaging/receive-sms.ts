// The inbound use case: an SMS from the SMSC (SIP MESSAGE or SMPP deliver_sm) becomes a `received` message,
// its events and its webhook row, committed together. The caller acknowledges the SMSC only after this resolves
// (invariant 1: durable before acknowledged). Repeats are absorbed by `messages.sip_request_key`; segments of a
// concatenated message wait in `mo_parts` (mo-reassembly.ts) and become one message when the last one arrives.
import { inboundSmsParams } from '../webhooks/webhook-params.js';
import { enqueueInboundSmsWebhook, type InboundWebhookPolicy } from '../webhooks/enqueue-webhook.js';
import type { Database, SqlQuery } from '../store/database.js';
import { recordMessageEvents, type MessageEventInput } from './status-change.js';
import { newSid } from './sid.js';
import {
  assembleGroup, concatenationFromUdh, deleteGroup, findAssembledRepeat, insertPart, loadGroup, lockGroup,
  type PartGroup,
} from './mo-reassembly.js';

export type InboundRoute = 'sip' | 'smpp';

export interface ReceiveSmsOptions {
  /** SIP From user / SMPP source_addr: digits (with or without `+`) or an alphanumeric sender. */
  fromUser: string;
  /** SIP To user / SMPP destination_addr: one of our numbers, with or without `+`. */
  toUser: string;
  text: string;
  coding: 0 | 1 | 2;
  udhHex: string | null;
  smscId: string | null;
  deliveryTime: string | null;
  /** Identifies the request (SIP: Call-ID + CSeq + From) so that a repeat produces no second message. */
  requestKey: string;
  route: InboundRoute;
  /** How long the segments of a multipart message may wait for their siblings. */
  reassemblyTimeoutMs: number;
  webhookPolicy?: InboundWebhookPolicy;
}

export type ReceiveSmsResult =
  | { outcome: 'stored'; messageSid: string }
  | { outcome: 'part-stored' }
  | { outcome: 'duplicate'; messageSid?: string }
  | { outcome: 'unknown-number' };

/** A number we host, with where its inbound webhook goes. */
export interface IncomingNumber {
  accountSid: string;
  phoneNumber: string;
  smsUrl: string | null;
  smsMethod: string;
  smsFallbackUrl: string | null;
  smsFallbackMethod: string;
}

export async function receiveSms(db: Database, options: ReceiveSmsOptions): Promise<ReceiveSmsResult> {
  return db.transaction(async (query) => {
    const number = await findIncomingNumber(query, options.toUser);
    if (number === null) return { outcome: 'unknown-number' };
    const from = inboundFromAddress(options.fromUser);
    const concat = concatenationFromUdh(options.udhHex);
    if (concat === null) return receiveSingle(query, { options, number, from });
    const group: PartGroup = { from, to: number.phoneNumber, reference: concat.reference, total: concat.total };
    return receivePart(query, { options, number, group, sequence: concat.sequence, kind: db.kind });
  });
}

async function receiveSingle(
  query: SqlQuery,
  input: { options: ReceiveSmsOptions; number: IncomingNumber; from: string },
): Promise<ReceiveSmsResult> {
  const { options, number, from } = input;
  const stored = await storeInboundMessage(query, {
    number, from, body: options.text, coding: options.coding, udh: options.udhHex, numSegments: 1,
    smscId: options.smscId, deliveryTime: options.deliveryTime, requestKey: options.requestKey,
    route: options.route, webhookPolicy: options.webhookPolicy,
  });
  if (stored !== null) return { outcome: 'stored', messageSid: stored };
  const [existing] = await query<{ sid: string }>('SELECT sid FROM messages WHERE sip_request_key = $1', [options.requestKey]);
  return existing === undefined ? { outcome: 'duplicate' } : { outcome: 'duplicate', messageSid: existing.sid };
}

async function receivePart(
  query: SqlQuery,
  input: { options: ReceiveSmsOptions; number: IncomingNumber; group: PartGroup; sequence: number; kind: Database['kind'] },
): Promise<ReceiveSmsResult> {
  const { options, number, group, sequence } = input;
  await lockGroup(query, { group, kind: input.kind });
  // The same request again (the completing part, re-sent after our 200 was lost) names its message directly.
  const [sameRequest] = await query<{ sid: string }>('SELECT sid FROM messages WHERE sip_request_key = $1', [options.requestKey]);
  if (sameRequest !== undefined) return { outcome: 'duplicate', messageSid: sameRequest.sid };
  const repeatOf = await findAssembledRepeat(query, { group, sequence, text: options.text });
  if (repeatOf !== null) return { outcome: 'duplicate', messageSid: repeatOf };
  const part = {
    sequence, body: options.text, coding: options.coding, udh: options.udhHex, smscId: options.smscId,
    deliveryTime: options.deliveryTime, route: options.route,
  };
  if (!(await insertPart(query, { group, part, timeoutMs: options.reassemblyTimeoutMs }))) return { outcome: 'duplicate' };
  const parts = await loadGroup(query, group);
  const assembled = assembleGroup(group, parts);
  if (!assembled.complete) return { outcome: 'part-stored' };
  await deleteGroup(query, group);
  const sid = await storeInboundMessage(query, {
    number, from: group.from, body: assembled.text, coding: assembled.coding, udh: null, numSegments: group.total,
    smscId: assembled.smscId, deliveryTime: assembled.deliveryTime, requestKey: options.requestKey,
    route: options.route, webhookPolicy: options.webhookPolicy,
    extraEvent: { type: 'reassembled', detail: assembled.eventDetail },
  });
  // Only if two groups raced on one request key: roll back (the parts stay) and let the SMSC's retry settle it.
  if (sid === null) throw new Error(`request key ${options.requestKey} already names a message`);
  return { outcome: 'stored', messageSid: sid };
}

/** Looks a number up as `+digits` (how we store E.164) or exactly as given. Alphanumeric To is never ours. */
export async function findIncomingNumber(query: SqlQuery, toUser: string): Promise<IncomingNumber | null> {
  const user = decodeUser(toUser).trim();
  if (!/^\+?\d{1,20}$/.test(user)) return null;
  const candidates = [`+${user.replace(/^\+/, '')}`, user];
  const [row] = await query<{
    account_sid: string; phone_number: string; sms_url: string | null; sms_method: string;
    sms_fallback_url: string | null; sms_fallback_method: string;
  }>(
    `SELECT p.account_sid, p.phone_number, p.sms_url, p.sms_method, p.sms_fallback_url, p.sms_fallback_method
     FROM phone_numbers p JOIN accounts a ON a.sid = p.account_sid
     WHERE p.phone_number = ANY($1::text[]) ORDER BY p.phone_number = $2 DESC LIMIT 1`,
    [candidates, candidates[0]],
  );
  if (row === undefined) return null;
  return {
    accountSid: row.account_sid, phoneNumber: row.phone_number, smsUrl: row.sms_url, smsMethod: row.sms_method,
    smsFallbackUrl: row.sms_fallback_url, smsFallbackMethod: row.sms_fallback_method,
  };
}

/** A numeric sender becomes E.164 (`+digits`); an alphanumeric one is passed through as the SMSC wrote it. */
export function inboundFromAddress(fromUser: string): string {
  const user = decodeUser(fromUser).trim();
  return /^\+?\d+$/.test(user) ? `+${user.replace(/^\+/, '')}` : user;
}

/** SIP user parts may carry %-escapes (an alphanumeric "My Shop" arrives as `My%20Shop`). */
function decodeUser(user: string): string {
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}

export interface StoreInboundMessageOptions {
  number: IncomingNumber;
  from: string;
  body: string;
  coding: number;
  udh: string | null;
  numSegments: number;
  smscId: string | null;
  deliveryTime: string | null;
  /** Null for messages no single request produced (a group given up by the reassembly sweeper). */
  requestKey: string | null;
  route: string;
  error?: { code: number; message: string };
  extraEvent?: { type: string; detail: object };
  webhookPolicy?: InboundWebhookPolicy | undefined;
}

/**
 * Inserts a `received` message with its events and its webhook row (or a `webhook` event saying why there is
 * none). Returns the new SID, or null when `requestKey` already names a message (nothing is written then).
 */
export async function storeInboundMessage(query: SqlQuery, options: StoreInboundMessageOptions): Promise<string | null> {
  const { number } = options;
  const sid = newSid('SM');
  const inserted = await query(
    `INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, num_segments, coding,
       udh, route, smsc_id, smsc_delivery_time, sip_request_key, error_code, error_message, price, date_sent)
     VALUES ($1, $2, $3, $4, $5, 'received', 'inbound', $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, now())
     ON CONFLICT (sip_request_key) DO NOTHING RETURNING sid`,
    [sid, number.accountSid, options.from, number.phoneNumber, options.body, options.numSegments, options.coding,
      options.udh, options.route, options.smscId, options.deliveryTime, options.requestKey,
      options.error?.code ?? null, options.error?.message ?? null],
  );
  if (inserted.length === 0) return null;
  const events: MessageEventInput[] = [{
    sid, type: 'received', status: 'received',
    detail: { route: options.route, numSegments: options.numSegments, smscId: options.smscId, deliveryTime: options.deliveryTime },
  }];
  if (options.extraEvent) events.push({ sid, type: options.extraEvent.type, status: null, detail: options.extraEvent.detail });
  if (number.smsUrl === null || number.smsUrl === '') {
    events.push({ sid, type: 'webhook', status: null, detail: { skipped: 'the number has no SmsUrl' } });
  }
  await recordMessageEvents(query, events);
  if (number.smsUrl !== null && number.smsUrl !== '') {
    const params = inboundSmsParams({
      messageSid: sid, accountSid: number.accountSid, from: options.from, to: number.phoneNumber, body: options.body,
      numSegments: options.numSegments, smscId: options.smscId, deliveryTime: options.deliveryTime,
    });
    await enqueueInboundSmsWebhook(query, {
      row: {
        accountSid: number.accountSid, messageSid: sid, url: number.smsUrl, method: number.smsMethod,
        fallbackUrl: number.smsFallbackUrl, fallbackMethod: number.smsFallbackMethod, params,
      },
      ...(options.webhookPolicy ? { policy: options.webhookPolicy } : {}),
    });
  }
  return sid;
}
