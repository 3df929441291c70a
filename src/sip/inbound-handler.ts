// What we answer the SMSC for each MESSAGE it sends us (smsc-sip-interface.md §5.5): the SMSC reads 2xx as
// "delivered" (never resent), 4xx and silence as "try again later" (for up to 72 h), 5xx/6xx as "never".
// So: 200 only after the message, part or receipt is committed; 400 for a request that is not well-formed SIP
// (a From or To without a usable URI, a NUL in a header; RFC 3261 §21.4.1), with a Reason header saying why;
// 606 for an SMS we will never store (an unknown X-SMS-CODING, an X-SMS-UDH that is not hex), so that the SMSC
// stops; the configured 5xx/6xx for a number we do not host; 480 for anything else, such as the database being
// down, because that is temporary and the SMSC must keep the message. Not 503: the SMSC treats every 5xx as
// permanent. The body itself is never a reason to refuse: its bytes are stored as they came (receive-sms.ts).
import type { Logger } from 'pino';
import { isDeliveryReceipt } from '../encoding/index.js';
import {
  applySipReceipt, type ApplyReceiptResult, type ReceiptPolicy, type SipReceiptInput,
} from '../messaging/apply-receipt.js';
import { receiveSms, type ReceiveSmsOptions, type ReceiveSmsResult } from '../messaging/receive-sms.js';
import type { Database } from '../store/database.js';
import type { InboundWebhookPolicy } from '../webhooks/enqueue-webhook.js';
import { rewriteInbound, type RewriteRule } from '../messaging/number-rewrite.js';
import { decodeInboundSms, SipDecodeError, SmsContentError, type BodyCharsets, type InboundSms } from './header-codec.js';
import type { IncomingMessageHandler, IncomingSipMessage, SipReply } from './port.js';

export interface SipInboundHandlerOptions {
  db: Database;
  logger: Logger;
  bodyCharset: BodyCharsets;
  /** SIP_UNKNOWN_NUMBER_STATUS: a 5xx/6xx, so that the SMSC stops retrying. */
  unknownNumberStatus: number;
  reassemblyTimeoutMs: number;
  /** SMSC_NUMBER_REWRITE: the `sip` rules read From and To back as E.164 (messages and receipts alike). */
  numberRewrite?: readonly RewriteRule[];
  /**
   * Most MESSAGEs being stored at once (default unbounded). Beyond it the answer is 480 at once: the SMSC keeps
   * the message and retries, and waiting requests cannot pile up in memory while the database is slow.
   */
  maxInFlight?: number;
  /** Called after a new inbound message is committed (e.g. to wake the webhook worker). */
  onStored?: () => void;
  receiptPolicy?: ReceiptPolicy;
  webhookPolicy?: InboundWebhookPolicy;
  /**
   * The use cases called. By default each request runs in its own transaction; the service composes the
   * group-committed ones (inbound-batch.ts, receipt-batch.ts), and unit tests a fake.
   */
  useCases?: InboundUseCases;
}

/** The two things an inbound MESSAGE can be, each stored (and committed) before the promise resolves. */
export interface InboundUseCases {
  receiveSms(options: ReceiveSmsOptions): Promise<ReceiveSmsResult>;
  applySipReceipt(options: SipReceiptInput): Promise<ApplyReceiptResult>;
}

/** One transaction per request: simple, and what tests that call the handler directly get. */
export function unbatchedInboundUseCases(db: Database, policies: { receiptPolicy?: ReceiptPolicy } = {}): InboundUseCases {
  return {
    receiveSms: (options) => receiveSms(db, options),
    applySipReceipt: (options) => applySipReceipt(db, { ...options, ...(policies.receiptPolicy ? { policy: policies.receiptPolicy } : {}) }),
  };
}

/** Reason phrases for the statuses SIP_UNKNOWN_NUMBER_STATUS is likely to name (RFC 3261 §21). */
const REASONS: Readonly<Record<number, string>> = {
  500: 'Server Internal Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 600: 'Busy Everywhere',
  603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
};

export const TEMPORARY_FAILURE: SipReply = { status: 480, reason: 'Temporarily Unavailable' };

export function createSipInboundHandler(options: SipInboundHandlerOptions): IncomingMessageHandler {
  const log = options.logger.child({ component: 'sip-inbound' });
  const useCases = options.useCases ?? unbatchedInboundUseCases(options.db, options.receiptPolicy ? { receiptPolicy: options.receiptPolicy } : {});
  const maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
  let inFlight = 0;
  let refusedSinceLog = 0;
  return async (message) => {
    if (inFlight >= maxInFlight) {
      // Logged once per burst, not per request: a stalled database would otherwise flood the log too.
      if (refusedSinceLog++ === 0) log.warn({ inFlight, maxInFlight }, 'too many inbound MESSAGEs being stored; answering 480 so that the SMSC retries');
      return TEMPORARY_FAILURE;
    }
    if (refusedSinceLog > 0) {
      log.info({ refused: refusedSinceLog }, 'inbound MESSAGEs accepted again');
      refusedSinceLog = 0;
    }
    inFlight += 1;
    try {
      return await handle(message);
    } finally {
      inFlight -= 1;
    }
  };

  async function handle(message: IncomingSipMessage): Promise<SipReply> {
    let sms: InboundSms;
    try {
      sms = decodeInboundSms(message, { bodyCharset: options.bodyCharset });
      const rules = options.numberRewrite ?? [];
      if (rules.length > 0) sms = { ...sms, fromUser: rewriteInbound(rules, 'sip', sms.fromUser), toUser: rewriteInbound(rules, 'sip', sms.toUser) };
    } catch (error) {
      if (error instanceof SmsContentError) {
        log.warn({ callId: message.callId, header: error.header, reason: error.reason }, 'SMS refused for good; answered 606');
        return notAcceptable(error);
      }
      if (!(error instanceof SipDecodeError)) throw error;
      log.warn({ callId: message.callId, header: error.header, reason: error.reason }, 'malformed MESSAGE answered 400');
      return badRequest(error);
    }
    try {
      // 8-bit data is binary: even if its bytes spell a receipt, it is a message. So is text that is not exactly
      // what its bytes say (a NUL, undecodable bytes): receipts are plain ASCII, and the message keeps the bytes.
      if (sms.coding !== 1 && sms.decodeError === null && !sms.text.includes('\u0000') && isDeliveryReceipt(sms.text)) {
        return await handleReceipt({ useCases, log, sms });
      }
      return await handleMessage({ options, useCases, log, sms, message });
    } catch (error) {
      log.error({ err: error, callId: message.callId }, 'inbound MESSAGE not stored; answered 480 so that the SMSC retries');
      return TEMPORARY_FAILURE;
    }
  }
}

