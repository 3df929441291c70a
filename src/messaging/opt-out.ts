// Opt-out keywords on inbound SMS (services spec §5): a body that is exactly STOP (or another opt-out keyword)
// blocks the sender for that recipient, START lifts the block, HELP only answers. The block covers the number,
// or the whole Messaging Service when the number is in one. Each keyword gets its auto-reply (the service's
// text, else the default), queued from the number that received it. Runs inside the inbound transaction, so the
// block, the reply and the stored message commit together; the keyword message still reaches the webhook.
import { analyzeText } from '../encoding/segments.js';
import type { SqlQuery } from '../store/database.js';
import { addOptOut, insertAutoReply, removeOptOut } from '../store/opt-out-store.js';
import { classifyKeyword, defaultReplies, type OptOutType } from './opt-out-keywords.js';
import { DEFAULT_VALIDITY_SECONDS } from './outbound-draft.js';
import { newSid } from './sid.js';
import { recordMessageEvents } from './status-change.js';

export interface KeywordSender {
  accountSid: string;
  phoneNumber: string;
  messagingServiceSid?: string | null | undefined;
  /** The service's own auto-replies; null/absent = the default text. */
  replies?: Partial<Record<OptOutType, string | null>> | undefined;
}

export interface InboundKeyword {
  /** The stored inbound message. */
  sid: string;
  /** Who sent it: the recipient of our messages. */
  from: string;
  body: string;
  number: KeywordSender;
}

/** Applies the keywords among `messages`; returns the keyword class per inbound SID, for OptOutType. */
export async function applyOptOutKeywords(query: SqlQuery, messages: readonly InboundKeyword[]): Promise<Map<string, OptOutType>> {
  const found = new Map<string, OptOutType>();
  for (const message of messages) {
    const type = classifyKeyword(message.body);
    if (type === null) continue;
    found.set(message.sid, type);
    const { number } = message;
    const serviceSid = number.messagingServiceSid ?? null;
    const target = { accountSid: number.accountSid, sender: serviceSid ?? number.phoneNumber, recipient: message.from };
    if (type === 'STOP') {
      await addOptOut(query, { ...target, scope: serviceSid === null ? 'number' : 'service', keyword: message.body.trim().toUpperCase() });
    }
    if (type === 'START') await removeOptOut(query, target);
    await queueAutoReply(query, message, number.replies?.[type] ?? defaultReplies()[type]);
    await recordMessageEvents(query, [{ sid: message.sid, type: 'opt_out', status: null, detail: { optOutType: type, scope: serviceSid ?? number.phoneNumber } }]);
  }
  return found;
}

async function queueAutoReply(query: SqlQuery, message: InboundKeyword, text: string): Promise<void> {
  const analysis = analyzeText(text, { smartEncoding: false });
  await insertAutoReply(query, {
    sid: newSid('SM'), accountSid: message.number.accountSid, from: message.number.phoneNumber, to: message.from,
    body: analysis.text, numSegments: analysis.segments, coding: analysis.encoding === 'GSM7' ? 0 : 2,
    validitySeconds: DEFAULT_VALIDITY_SECONDS, inReplyToSid: message.sid, messagingServiceSid: message.number.messagingServiceSid ?? null,
  });
}
