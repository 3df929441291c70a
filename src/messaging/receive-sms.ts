// The inbound use case: an SMS from the SMSC (SIP MESSAGE or SMPP deliver_sm) becomes a `received` message,
// its events and its webhook row, committed together. The caller acknowledges the SMSC only after this resolves
// (invariant 1: durable before acknowledged). Repeats are absorbed by `messages.sip_request_key`; segments of a
// concatenated message wait in `mo_parts` (mo-reassembly.ts) and become one message when the last one arrives.
//
// The use case takes a batch (the group commit of inbound-batch.ts hands it the SMS that arrived together);
// receiving one SMS is the batch of one, so both run the same code. Whole messages cost a fixed number of
// statements per batch whatever its size; parts go through the reassembly one at a time.
import { inboundSmsParams } from '../webhooks/webhook-params.js';
import { sipHeaderParams } from '../webhooks/sip-header-params.js';
import { enqueueInboundSmsWebhooks, type InboundWebhookPolicy, type InboundWebhookRequest } from '../webhooks/enqueue-webhook.js';
import type { Database, SqlQuery } from '../store/database.js';
import { uncachedIncomingNumbers, type IncomingNumberLookup } from '../store/incoming-number-store.js';
import { recordMessageEvents, type MessageEventInput } from './status-change.js';
import { newSid } from './sid.js';
import { codingName, contentNotes, inboundBody, payloadHex } from './inbound-content.js';
import { applyOptOutKeywords, type KeywordSender } from './opt-out.js';
import type { OptOutType } from './opt-out-keywords.js';
import { findSidsByRequestKey, insertInboundMessages } from '../store/inbound-message-store.js';
import { deleteGroup, findAssembledRepeat, insertPart, loadGroup, lockGroup } from '../store/mo-part-store.js';
import {
  ASSEMBLED_REPEAT_WINDOW_MS, assembleGroup, concatenationFromUdh, partDigest, type PartGroup,
} from './mo-reassembly.js';

export type InboundRoute = 'sip' | 'smpp';

export interface ReceiveSmsOptions {
  /** SIP From user / SMPP source_addr: digits (with or without `+`) or an alphanumeric sender. */
  fromUser: string;
  /** SIP To user / SMPP destination_addr: one of our numbers, with or without `+`. */
  toUser: string;
  /** The payload read as text in its coding's charset (coding 1: anything; `payload` is what counts). */
  text: string;
  /** The user data after the UDH, exactly as received; stored as bytes (inbound-content.ts). */
  payload: Uint8Array;
  /** Why `text` is not an exact reading of `payload` (undecodable bytes), if it is not. */
  decodeError?: string | null;
  coding: 0 | 1 | 2;
  udhHex: string | null;
  smscId: string | null;
  deliveryTime: string | null;
  /** Identifies the request (SIP: Call-ID + CSeq + From) so that a repeat produces no second message. */
  requestKey: string;
  route: InboundRoute;
  /** The X- headers of the SIP MESSAGE (SMPP: the same facts under those names), for SipHeader_* webhook params. */
  sipXHeaders?: Readonly<Record<string, string>> | null;
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
  /** The Messaging Service the number is in: its inbound URLs replace the number's (unless it says otherwise). */
  messagingServiceSid?: string | null;
  /** That service's opt-out auto-replies. */
  replies?: KeywordSender['replies'];
}

export async function receiveSms(
  db: Database, options: ReceiveSmsOptions, lookup: IncomingNumberLookup = uncachedIncomingNumbers,
): Promise<ReceiveSmsResult> {
  const [result] = await receiveSmsBatch(db, [options], lookup);
  if (result === undefined) throw new Error('receiveSmsBatch returned no result');
  return result;
}

/**
 * Receives several SMS in ONE transaction and returns one result per SMS, in the order given: each gets the
 * outcome it would get received alone after the ones before it (of two with one request key, the first is stored
 * and the second is its duplicate). Everything commits or nothing does. Whole messages are written together
 * first, then the parts one by one in lock order; the two share nothing but the request keys.
 */
