// Request and response schemas of the Messages resource (Twilio's names and JSON types) and its Events extension.
import { Type } from 'typebox';
import { MESSAGE_STATUSES } from '../../messaging/message-status.js';
import { HttpMethod, Nullable, PageEnvelope, PagingQuery } from './common.js';

const ignored = (description: string) => ({ description: `${description} Accepted and ignored by this gateway.` });

/** Twilio's `message_enum_direction`. */
export const MESSAGE_DIRECTIONS = ['inbound', 'outbound-api', 'outbound-call', 'outbound-reply'] as const;

export const Message = Type.Object(
  {
    account_sid: Type.String(),
    api_version: Type.String(),
    body: Type.String({
      description: '"" after redaction; uppercase hex for a binary message (SmscBinaryBody, or an inbound 8-bit SMS); ' +
        'inbound text without any U+0000 it held (smsc_payload_hex has the bytes)',
    }),
    date_created: Type.String({ description: 'RFC 2822, e.g. "Thu, 24 Aug 2023 05:01:45 +0000"' }),
    date_sent: Nullable(Type.String()),
    date_updated: Type.String(),
    direction: Type.Enum(MESSAGE_DIRECTIONS, { type: 'string', description: 'inbound, or how an outbound message was created: outbound-api (REST), outbound-reply (TwiML reply)' }),
    error_code: Nullable(Type.Integer()),
    error_message: Nullable(Type.String()),
    from: Nullable(Type.String()),
    messaging_service_sid: Nullable(Type.String()),
    num_media: Type.String(),
    num_segments: Type.String(),
    price: Nullable(Type.String()),
    price_unit: Nullable(Type.String()),
    sid: Type.String(),
    smsc_coding: Type.Union([Type.Literal('gsm7'), Type.Literal('ucs2'), Type.Literal('binary')], {
      description: 'Extension: the SMSC data coding (0 GSM 7-bit, 2 UCS-2, 1 8-bit), as SmscCoding spells it',
    }),
    smsc_payload_hex: Nullable(Type.String({
      description: 'Extension, inbound only: the user data after the UDH exactly as the SMSC delivered it, uppercase hex ' +
        '(for 8-bit data the same hex as body); null for outbound messages, after redaction, and for messages stored before it was kept',
    })),
    smsc_udh: Nullable(Type.String({ description: 'Extension: the User Data Header (UDHL included) as uppercase hex: SmscUdh, or the one an inbound SMS came with' })),
    status: Type.Enum(MESSAGE_STATUSES, { type: 'string', description: 'Twilio\'s message_enum_status, all of it; docs/api.md says which ones this gateway reaches' }),
    // No `feedback`: this gateway has no Feedback resource (Twilio's list examples name one).
    subresource_uris: Type.Object({ media: Type.String(), events: Type.String({ description: 'Extension: the message\'s events' }) }),
    to: Type.String(),
    uri: Type.String(),
  },
  {},
);

