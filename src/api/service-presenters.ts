// Messaging Services v1 JSON: ISO 8601 dates in whole seconds, absolute `url`/`links` on this server's own
// origin (twilio-node follows v1's next_page_url as given, so a messaging.twilio.com link would leave us).
import type { FastifyRequest } from 'fastify';
import type { MessagingService, PoolNumber } from '../store/service-store.js';
import { defaultReplies } from '../messaging/opt-out-keywords.js';

export const V1_ROOT = '/v1/Services';

/** The origin the client reached us on, e.g. http://127.0.0.1:8080. */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function presentService(origin: string, s: MessagingService) {
  const url = `${origin}${V1_ROOT}/${s.sid}`;
  const replies = defaultReplies();
  return {
    account_sid: s.accountSid,
    area_code_geomatch: s.areaCodeGeomatch,
    date_created: isoSeconds(s.dateCreated),
    date_updated: isoSeconds(s.dateUpdated),
    fallback_method: s.fallbackMethod,
    fallback_to_long_code: s.fallbackToLongCode,
    fallback_url: s.fallbackUrl,
    friendly_name: s.friendlyName,
    inbound_method: s.inboundMethod,
    inbound_request_url: s.inboundRequestUrl,
    links: {
      phone_numbers: `${url}/PhoneNumbers`,
      short_codes: `${url}/ShortCodes`,
      alpha_senders: `${url}/AlphaSenders`,
      messages: `${url}/Messages`,
      us_app_to_person: `${url}/Compliance/Usa2p`,
      us_app_to_person_usecases: `${url}/Compliance/Usa2p/Usecases`,
      channel_senders: `${url}/ChannelSenders`,
      destination_alpha_senders: `${url}/DestinationAlphaSenders`,
    },
    mms_converter: s.mmsConverter,
    scan_message_content: s.scanMessageContent,
    sid: s.sid,
    smart_encoding: s.smartEncoding,
    smsc_help_reply: s.helpReply ?? replies.HELP,
    smsc_opt_in_reply: s.optInReply ?? replies.START,
    smsc_opt_out_reply: s.optOutReply ?? replies.STOP,
    status_callback: s.statusCallback,
    sticky_sender: s.stickySender,
    synchronous_validation: s.synchronousValidation,
    url,
    us_app_to_person_registered: false,
    use_inbound_webhook_on_number: s.useInboundWebhookOnNumber,
    usecase: s.usecase,
    validity_period: s.validityPeriod,
  };
}

/** ISO 3166 alpha-2 for the calling codes this gateway is most often given; "" when unknown. */
function countryOf(e164: string): string {
  if (e164.startsWith('+1')) return 'US';
  const prefixes: Array<[string, string]> = [['+44', 'GB'], ['+49', 'DE'], ['+33', 'FR'], ['+31', 'NL'], ['+32', 'BE'], ['+41', 'CH'], ['+43', 'AT'], ['+34', 'ES'], ['+39', 'IT'], ['+61', 'AU']];
  return prefixes.find(([prefix]) => e164.startsWith(prefix))?.[1] ?? '';
}

export function presentServiceNumber(origin: string, n: PoolNumber) {
  return {
    account_sid: n.accountSid,
    capabilities: ['SMS'],
    country_code: countryOf(n.phoneNumber),
    date_created: isoSeconds(new Date(n.dateCreated)),
    date_updated: isoSeconds(new Date(n.dateUpdated)),
    phone_number: n.phoneNumber,
    service_sid: n.serviceSid,
    sid: n.sid,
    url: `${origin}${V1_ROOT}/${n.serviceSid}/PhoneNumbers/${n.sid}`,
  };
}

/** v1's `meta`: page links absolute, PageSize and Page repeated. `rows` holds one more record than the page when another follows. */
export function v1Page<T>(options: { origin: string; path: string; key: string; page: number; pageSize: number; rows: T[] }) {
  const link = (page: number) => `${options.origin}${options.path}?PageSize=${options.pageSize}&Page=${page}`;
  const hasNext = options.rows.length > options.pageSize;
  return {
    records: options.rows.slice(0, options.pageSize),
    meta: {
      first_page_url: link(0),
      key: options.key,
      next_page_url: hasNext ? link(options.page + 1) : null,
      page: options.page,
      page_size: options.pageSize,
      previous_page_url: options.page > 0 ? link(options.page - 1) : null,
      url: link(options.page),
    },
  };
}