export async function receiveSmsBatch(
  db: Database, items: readonly ReceiveSmsOptions[], lookup: IncomingNumberLookup = uncachedIncomingNumbers,
): Promise<ReceiveSmsResult[]> {
  if (items.length === 0) return [];
  return db.transaction(async (query) => {
    const numbers = await findIncomingNumbers(query, items.map((item) => item.toUser), lookup);
    const results: Array<ReceiveSmsResult | undefined> = items.map(() => undefined);
    const singles: Array<SingleSms & { index: number }> = [];
    const parts: Array<PartSms & { index: number }> = [];
    items.forEach((options, index) => {
      const number = numbers.get(options.toUser) ?? null;
      if (number === null) {
        results[index] = { outcome: 'unknown-number' };
        return;
      }
      const from = inboundFromAddress(options.fromUser);
      const concat = concatenationFromUdh(options.udhHex);
      if (concat === null) {
        singles.push({ index, options, number, from });
        return;
      }
      const group: PartGroup = { from, to: number.phoneNumber, reference: concat.reference, total: concat.total };
      parts.push({ index, options, number, group, sequence: concat.sequence });
    });
    const stored = await receiveSingles(query, singles);
    singles.forEach((single, i) => (results[single.index] = stored[i]));
    for (const part of inLockOrder(parts)) results[part.index] = await receivePart(query, { ...part, kind: db.kind });
    return results.map((result) => {
      if (result === undefined) throw new Error('an SMS of the batch got no result');
      return result;
    });
  });
}

interface SingleSms {
  options: ReceiveSmsOptions;
  number: IncomingNumber;
  from: string;
}

interface PartSms {
  options: ReceiveSmsOptions;
  number: IncomingNumber;
  group: PartGroup;
  sequence: number;
}

/**
 * Whole messages: one insert for all of them; a request key that is already taken (by a committed message or by
 * an earlier SMS of this batch) makes the SMS a duplicate of that message.
 */
async function receiveSingles(query: SqlQuery, singles: readonly SingleSms[]): Promise<ReceiveSmsResult[]> {
  if (singles.length === 0) return [];
  const sids = await storeInboundMessages(query, singles.map(({ options, number, from }) => ({
    number, from, body: inboundBody(options), payload: options.payload, coding: options.coding, udh: options.udhHex,
    numSegments: 1, contentNotes: contentNotes(options),
    smscId: options.smscId, deliveryTime: options.deliveryTime, requestKey: options.requestKey,
    route: options.route, webhookPolicy: options.webhookPolicy, sipXHeaders: options.sipXHeaders ?? null,
  })));
  const sidByKey = new Map<string, string>();
  singles.forEach((single, i) => {
    const sid = sids[i];
    if (sid !== null && sid !== undefined) sidByKey.set(single.options.requestKey, sid);
  });
  const committedKeys = [...new Set(singles.map((s) => s.options.requestKey).filter((key) => !sidByKey.has(key)))];
  if (committedKeys.length > 0) {
    for (const [key, sid] of await findSidsByRequestKey(query, committedKeys)) sidByKey.set(key, sid);
  }
  return singles.map((single, i): ReceiveSmsResult => {
    const sid = sids[i];
    if (sid !== null && sid !== undefined) return { outcome: 'stored', messageSid: sid };
    // Absent only if the message was deleted since: still a repeat, there is just nothing to name.
    const existing = sidByKey.get(single.options.requestKey);
    return existing === undefined ? { outcome: 'duplicate' } : { outcome: 'duplicate', messageSid: existing };
  });
}

/**
 * Parts sorted by their group, so that two batches (on two connections or two instances) take the groups'
 * advisory locks in the same order and cannot deadlock on them. Stable: parts of one group keep their order.
 */
