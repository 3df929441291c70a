// The "send" use case as far as the API goes: validate, check the sender, and queue the message (status
// queued, next_attempt_at now). Dispatching it to the SMSC is the dispatcher's job. Through a Messaging Service
// the message is stored `accepted` (or `scheduled` for SendAt) with no sender yet; the service release
// (dispatch/service-release.ts) picks the pool number and queues it, as Twilio does after answering.
import { AppError } from '../errors/app-error.js';
import { draftOutboundMessage, serviceSidOf, type CreateMessageParams, type OutboundDraft } from './outbound-draft.js';
import type { MessageRecord, MessageWriter, SenderDirectory, ServiceMessagePort } from './ports.js';
import { DEFAULT_SCHEDULE_WINDOW, planSchedule, type ScheduleWindow } from './schedule.js';
import { newSid } from './sid.js';

export interface CreateMessageOptions {
  accountSid: string;
  params: CreateMessageParams;
  writer: MessageWriter;
  senders: SenderDirectory;
  services: ServiceMessagePort;
  /** false: a StatusCallback naming a private IP address is refused (21609); default true. */
  allowPrivateUrls?: boolean;
  /** Set by the RestComm-Connect resource: its dialect and the X- headers its form asked for. */
  apiDialect?: 'restcomm';
  sipHeaders?: Readonly<Record<string, string>>;
  receiptDemand?: boolean;
  scheduleWindow?: ScheduleWindow;
}

export async function createOutboundMessage(options: CreateMessageOptions): Promise<MessageRecord> {
  const policy = { allowPrivateUrls: options.allowPrivateUrls ?? true };
  const serviceSid = serviceSidOf(options.params);
  if (serviceSid !== null) return createServiceMessage(options, serviceSid, policy);
  const draft = draftOutboundMessage(options.params, policy);
  planSchedule(options.params, { viaService: false, now: new Date(), window: options.scheduleWindow ?? DEFAULT_SCHEDULE_WINDOW });
  const from = draft.from as string; // no service: checkFrom required it
  if (draft.fromKind === 'number') {
    const owned = await options.senders.isIncomingNumberOf({ accountSid: options.accountSid, phoneNumber: from });
    if (!owned) throw new AppError('fromNotOwned', { from });
  }
  return options.writer.insertMessage({
    sid: newSid('SM'), accountSid: options.accountSid, ...columns(draft), from,
    // Twilio refuses a plain send to an unsubscribed recipient at once, with 400 / 21610.
    refuseIfOptedOut: true,
    receiptRequested: options.receiptDemand ?? true,
    ...(options.apiDialect === undefined ? {} : { apiDialect: options.apiDialect }),
    ...(options.sipHeaders === undefined ? {} : { sipHeaders: options.sipHeaders }),
    ...(options.receiptDemand === undefined ? {} : { receiptDemand: options.receiptDemand }),
  });
}

async function createServiceMessage(options: CreateMessageOptions, serviceSid: string, policy: { allowPrivateUrls: boolean }): Promise<MessageRecord> {
  const service = await options.services.findService({ accountSid: options.accountSid, sid: serviceSid });
  if (service === null) throw new AppError('serviceNotFound', { sid: serviceSid });
  // The service's Smart Encoding applies unless the message says otherwise.
  const draft = draftOutboundMessage({ ...options.params, SmartEncoded: options.params.SmartEncoded ?? service.smartEncoding }, policy);
  const dueAt = planSchedule(options.params, { viaService: true, now: new Date(), window: options.scheduleWindow ?? DEFAULT_SCHEDULE_WINDOW });
  if (service.pool.length === 0) throw new AppError('serviceHasNoSenders', { sid: serviceSid });
  if (draft.from !== null && !service.pool.includes(draft.from)) throw new AppError('fromNotInService', { from: draft.from, sid: serviceSid });
  const base = columns(draft);
  return options.services.insertServiceMessage({
    sid: newSid('SM'),
    accountSid: options.accountSid,
    ...base,
    from: draft.from,
    // Precedence (Twilio): the message's own StatusCallback and ValidityPeriod, else the service's.
    statusCallback: base.statusCallback ?? service.statusCallback,
    validitySeconds: options.params.ValidityPeriod ?? service.validityPeriod,
    receiptRequested: true,
    serviceSid,
    status: dueAt === null ? 'accepted' : 'scheduled',
    dueAt,
  });
}

function columns(draft: OutboundDraft) {
  return {
    to: draft.to,
    body: draft.body,
    numSegments: draft.numSegments,
    coding: draft.coding,
    udh: draft.udh,
    messageClass: draft.messageClass,
    validitySeconds: draft.validitySeconds,
    statusCallback: draft.statusCallback,
    statusCallbackMethod: draft.statusCallbackMethod,
  };
}
