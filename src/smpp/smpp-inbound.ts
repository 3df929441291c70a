// deliver_sm from the SMSC into the domain: receipts go to the receipt batcher (messaging/receipt-batch.ts, the
// same group-committed path as SIP receipts: exact match by SMSC message id, all-parts rule), mobile-originated messages to receiveSms, the same inbound path (reassembly, dedupe, webhook)
// as SIP. The handler resolves only after the database commit; the ESME then answers deliver_sm_resp
// (durable before ack). A throw makes the ESME answer ESME_RX_T_APPN, so the SMSC delivers again later.
//
// Dedupe: an MO deliver_sm carries no id, and its sequence_number is per session, so an SMSC that re-delivers
// after a lost deliver_sm_resp (usually on a new session) cannot be recognised by the PDU itself. Parts of a
// multipart message are absorbed by the reassembly (one row per group and sequence, and repeats of an assembled
// group by content). For whole messages, SMPP_MO_DEDUPE_S > 0 treats identical bytes from the same SMSC account
// and addresses within the window as a repeat; 0 (the default) keeps every copy.
//
// MO are group-committed (inbound-batch.ts): deliver_sm arriving together in the bind's window share one
// transaction. The service may pass the batcher it shares with SIP; otherwise each handler has its own.
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { buildUdh, concatenationIe, udhToHex } from '../encoding/index.js';
import type { ReceiptPolicy } from '../messaging/apply-receipt.js';
import { createReceiptBatcher, type ReceiptBatcher } from '../messaging/receipt-batch.js';
import { createInboundBatcher, type InboundBatcher } from '../messaging/inbound-batch.js';
import { inboundFromAddress } from '../messaging/receive-sms.js';
import type { Database } from '../store/database.js';
import type { InboundWebhookPolicy } from '../webhooks/enqueue-webhook.js';
import type { MoDeliver, ReceiptDeliver } from './deliver-parser.js';
import type { DeliverHandler } from './esme-session.js';
import type { SmppAddress } from './submit-builder.js';
import { smppXHeaders } from '../webhooks/sip-header-params.js';
import { rewriteInbound, type RewriteRule } from '../messaging/number-rewrite.js';

export interface SmppInboundOptions {
  db: Database;
  logger: Logger;
  /** Our system_id on the bind the PDU came in on: part of the MO request key. */
  systemId: string;
  /** SMSC_NUMBER_REWRITE: the `smpp` rules read source and destination back as E.164. */
  numberRewrite?: readonly RewriteRule[];
  reassemblyTimeoutMs: number;
  /** Identical MO within this window count as one (0 = off). */
  moDedupeMs: number;
  webhookPolicy?: InboundWebhookPolicy;
  receiptPolicy?: ReceiptPolicy;
  /** Called after a new inbound message is committed (e.g. to wake the webhook worker). */
  onStored?: () => void;
  /** Where MO are received; by default a batcher of this handler's own on `db`. */
  inbound?: Pick<InboundBatcher, 'receiveSms'>;
  /** Where receipts are applied; by default a receipt batcher of this handler's own on `db`. */
  receipts?: Pick<ReceiptBatcher, 'applySmppReceipt'>;
}

export function createSmppInboundHandler(options: SmppInboundOptions): DeliverHandler {
  const log = options.logger.child({ component: 'smpp-inbound', systemId: options.systemId });
  const inbound = options.inbound ?? createInboundBatcher({ db: options.db });
  const receipts = options.receipts ?? createReceiptBatcher({
    db: options.db, ...(options.receiptPolicy ? { policy: options.receiptPolicy } : {}),
  });
  return async (deliver) => {
    if (deliver.kind === 'receipt') return handleReceipt(receipts, log, deliver);
    return handleMo({ options, inbound, log }, deliver);
  };
}

async function handleReceipt(receipts: Pick<ReceiptBatcher, 'applySmppReceipt'>, log: Logger, receipt: ReceiptDeliver): Promise<void> {
  // Without any id the receipt cannot match; it is still stored (and stays visible, unmatched), never dropped.
  const smscMessageId = receipt.messageId ?? '';
  // Resolves after the batch holding it has committed: deliver_sm_resp goes only once the receipt is durable.
  const result = await receipts.applySmppReceipt({
    smscMessageId,
    stat: receipt.stat ?? '',
    err: receipt.err ?? '',
    submitDate: receipt.receipt?.submitDate ?? '',
    doneDate: receipt.receipt?.doneDate ?? '',
    text: receipt.receipt?.text ?? '',
    rawText: receipt.text !== '' ? receipt.text : `receipted_message_id:${smscMessageId} message_state:${receipt.messageState ?? ''}`,
    fromAddress: addressText(receipt.source),
    toAddress: addressText(receipt.destination),
  });
  const fields = { receiptId: result.receiptId, smscMessageId, stat: receipt.stat };
  if (result.outcome === 'matched') log.info({ ...fields, messageSid: result.messageSid, status: result.status }, 'SMPP receipt applied');
  else if (result.outcome === 'parked') log.info({ ...fields, nextMatchAt: result.nextMatchAt }, 'SMPP receipt matches no submission yet; parked');
  else if (result.outcome === 'duplicate') log.info({ ...fields, messageSid: result.messageSid }, 'repeated SMPP receipt absorbed');
  else log.warn(fields, 'SMPP receipt matches no submission; stored unmatched');
}