async function handleMessage(input: {
  options: SipInboundHandlerOptions; useCases: InboundUseCases; log: Logger; sms: InboundSms; message: IncomingSipMessage;
}): Promise<SipReply> {
  const { options, log, sms, message } = input;
  if (sms.decodeError !== null) log.warn({ callId: message.callId, coding: sms.coding, reason: sms.decodeError }, 'MO body not readable in its charset; its bytes are stored as they came');
  const result = await input.useCases.receiveSms({
    fromUser: sms.fromUser, toUser: sms.toUser, text: sms.text, payload: sms.rawBody, decodeError: sms.decodeError,
    coding: sms.coding, udhHex: sms.udhHex,
    smscId: sms.smscId, deliveryTime: sms.deliveryTime, requestKey: requestKeyOf(message), route: 'sip',
    sipXHeaders: sms.xHeaders,
    reassemblyTimeoutMs: options.reassemblyTimeoutMs,
    ...(options.webhookPolicy ? { webhookPolicy: options.webhookPolicy } : {}),
  });
  switch (result.outcome) {
    case 'stored':
      log.info({ messageSid: result.messageSid, from: sms.fromUser, to: sms.toUser }, 'inbound message stored');
      options.onStored?.();
      return ok();
    case 'part-stored':
      log.debug({ from: sms.fromUser, to: sms.toUser, udh: sms.udhHex }, 'inbound segment stored, waiting for the rest');
      return ok();
    case 'duplicate':
      log.info({ messageSid: result.messageSid, callId: message.callId }, 'repeated inbound request absorbed');
      return ok();
    case 'unknown-number':
      log.warn({ to: sms.toUser, from: sms.fromUser, status: options.unknownNumberStatus }, 'MESSAGE for a number we do not host');
      return { status: options.unknownNumberStatus, reason: REASONS[options.unknownNumberStatus] ?? 'Unknown Number' };
  }
}

async function handleReceipt(input: { useCases: InboundUseCases; log: Logger; sms: InboundSms }): Promise<SipReply> {
  const { log, sms } = input;
  const result = await input.useCases.applySipReceipt({ rawText: sms.text, fromUser: sms.fromUser, toUser: sms.toUser });
  const fields = { receiptId: result.receiptId, from: sms.fromUser, to: sms.toUser };
  if (result.outcome === 'matched') log.info({ ...fields, messageSid: result.messageSid, status: result.status }, 'receipt applied');
  else if (result.outcome === 'parked') log.info({ ...fields, nextMatchAt: result.nextMatchAt }, 'receipt matches no message yet; parked');
  else if (result.outcome === 'duplicate') log.info({ ...fields, messageSid: result.messageSid }, 'repeated receipt absorbed');
  else log.warn(fields, 'receipt matches no message; stored unmatched');
  return ok();
}

/** Call-ID + CSeq + From: the SMSC's repeats of a request (new branch after a lost answer) keep all three. */
export function requestKeyOf(message: Pick<IncomingSipMessage, 'callId' | 'cseq' | 'from'>): string {
  return `${message.callId}|${message.cseq.trim()}|${message.from.trim()}`;
}

function ok(): SipReply {
  return { status: 200, reason: 'OK' };
}

/** RFC 3326 Reason header, so that whoever reads the SMSC's logs learns which header was wrong. */
export function badRequest(error: SipDecodeError): SipReply {
  return { status: 400, reason: 'Bad Request', headers: [['Reason', reasonHeader(400, error.message)]] };
}

/** 606: final at the SMSC (§5.5), unlike 415 or 488, which it would retry for 72 hours. */
export function notAcceptable(error: SmsContentError): SipReply {
  return { status: 606, reason: 'Not Acceptable', headers: [['Reason', reasonHeader(606, error.message)]] };
}

function reasonHeader(cause: number, message: string): string {
  // A quoted-string may not hold raw quotes, backslashes or control characters.
  // eslint-disable-next-line no-control-regex
  const text = message.replace(/"/g, "'").replace(/[\\\u0000-\u001f\u007f]/g, ' ').slice(0, 200);
  return `SIP;cause=${cause};text="${text}"`;
}
