// Schemas of the Messaging Services API v1 (Twilio's twilio_messaging_v1 names and JSON types): the Service, its
// PhoneNumbers, and v1's list envelope (`meta` with absolute *_url links, records under meta.key).
import { Type, type TSchema } from 'typebox';
import { HttpMethod, Nullable } from './common.js';

export const ServiceSid = Type.String({ pattern: '^MG[0-9a-fA-F]{32}$', description: 'Messaging Service SID' });
export const ServiceParams = Type.Object({ Sid: ServiceSid });
export const ServiceNumberListParams = Type.Object({ ServiceSid });
export const ServiceNumberParams = Type.Object({ ServiceSid, Sid: Type.String({ description: 'The phone number\'s PN SID' }) });

export const USECASES = ['notifications', 'marketing', 'verification', 'discussion', 'poll', 'undeclared'] as const;

export const Service = Type.Object({
  account_sid: Type.String(),
  area_code_geomatch: Type.Boolean(),
  date_created: Type.String({ description: 'ISO 8601 UTC, whole seconds, e.g. 2015-07-30T20:12:31Z' }),
  date_updated: Type.String(),
  fallback_method: Type.String(),
  fallback_to_long_code: Type.Boolean(),
  fallback_url: Nullable(Type.String()),
  friendly_name: Type.String(),
  inbound_method: Type.String(),
  inbound_request_url: Nullable(Type.String()),
  links: Type.Record(Type.String(), Type.String()),
  mms_converter: Type.Boolean(),
  scan_message_content: Type.String(),
  sid: Type.String(),
  smart_encoding: Type.Boolean(),
  smsc_help_reply: Type.String({ description: 'Extension: the auto-reply to HELP/INFO' }),
  smsc_opt_in_reply: Type.String({ description: 'Extension: the auto-reply to START/YES/UNSTOP' }),
  smsc_opt_out_reply: Type.String({ description: 'Extension: the auto-reply to STOP and the other opt-out keywords' }),
  status_callback: Nullable(Type.String()),
  sticky_sender: Type.Boolean(),
  synchronous_validation: Type.Boolean(),
  url: Type.String(),
  us_app_to_person_registered: Type.Boolean(),
  use_inbound_webhook_on_number: Type.Boolean(),
  usecase: Type.String(),
  validity_period: Type.Integer(),
});

export const ServiceNumber = Type.Object({
  account_sid: Type.String(),
  capabilities: Type.Array(Type.String(), { description: 'e.g. ["SMS"]: a string array, unlike IncomingPhoneNumber' }),
  country_code: Type.String(),
  date_created: Type.String(),
  date_updated: Type.String(),
  phone_number: Type.String(),
  service_sid: Type.String(),
  sid: Type.String(),
  url: Type.String(),
});

const serviceFields = {
  InboundRequestUrl: Type.Optional(Type.String({ description: 'Inbound webhook for every pool number ("" clears)' })),
  InboundMethod: Type.Optional(HttpMethod),
  FallbackUrl: Type.Optional(Type.String({ description: 'Called when the inbound webhook fails ("" clears)' })),
  FallbackMethod: Type.Optional(HttpMethod),
  StatusCallback: Type.Optional(Type.String({ description: 'Status callback of messages sent through the service, unless the message names its own' })),
  StickySender: Type.Optional(Type.Boolean()),
  MmsConverter: Type.Optional(Type.Boolean({ description: 'Stored; this gateway carries SMS only' })),
  SmartEncoding: Type.Optional(Type.Boolean({ description: 'Replace Unicode look-alikes with GSM-7 characters in messages sent through the service' })),
  ScanMessageContent: Type.Optional(Type.Union([Type.Literal('inherit'), Type.Literal('enable'), Type.Literal('disable')])),
  FallbackToLongCode: Type.Optional(Type.Boolean({ description: 'Obsolete: stored and ignored' })),
  AreaCodeGeomatch: Type.Optional(Type.Boolean({ description: 'Prefer a pool number with the recipient\'s country calling code and area code' })),
  ValidityPeriod: Type.Optional(Type.Integer({ minimum: 1, maximum: 36000, description: 'Seconds a message may wait in the queue; default 36000' })),
  SynchronousValidation: Type.Optional(Type.Boolean({ description: 'Reserved: stored' })),
  Usecase: Type.Optional(Type.String({ description: `One of ${USECASES.join(', ')} (21713)` })),
  UseInboundWebhookOnNumber: Type.Optional(Type.Boolean({ description: 'true: a pool number\'s own SmsUrl wins over the service\'s inbound URLs' })),
  SmscOptOutReply: Type.Optional(Type.String({ description: 'Extension: auto-reply to STOP ("" restores the default)' })),
  SmscOptInReply: Type.Optional(Type.String({ description: 'Extension: auto-reply to START ("" restores the default)' })),
  SmscHelpReply: Type.Optional(Type.String({ description: 'Extension: auto-reply to HELP ("" restores the default)' })),
};

export const CreateServiceBody = Type.Object({ FriendlyName: Type.String({ maxLength: 64 }), ...serviceFields });
export const UpdateServiceBody = Type.Object({ FriendlyName: Type.Optional(Type.String({ maxLength: 64 })), ...serviceFields });
export const CreateServiceNumberBody = Type.Object({ PhoneNumberSid: Type.String({ pattern: '^PN[0-9a-fA-F]{32}$', description: 'One of the account\'s IncomingPhoneNumbers' }) });

export const V1PagingQuery = Type.Object({
  PageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  Page: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  PageToken: Type.Optional(Type.String({ description: 'Accepted; paging is by Page' })),
});

/** v1's list envelope: `meta` (absolute URLs, `key` naming the array) and the records under that key. */
export function V1Page<T extends TSchema>(key: string, item: T) {
  return Type.Object({
    [key]: Type.Array(item),
    meta: Type.Object({
      first_page_url: Type.String(),
      key: Type.String(),
      next_page_url: Nullable(Type.String()),
      page: Type.Integer(),
      page_size: Type.Integer(),
      previous_page_url: Nullable(Type.String()),
      url: Type.String(),
    }),
  });
}
