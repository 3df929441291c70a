// TwiML <Message> verbs → reply messages (direction outbound-reply) queued on the normal outbound path: the
// dispatcher claims them like any API message. `planReplies` is pure (defaults, validation, segments);
// `insertReplies` writes the planned rows inside the caller's transaction, so the replies commit together with
// the delivery's `succeeded` mark and a crash can never create them twice.
import { analyzeText } from '../encoding/segments.js';
import { isAlphanumericSenderId, isE164 } from '../messaging/address.js';
import { DEFAULT_VALIDITY_SECONDS, MAX_BODY_CHARACTERS } from '../messaging/outbound-draft.js';
import { newSid } from '../messaging/sid.js';
import type { SqlQuery } from '../store/database.js';
import { replyXHeaders } from '../sip/x-headers.js';
import { isOptedOutSql } from '../store/opt-out-store.js';
import { TWIML_CODES, type TwimlMessage } from './twiml.js';

/** Codes of the reply problems found here, besides the interpreter's own (twiml-error.ts). */
export const REPLY_CODES = {
  /** Body longer than 1,600 characters, as for any message (the API's bodyTooLong). */
  bodyTooLong: 21617,
  /** <Media> on an SMS-only gateway (the API's mediaNotSupported): the media are dropped. */
  mediaNotSupported: 21620,
  /** `from` is a number that does not belong to the account (the API's fromNotOwned). */
  fromNotOwned: 21606,
} as const;

/** The inbound message being answered, as its webhook parameters describe it. */
export interface InboundMessageRef {
  sid: string;
  accountSid: string;
  /** The handset that wrote to us: the default `to` of a reply. */
  from: string;
  /** Our number: the default `from` of a reply. */
  to: string;
}

export interface ReplyDraft {
  sid: string;
  accountSid: string;
  inReplyToSid: string;
  from: string;
  to: string;
  body: string;
  numSegments: number;
  coding: 0 | 2;
  statusCallback: string | null;
  statusCallbackMethod: 'GET' | 'POST';
  /** An E.164 `from` must be one of the account's numbers; an alphanumeric sender ID needs no check. */
  checkOwner: boolean;
  /** 'restcomm' for RestComm's `<Sms>`: RestComm-shaped callbacks. */
  apiDialect: 'restcomm' | null;
  /** X- headers for the reply MESSAGE (RestComm: the app's response X- headers), already filtered. */
  sipHeaders: Record<string, string> | null;
}

export interface ReplyProblem {
  code: number;
  message: string;
}

export interface ReplyPlan {
  replies: ReplyDraft[];
  problems: ReplyProblem[];
}

/**
 * The inbound message a webhook announces: its SID and account come from the delivery row (never from the
 * parameters, so a reply can only be created in the account that owns the delivery), From/To from the parameters.
 */
export function inboundRefFromParams(params: Record<string, string>, delivery: { messageSid: string; accountSid: string }): InboundMessageRef {
  return {
    sid: delivery.messageSid,
    accountSid: delivery.accountSid,
    from: params.From ?? '',
    to: params.To ?? '',
  };
}

export function planReplies(options: {
  inbound: InboundMessageRef;
  messages: readonly TwimlMessage[];
  newSid?: () => string;
  /** X- headers of the app's answers, for `<Sms>` replies (filtered here by sip/x-headers.ts). */
  responseXHeaders?: Readonly<Record<string, string>>;
  xHeaderDeny?: readonly string[];
}): ReplyPlan {
  const plan: ReplyPlan = { replies: [], problems: [] };
  const makeSid = options.newSid ?? (() => newSid('SM'));
  const rcml = options.messages.some((m) => m.dialect === 'rcml');
  const carried = rcml ? replyXHeaders(options.responseXHeaders ?? {}, { deny: options.xHeaderDeny ?? [] }) : { headers: {}, dropped: [] };
  for (const { name, reason } of carried.dropped) {
    plan.problems.push({ code: TWIML_CODES.schemaWarning, message: `Response header ${name} was not carried onto the <Sms> reply: ${reason}` });
  }
  for (const message of options.messages) {
    const reply = planReply(options.inbound, message, plan.problems);
    if (!reply) continue;
    const headers = message.dialect === 'rcml' && Object.keys(carried.headers).length > 0 ? carried.headers : null;
    plan.replies.push({ ...reply, sid: makeSid(), apiDialect: message.dialect === 'rcml' ? 'restcomm' : null, sipHeaders: headers });
  }
  return plan;
}