function inLockOrder<T extends PartSms>(parts: readonly T[]): T[] {
  const keyOf = ({ group }: PartSms): string => JSON.stringify([group.from, group.to, group.reference, group.total]);
  return [...parts].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

async function receivePart(query: SqlQuery, input: PartSms & { kind: Database['kind'] }): Promise<ReceiveSmsResult> {
  const { options, number, group, sequence } = input;
  await lockGroup(query, { group, kind: input.kind });
  // The same request again (the completing part, re-sent after our 200 was lost) names its message directly.
  const sameRequest = (await findSidsByRequestKey(query, [options.requestKey])).get(options.requestKey);
  if (sameRequest !== undefined) return { outcome: 'duplicate', messageSid: sameRequest };
  const body = inboundBody(options);
  const repeatOf = await findAssembledRepeat(query, { group, sequence, digest: partDigest(body), windowMs: ASSEMBLED_REPEAT_WINDOW_MS });
  if (repeatOf !== null) return { outcome: 'duplicate', messageSid: repeatOf };
  const part = {
    sequence, body, payload: options.payload, coding: options.coding, udh: options.udhHex, smscId: options.smscId,
    deliveryTime: options.deliveryTime, route: options.route,
  };
  if (!(await insertPart(query, { group, part, timeoutMs: options.reassemblyTimeoutMs }))) return { outcome: 'duplicate' };
  const parts = await loadGroup(query, group);
  const assembled = assembleGroup(group, parts);
  if (!assembled.complete) return { outcome: 'part-stored' };
  await deleteGroup(query, group);
  const sid = await storeInboundMessage(query, {
    number, from: group.from, body: assembled.text, payload: assembled.payload, coding: assembled.coding,
    udh: assembled.udh, numSegments: group.total,
    smscId: assembled.smscId, deliveryTime: assembled.deliveryTime, requestKey: options.requestKey,
    route: options.route, webhookPolicy: options.webhookPolicy,
    // The part that completed the message speaks for it (the parts' headers are not kept in mo_parts).
    sipXHeaders: options.sipXHeaders ?? null,
    extraEvent: { type: 'reassembled', detail: assembled.eventDetail },
  });
  if (sid === null) throw new RequestKeyTakenError(options.requestKey);
  return { outcome: 'stored', messageSid: sid };
}

/**
 * Only if two groups raced on one request key: the transaction rolls back (the parts stay) and the SMSC's retry
 * settles it. It carries SQLSTATE 23505 (unique violation), which is what it is, so that a batch it breaks is
 * retried one SMS at a time (group-commit.ts) and only this SMS fails.
 */
export class RequestKeyTakenError extends Error {
  readonly code = '23505';

  constructor(requestKey: string) {
    super(`request key ${requestKey} already names a message`);
    this.name = 'RequestKeyTakenError';
  }
}

/** Looks a number up as `+digits` (how we store E.164) or exactly as given. Alphanumeric To is never ours. */
export async function findIncomingNumber(
  query: SqlQuery, toUser: string, numbers: IncomingNumberLookup = uncachedIncomingNumbers,
): Promise<IncomingNumber | null> {
  return (await findIncomingNumbers(query, [toUser], numbers)).get(toUser) ?? null;
}

/**
 * The same for several To users in one lookup (store/incoming-number-store.ts: one statement at most, none when
 * `numbers` remembers them all); the map has every To user given, null for those not ours.
 */
export async function findIncomingNumbers(
  query: SqlQuery, toUsers: readonly string[], numbers: IncomingNumberLookup = uncachedIncomingNumbers,
): Promise<Map<string, IncomingNumber | null>> {
  // Per To user: `+digits` first (preferred), then the user exactly as given.
  const candidates = new Map<string, [string, string]>();
  for (const toUser of toUsers) {
    const user = decodeUser(toUser).trim();
    if (/^\+?\d{1,20}$/.test(user)) candidates.set(toUser, [`+${user.replace(/^\+/, '')}`, user]);
  }
  const byNumber = await numbers.find(query, [...new Set([...candidates.values()].flat())]);
  const found = new Map<string, IncomingNumber | null>();
  for (const toUser of toUsers) {
    const pair = candidates.get(toUser);
    found.set(toUser, pair === undefined ? null : (byNumber.get(pair[0]) ?? byNumber.get(pair[1]) ?? null));
  }
  return found;
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
  /** Text only: never a NUL (inboundBody). */
  body: string;
  /** The user data as received; null when unknown (parts stored before payloads were kept). */
  payload: Uint8Array | null;
  coding: number;
  udh: string | null;
  numSegments: number;
  /** What the `received` event says about a body that is not exactly its payload (contentNotes). */
  contentNotes?: Record<string, string | number>;
  smscId: string | null;
  deliveryTime: string | null;
  /** Null for messages no single request produced (a group given up by the reassembly sweeper). */
  requestKey: string | null;
  route: string;
  error?: { code: number; message: string };
  extraEvent?: { type: string; detail: object };
  webhookPolicy?: InboundWebhookPolicy | undefined;
  /** X- headers of the request, passed to the webhook as SipHeader_<Name>. */
  sipXHeaders?: Readonly<Record<string, string>> | null;
}

/**
 * Inserts a `received` message with its events and its webhook row (or a `webhook` event saying why there is
 * none). Returns the new SID, or null when `requestKey` already names a message (nothing is written then).
 */
export async function storeInboundMessage(query: SqlQuery, options: StoreInboundMessageOptions): Promise<string | null> {
  const [sid] = await storeInboundMessages(query, [options]);
  return sid ?? null;
}

/**
 * The same for several messages, in three statements whatever their number (messages, events, webhook rows).
 * Returns one entry per message in the order given; of several with one request key, the first is stored.
 */
export async function storeInboundMessages(
  query: SqlQuery,
  messages: readonly StoreInboundMessageOptions[],
): Promise<Array<string | null>> {
  if (messages.length === 0) return [];
  const sids = messages.map(() => newSid('SM'));
  const inserted = await insertInboundMessages(query, messages.map((m, i) => ({
    sid: sids[i] as string, accountSid: m.number.accountSid, from: m.from, to: m.number.phoneNumber, body: m.body,
    numSegments: m.numSegments, coding: m.coding, udh: m.udh, route: m.route, smscId: m.smscId, deliveryTime: m.deliveryTime,
    requestKey: m.requestKey, errorCode: m.error?.code ?? null, errorMessage: m.error?.message ?? null,
    payloadHex: m.payload === null ? null : payloadHex(m.payload),
  })));
  const insertedSids = new Set(inserted.map((row) => row.sid));
  const stored = messages.flatMap((message, i) => (insertedSids.has(sids[i] as string) ? [{ message, sid: sids[i] as string }] : []));
  await recordMessageEvents(query, stored.flatMap(({ message, sid }) => inboundEvents(message, sid)));
  const keywords = await applyOptOutKeywords(query, stored.map(({ message, sid }) => ({ sid, from: message.from, body: message.body, number: message.number })));
  await enqueueInboundSmsWebhooks(query, stored.flatMap(({ message, sid }) => {
    const request = webhookRequest(message, sid, keywords.get(sid) ?? null);
    return request === null ? [] : [request];
  }));
  return sids.map((sid) => (insertedSids.has(sid) ? sid : null));
}

function hasSmsUrl(number: IncomingNumber): number is IncomingNumber & { smsUrl: string } {
  return number.smsUrl !== null && number.smsUrl !== '';
}

/**
 * The exceptional steps of an inbound message. The `received` step is the message row itself (Events.json builds
 * it from route, num_segments, smsc_id, smsc_delivery_time); only a body that is not exactly its payload
 * (contentNotes) gets a `received` row, which says how.
 */
function inboundEvents(message: StoreInboundMessageOptions, sid: string): MessageEventInput[] {
  const events: MessageEventInput[] = [];
  if (message.contentNotes !== undefined && Object.keys(message.contentNotes).length > 0) {
    events.push({
      sid, type: 'received', status: 'received',
      detail: {
        route: message.route, numSegments: message.numSegments, smscId: message.smscId, deliveryTime: message.deliveryTime,
        ...message.contentNotes,
      },
    });
  }
  if (message.extraEvent) events.push({ sid, type: message.extraEvent.type, status: null, detail: message.extraEvent.detail });
  if (!hasSmsUrl(message.number)) events.push({ sid, type: 'webhook', status: null, detail: { skipped: 'the number has no SmsUrl' } });
  return events;
}

function webhookRequest(message: StoreInboundMessageOptions, sid: string, optOutType: OptOutType | null): InboundWebhookRequest | null {
  const { number } = message;
  if (!hasSmsUrl(number)) return null;
  const params = {
    ...inboundSmsParams({
      messageSid: sid, accountSid: number.accountSid, from: message.from, to: number.phoneNumber, body: message.body,
      messagingServiceSid: number.messagingServiceSid ?? null,
      numSegments: message.numSegments, smscId: message.smscId, deliveryTime: message.deliveryTime,
      coding: codingName(message.coding), udh: message.udh,
      payloadHex: message.payload === null ? null : payloadHex(message.payload),
    }),
    ...sipHeaderParams(message.sipXHeaders),
  };
  // Advanced Opt-Out's parameter: this gateway always handles the keywords, so it always says which one came.
  if (optOutType !== null) params.OptOutType = optOutType;
  return {
    row: {
      accountSid: number.accountSid, messageSid: sid, url: number.smsUrl, method: number.smsMethod,
      fallbackUrl: number.smsFallbackUrl, fallbackMethod: number.smsFallbackMethod, params,
    },
    policy: message.webhookPolicy,
  };
}