export const CreateMessageBody = Type.Object({
  To: Type.String({ description: 'E.164 destination. Required (21604); invalid: 21211; equal to From: 21266', examples: ['+15551234567'] }),
  From: Type.Optional(Type.String({
    description: "One of the account's IncomingPhoneNumbers (else 21606) or an alphanumeric sender ID", examples: ['+15005550006'],
  })),
  Body: Type.Optional(Type.String({ description: 'Up to 1,600 characters (21617)', examples: ['Hello from smsc-connect'] })),
  StatusCallback: Type.Optional(Type.String({ description: 'Absolute http(s) URL for status callbacks (21609)' })),
  StatusCallbackMethod: Type.Optional(HttpMethod),
  ValidityPeriod: Type.Optional(Type.Integer({ minimum: 1, maximum: 36000, description: 'Seconds the message may wait in the queue; default 36000' })),
  SmartEncoded: Type.Optional(Type.Boolean({ description: 'Replace Unicode look-alikes with GSM-7 characters' })),
  MediaUrl: Type.Optional(Type.Array(Type.String(), { description: 'Not supported (SMS only): 21620' })),
  MessagingServiceSid: Type.Optional(Type.String({ description: 'Send through this Messaging Service (MG…): the sender comes from its pool; unknown 21701 (404), malformed 21705, empty pool 21704' })),
  ContentSid: Type.Optional(Type.String({ description: 'Not supported: 70002' })),
  SendAt: Type.Optional(Type.String({ description: 'With ScheduleType=fixed: when to send, ISO 8601 (35111 missing, 35114 outside the window, 35115 unreadable)' })),
  ScheduleType: Type.Optional(Type.String({ description: 'fixed (with SendAt and a Messaging Service, else 35118); any other value 35126' })),
  ContentVariables: Type.Optional(Type.String(ignored('Content template variables.'))),
  ApplicationSid: Type.Optional(Type.String(ignored('TwiML application.'))),
  MaxPrice: Type.Optional(Type.String(ignored('Obsolete.'))),
  ProvideFeedback: Type.Optional(Type.Boolean(ignored('Feedback subresource.'))),
  Attempt: Type.Optional(Type.Integer(ignored('Total attempts.'))),
  ForceDelivery: Type.Optional(Type.Boolean(ignored('Reserved.'))),
  ContentRetention: Type.Optional(Type.String(ignored('retain | discard.'))),
  AddressRetention: Type.Optional(Type.String(ignored('retain | obfuscate.'))),
  PersistentAction: Type.Optional(Type.Array(Type.String(), ignored('Rich actions.'))),
  TrafficType: Type.Optional(Type.String(ignored('free.'))),
  ShortenUrls: Type.Optional(Type.Boolean(ignored('Link shortening.'))),
  SendAsMms: Type.Optional(Type.Boolean(ignored('MMS conversion.'))),
  RiskCheck: Type.Optional(Type.String(ignored('enable | disable.'))),
  FallbackFrom: Type.Optional(Type.String(ignored('RCS fallback sender.'))),
  MessageIntent: Type.Optional(Type.String(ignored('otp, notifications, marketing, …'))),
  Tags: Type.Optional(Type.String(ignored('Tags.'))),
  SmscUdh: Type.Optional(Type.String({
    description: 'Extension: a complete User Data Header (UDHL included) as hex; the content must then fit one segment. ' +
      'Stored uppercase and sent as is.',
  })),
  SmscCoding: Type.Optional(Type.Union([Type.Literal('gsm7'), Type.Literal('ucs2'), Type.Literal('binary')], {
    description: 'Extension: force the SMSC data coding (0 GSM 7-bit, 2 UCS-2, 1 8-bit); default: GSM-7 when the text allows it',
  })),
  SmscBinaryBody: Type.Optional(Type.String({
    description: 'Extension: an 8-bit binary payload as hex, sent with data coding 1 instead of Body (at most 1600 octets)',
  })),
  SmscMessageClass: Type.Optional(Type.Integer({ minimum: 0, maximum: 3, description: 'Extension: SMS message class 0-3' })),
}, {
  // The request example names only To, From and Body: a JSON "Try it out" in Swagger UI starts from it instead of
  // a sample of every optional field ("string", 0, true).
  examples: [{ To: '+15551234567', From: '+15005550006', Body: 'Hello from smsc-connect' }],
});

export const ListMessageQuery = Type.Object({
  To: Type.Optional(Type.String({ description: 'Exact match' })),
  From: Type.Optional(Type.String({ description: 'Exact match' })),
  DateSent: Type.Optional(Type.String({ description: 'The GMT day of the value (YYYY-MM-DD or a timestamp); unsent messages never match date filters' })),
  'DateSent<': Type.Optional(Type.String({ description: 'On or before (inclusive)' })),
  'DateSent>': Type.Optional(Type.String({ description: 'On or after (inclusive)' })),
  ...PagingQuery,
});

export const MessagePage = PageEnvelope('messages', Message);

export const UpdateMessageBody = Type.Object({
  Body: Type.Optional(Type.String({ description: 'Only "" (redact a finished message)' })),
  Status: Type.Optional(Type.String({ description: 'Only "canceled" (cancel a queued message)' })),
});

export const MessageEvent = Type.Object({
  id: Type.String({ description: 'Stable within the message: a number for a stored step, a name (created, sending-…, submit, receipt-…, webhook-…) for one kept on the message row or its receipt/webhook rows' }),
  type: Type.String({ description: 'status, sip_response, smpp_response, receipt, route, webhook, …' }),
  status: Nullable(Type.String()),
  detail: Type.Object({}, { additionalProperties: true }),
  date_created: Type.String(),
});

export const MessageEventList = Type.Object({
  events: Type.Array(MessageEvent),
  uri: Type.String(),
});