function planReply(inbound: InboundMessageRef, message: TwimlMessage, problems: ReplyProblem[]): Omit<ReplyDraft, 'sid' | 'apiDialect' | 'sipHeaders'> | null {
  const to = message.to ?? inbound.from;
  const from = message.from ?? inbound.to;
  const problem = (code: number, text: string): null => {
    problems.push({ code, message: `${text}; the message was not sent` });
    return null;
  };
  if (!isE164(to)) return problem(TWIML_CODES.invalidTo, `Reply 'to' "${to}" is not an E.164 number`);
  const alphanumeric = isAlphanumericSenderId(from);
  if (!isE164(from) && !alphanumeric) return problem(TWIML_CODES.invalidFrom, `Reply 'from' "${from}" is neither E.164 nor an alphanumeric sender ID`);
  if (message.media.length > 0) {
    if (message.body.trim() === '') return problem(REPLY_CODES.mediaNotSupported, '<Media> is not supported (SMS only) and the <Message> has no text');
    problems.push({ code: REPLY_CODES.mediaNotSupported, message: `${message.media.length} <Media> dropped: this gateway sends SMS only` });
  }
  if (message.body.length > MAX_BODY_CHARACTERS) {
    return problem(REPLY_CODES.bodyTooLong, `Reply body has ${message.body.length} characters, more than ${MAX_BODY_CHARACTERS}`);
  }
  const analysis = analyzeText(message.body);
  return {
    accountSid: inbound.accountSid,
    inReplyToSid: inbound.sid,
    from,
    to,
    body: analysis.text,
    numSegments: analysis.segments,
    coding: analysis.encoding === 'GSM7' ? 0 : 2,
    // `action` replaced the deprecated `statusCallback`; both mean the reply's status callback URL.
    statusCallback: message.action ?? message.statusCallback ?? null,
    statusCallbackMethod: message.method ?? 'POST',
    checkOwner: !alphanumeric,
  };
}

/**
 * Inserts the replies (status queued, due now) and their first `status` event. Replies whose E.164 `from` is
 * not one of the account's numbers, or whose recipient opted out of it, are left out; returns the SIDs inserted.
 */
export async function insertReplies(
  query: SqlQuery,
  replies: readonly ReplyDraft[],
  validitySeconds: number = DEFAULT_VALIDITY_SECONDS,
): Promise<Set<string>> {
  if (replies.length === 0) return new Set();
  const column = <K extends keyof ReplyDraft>(key: K) => replies.map((r) => r[key]);
  const rows = await query<{ sid: string }>(
    `WITH r AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[],
         $8::text[], $9::text[], $10::text[], $11::boolean[], $13::text[], $14::jsonb[])
         WITH ORDINALITY AS r(sid, account_sid, from_address, to_address, body, num_segments, coding,
           status_callback, status_callback_method, in_reply_to_sid, check_owner, api_dialect, sip_headers, ord)
     ), m AS (
       INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, num_segments,
         status_callback, status_callback_method, coding, valid_until, next_attempt_at, receipt_requested,
         in_reply_to_sid, api_dialect, sip_headers, date_created, date_updated)
       SELECT r.sid, r.account_sid, r.from_address, r.to_address, r.body, 'queued', 'outbound-reply', r.num_segments,
         r.status_callback, r.status_callback_method, r.coding, now() + make_interval(secs => $12), now(), true,
         r.in_reply_to_sid, r.api_dialect, r.sip_headers, now(), now()
       FROM r
       WHERE (NOT r.check_owner OR EXISTS (
         SELECT 1 FROM phone_numbers p WHERE p.phone_number = r.from_address AND p.account_sid = r.account_sid))
         -- Twilio sends nothing, replies included, to a recipient who opted out (STOP) of the sender or its service.
         AND NOT ${isOptedOutSql('r.account_sid', 'r.from_address', 'r.to_address')}
       ORDER BY r.ord
       RETURNING sid
     )
     -- The reply's queued step is its row (direction outbound-reply, in_reply_to_sid): no event row.
     SELECT sid FROM m`,
    [
      column('sid'), column('accountSid'), column('from'), column('to'), column('body'), column('numSegments'),
      column('coding'), column('statusCallback'), column('statusCallbackMethod'), column('inReplyToSid'),
      column('checkOwner'), validitySeconds, column('apiDialect'),
      replies.map((r) => (r.sipHeaders === null ? null : JSON.stringify(r.sipHeaders))),
    ],
  );
  return new Set(rows.map((r) => r.sid));
}