async function handleMo(
  context: { options: SmppInboundOptions; inbound: Pick<InboundBatcher, 'receiveSms'>; log: Logger },
  mo: MoDeliver,
): Promise<void> {
  const { options, log } = context;
  const udhHex = moUdhHex(mo);
  const fromUser = rewriteInbound(options.numberRewrite ?? [], 'smpp', addressText(mo.source));
  const toUser = rewriteInbound(options.numberRewrite ?? [], 'smpp', addressText(mo.destination));
  const prefix = `smpp:${options.systemId}:${fromUser}:${toUser}:${contentHash(mo, udhHex)}`;
  if (options.moDedupeMs > 0 && mo.concatenation === null) {
    const repeatOf = await findRecentRepeat(options.db, { prefix, fromUser, toUser, windowMs: options.moDedupeMs });
    if (repeatOf !== null) return log.info({ messageSid: repeatOf, from: fromUser, to: toUser }, 'repeated SMPP MO absorbed');
  }
  if (mo.decodeError !== null) log.warn({ from: fromUser, to: toUser, reason: mo.decodeError }, 'MO text not decodable; kept as Latin-1');
  const result = await context.inbound.receiveSms({
    fromUser, toUser, text: mo.text, payload: mo.userData, decodeError: mo.decodeError, coding: codingOf(mo), udhHex,
    // X-SMSC-ID names the ESME that originated a message on the SMSC; deliver_sm has no such field.
    smscId: null,
    deliveryTime: null,
    requestKey: `${prefix}:${Date.now()}:${randomBytes(4).toString('hex')}`,
    route: 'smpp',
    sipXHeaders: smppXHeaders({ systemId: options.systemId, coding: codingOf(mo), udhHex }),
    reassemblyTimeoutMs: options.reassemblyTimeoutMs,
    ...(options.webhookPolicy ? { webhookPolicy: options.webhookPolicy } : {}),
  });
  switch (result.outcome) {
    case 'stored':
      log.info({ messageSid: result.messageSid, from: fromUser, to: toUser }, 'SMPP MO stored');
      options.onStored?.();
      return;
    case 'part-stored':
      return log.debug({ from: fromUser, to: toUser, concatenation: mo.concatenation }, 'SMPP MO part stored, waiting for the rest');
    case 'duplicate':
      return log.info({ messageSid: result.messageSid, from: fromUser, to: toUser }, 'repeated SMPP MO part absorbed');
    case 'unknown-number':
      // deliver_sm_resp can only be OK or "retry later" here; retrying a number we do not host for days helps
      // nobody, so it is acknowledged and logged.
      return log.warn({ from: fromUser, to: toUser }, 'SMPP MO for a number we do not host; acknowledged and dropped');
  }
}

/** A numeric international address gets its `+`; others are passed as the SMSC wrote them. */
function addressText(address: SmppAddress): string {
  return address.ton === 1 && /^\d+$/.test(address.address) ? `+${address.address}` : address.address;
}

/**
 * The UDH as receiveSms expects it: the one the SMSC sent, byte for byte even when its IEs cannot be read (it is
 * then no concatenation); SAR TLVs without a readable UDH become the equivalent 16-bit concatenation UDH.
 */
function moUdhHex(mo: MoDeliver): string | null {
  if (mo.udh !== null) return udhToHex(mo.udh.bytes);
  const concat = mo.concatenation;
  if (concat !== null && concat.via === 'sar') {
    return udhToHex(buildUdh([concatenationIe({ reference: concat.reference, total: concat.total, sequence: concat.sequence, referenceBits: 16 })]));
  }
  return mo.udhBytes === null ? null : udhToHex(mo.udhBytes);
}

function codingOf(mo: MoDeliver): 0 | 1 | 2 {
  if (mo.alphabet === 'binary') return 1;
  return mo.alphabet === 'ucs2' || (mo.dataCoding & 0x0c) === 0x08 ? 2 : 0;
}

function contentHash(mo: MoDeliver, udhHex: string | null): string {
  return createHash('sha256')
    .update(`${mo.esmClass}|${mo.dataCoding}|${udhHex ?? ''}|`)
    .update(mo.userData)
    .digest('hex')
    .slice(0, 24);
}

async function findRecentRepeat(
  db: Database,
  options: { prefix: string; fromUser: string; toUser: string; windowMs: number },
): Promise<string | null> {
  const to = options.toUser.replace(/^\+/, '');
  const [row] = await db.query<{ sid: string }>(
    `SELECT sid FROM messages
     WHERE to_address = ANY($1::text[]) AND from_address = $2 AND status = 'received'
       AND date_sent > now() - $3 * interval '1 millisecond' AND left(sip_request_key, $4) = $5
     ORDER BY date_sent DESC LIMIT 1`,
    [[`+${to}`, to], inboundFromAddress(options.fromUser), options.windowMs, options.prefix.length + 1, `${options.prefix}:`],
  );
  return row?.sid ?? null;
}
