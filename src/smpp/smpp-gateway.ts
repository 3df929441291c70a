// The SMPP road to the SMSC: an SmscGateway that sends every part of a message as a submit_sm over one bound ESME
// session (binds are taken in turn, so traffic spreads across them) and returns the SMSC message id of each part,
// in part order, so that receipts match exactly.
//
// Parts go one after the other on the same session and the first failure ends the attempt: the whole message is
// then retried (temporary) or failed (permanent). Parts accepted before the failure will be submitted again on
// the retry, so the handset may see them twice; so may a part whose response was lost (timeout, dropped link,
// `mayHaveBeenAccepted`). SMPP offers no way to ask "did you take it?", so at-least-once is the only safe choice.
import { DELIVERY_ERRORS } from '../messaging/send-outcome.js';
import type { OutboundSms, SmscGateway, SubmitResult } from '../messaging/smsc-gateway.js';
import type { EsmeClient } from './esme-session.js';
import { SmppCommandError, SmppError } from './errors.js';
import { buildSubmitSms, SubmitBuildError, type BodyEncoding, type SubmitSmParams } from './submit-builder.js';
import { rewriteOutbound, type RewriteRule } from '../messaging/number-rewrite.js';

export interface SmppGatewayOptions {
  /** One ESME client per bind; started and stopped by the owner (smpp-service.ts). */
  clients: readonly EsmeClient[];
  longMessageMode: 'udh' | 'payload';
  bodyEncoding: BodyEncoding;
  /** SMSC_NUMBER_REWRITE: the `smpp` rules rewrite destination and source on the way out. */
  numberRewrite?: readonly RewriteRule[];
  /**
   * Told of each part's submit_sm_resp as it arrives (dispatch/pending-outcomes.ts): the SMSC may receipt a part
   * before the last part is answered, let alone before the outcome is written.
   */
  onSubmitAnswer?: (message: OutboundSms, smscMessageId: string) => void;
}

export function createSmppGateway(options: SmppGatewayOptions): SmscGateway {
  if (options.clients.length === 0) throw new Error('an SMPP gateway needs at least one bind');
  let next = 0;
  const pickClient = (): EsmeClient | null => {
    for (let i = 0; i < options.clients.length; i++) {
      const client = options.clients[(next + i) % options.clients.length] as EsmeClient;
      if (client.isBound()) {
        next = (next + i + 1) % options.clients.length;
        return client;
      }
    }
    return null;
  };
  return {
    route: 'smpp',
    isReady: () => options.clients.some((client) => client.isBound()),
    async submit(message) {
      const built = buildParts(message, options);
      if ('failure' in built) return built.failure;
      const client = pickClient();
      if (client === null) return { kind: 'temporary-failure', reason: 'no bound SMPP session', detail: { parts: built.parts.length } };
      const result = await submitParts(client, built.parts, (id) => options.onSubmitAnswer?.(message, id));
      // Pass-through X- headers (RestComm sends) have no place in submit_sm: say so in the message's events.
      const notCarried = Object.keys(message.sipHeaders ?? {});
      return notCarried.length === 0 ? result : { ...result, detail: { ...result.detail, sipHeadersNotCarried: notCarried } };
    },
  };
}

function buildParts(message: OutboundSms, options: SmppGatewayOptions): { parts: SubmitSmParams[] } | { failure: SubmitResult } {
  const text = message.coding === 1 ? binaryText(message.body) : message.body;
  if (text === null) {
    return permanent(30008, 'the 8-bit payload is not valid UTF-8, which the SMPP submit builder cannot carry', { encodeError: 'binary' });
  }
  try {
    const parts = buildSubmitSms({
      to: rewriteOutbound(options.numberRewrite ?? [], 'smpp', message.to),
      from: rewriteOutbound(options.numberRewrite ?? [], 'smpp', message.from),
      text, coding: message.coding,
      ...(message.udh !== null ? { udhHex: message.udh } : {}),
      registeredDelivery: message.receiptRequested,
      longMessageMode: options.longMessageMode,
      bodyEncoding: options.bodyEncoding,
      ...(message.validUntil !== null ? { validityPeriod: message.validUntil } : {}),
    });
    return { parts: message.messageClass === null ? parts : parts.map((p) => withMessageClass(p, message.messageClass as number)) };
  } catch (error) {
    if (!(error instanceof SubmitBuildError)) throw error;
    return permanent(30008, `cannot encode for the SMSC: ${error.message}`, { encodeError: error.code });
  }
}

/**
 * The API keeps an 8-bit payload as hex; the builder sends the UTF-8 bytes of its text, so only payloads that are
 * valid UTF-8 survive the round trip byte for byte. Others are refused rather than altered.
 */
function binaryText(hex: string): string | null {
  const bytes = Buffer.from(hex, 'hex');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** GSM 03.38 general data coding group 0001xxxx: bit 4 says the class (bits 1-0) is meaningful. */
function withMessageClass(part: SubmitSmParams, messageClass: number): SubmitSmParams {
  const alphabet = part.data_coding === 0x08 ? 2 : part.data_coding === 0x04 ? 1 : 0;
  return { ...part, data_coding: 0x10 | (alphabet << 2) | (messageClass & 0x03) };
}

async function submitParts(
  client: EsmeClient,
  parts: readonly SubmitSmParams[],
  onAnswer: (smscMessageId: string) => void,
): Promise<SubmitResult> {
  const ids: string[] = [];
  for (const part of parts) {
    try {
      const { messageId } = await client.submit(part);
      onAnswer(messageId);
      ids.push(messageId);
    } catch (error) {
      return failureOf(error, { parts: parts.length, acceptedParts: ids });
    }
  }
  return { kind: 'accepted', smscMessageIds: ids, detail: { parts: parts.length, smscMessageIds: ids } };
}

function failureOf(error: unknown, progress: { parts: number; acceptedParts: string[] }): SubmitResult {
  const detail = { ...progress, failedPart: progress.acceptedParts.length + 1 };
  if (error instanceof SmppCommandError) {
    const commandDetail = { ...detail, commandStatus: error.commandStatus, commandStatusName: error.name };
    if (error.retryable) return { kind: 'temporary-failure', reason: error.message, detail: commandDetail };
    const code = error.twilioErrorCode ?? 30008;
    return permanent(code, `${twilioMessage(code)} (submit_sm ${error.name})`, commandDetail).failure;
  }
  if (error instanceof SmppError) {
    return {
      kind: 'temporary-failure', reason: error.message,
      detail: { ...detail, smppError: error.code, mayHaveBeenAccepted: error.mayHaveBeenAccepted },
    };
  }
  const reason = error instanceof Error ? error.message : String(error);
  return { kind: 'temporary-failure', reason: `SMPP submit failed: ${reason}`, detail: { ...detail, error: reason } };
}

function twilioMessage(code: number): string {
  if (code === 21212) return 'Invalid From Number';
  return (DELIVERY_ERRORS as Record<number, string>)[code] ?? DELIVERY_ERRORS[30008];
}

function permanent(errorCode: number, errorMessage: string, detail: Record<string, unknown>): { failure: SubmitResult } {
  return { failure: { kind: 'permanent-failure', errorCode, errorMessage, detail } };
}
