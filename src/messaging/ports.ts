// What the messaging use cases need from persistence. The store implements these; tests may fake them.
import type { Message } from '../generated/prisma/client.js';

export type MessageRecord = Message;

/** An outbound message as create-message.ts hands it to the store (status queued, direction outbound-api). */
export interface NewOutboundMessage {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  numSegments: number;
  coding: 0 | 1 | 2;
  udh: string | null;
  messageClass: number | null;
  validitySeconds: number;
  statusCallback: string | null;
  statusCallbackMethod: 'GET' | 'POST';
  receiptRequested: boolean;
  /** "restcomm" when created through RestComm-Connect's SMS resource (its callbacks take RestComm's shape). */
  apiDialect?: 'restcomm' | null | undefined;
  /** Extra X- SIP headers for the outgoing MESSAGE (already validated), name -> value. */
  sipHeaders?: Readonly<Record<string, string>> | null | undefined;
  /** An explicit X-REG-DELIVERY: overrides the service's receipt policy (SMSC_RECEIPTS / status callback). */
  receiptDemand?: boolean | undefined;
  /**
   * Refuse with 21610 if `to` opted out of `from` (or of its service). The writer checks it once per batch,
   * beside the insert, rather than with one more statement per message.
   */
  refuseIfOptedOut?: boolean | undefined;
}

/** The hot path: one call per accepted message; an implementation may batch calls into group commits. */
export interface MessageWriter {
  insertMessage(message: NewOutboundMessage): Promise<MessageRecord>;
}

export interface SenderDirectory {
  isIncomingNumberOf(options: { accountSid: string; phoneNumber: string }): Promise<boolean>;
}

/** A Messaging Service as a send through it needs it. */
export interface SendingService {
  sid: string;
  statusCallback: string | null;
  validityPeriod: number;
  smartEncoding: boolean;
  /** The pool's numbers (E.164), oldest entry first. */
  pool: string[];
}

/** A message sent through a Messaging Service: stored `accepted` (or `scheduled`) until the service releases it. */
export interface NewServiceMessage extends Omit<NewOutboundMessage, 'from'> {
  /** Null until the service picks a pool number; an explicit From (in the pool) is kept. */
  from: string | null;
  serviceSid: string;
  status: 'accepted' | 'scheduled';
  /** When the service picks the sender and queues the message: now, or SendAt. Validity counts from here. */
  dueAt: Date | null;
}

/** What a create needs for Messaging Services and opt-outs. */
export interface ServiceMessagePort {
  findService(options: { accountSid: string; sid: string }): Promise<SendingService | null>;
  insertServiceMessage(message: NewServiceMessage): Promise<MessageRecord>;
}
