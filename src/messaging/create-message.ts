// The "send" use case as far as the API goes: validate, check the sender, and queue the message (status
// queued, next_attempt_at now). Dispatching it to the SMSC is the dispatcher's job.
import { AppError } from '../errors/app-error.js';
import { draftOutboundMessage, type CreateMessageParams } from './outbound-draft.js';
import type { MessageRecord, MessageWriter, SenderDirectory } from './ports.js';
import { newSid } from './sid.js';

export interface CreateMessageOptions {
  accountSid: string;
  params: CreateMessageParams;
  writer: MessageWriter;
  senders: SenderDirectory;
  /** false: a StatusCallback naming a private IP address is refused (21609); default true. */
  allowPrivateUrls?: boolean;
  /** Set by the RestComm-Connect resource: its dialect and the X- headers its form asked for. */
  apiDialect?: 'restcomm';
  sipHeaders?: Readonly<Record<string, string>>;
  receiptDemand?: boolean;
}

export async function createOutboundMessage(options: CreateMessageOptions): Promise<MessageRecord> {
  const draft = draftOutboundMessage(options.params, { allowPrivateUrls: options.allowPrivateUrls ?? true });
  if (draft.fromKind === 'number') {
    const owned = await options.senders.isIncomingNumberOf({ accountSid: options.accountSid, phoneNumber: draft.from });
    if (!owned) throw new AppError('fromNotOwned', { from: draft.from });
  }
  return options.writer.insertMessage({
    sid: newSid('SM'),
    accountSid: options.accountSid,
    from: draft.from,
    to: draft.to,
    body: draft.body,
    numSegments: draft.numSegments,
    coding: draft.coding,
    udh: draft.udh,
    messageClass: draft.messageClass,
    validitySeconds: draft.validitySeconds,
    statusCallback: draft.statusCallback,
    statusCallbackMethod: draft.statusCallbackMethod,
    receiptRequested: options.receiptDemand ?? true,
    ...(options.apiDialect === undefined ? {} : { apiDialect: options.apiDialect }),
    ...(options.sipHeaders === undefined ? {} : { sipHeaders: options.sipHeaders }),
    ...(options.receiptDemand === undefined ? {} : { receiptDemand: options.receiptDemand }),
  });
}
