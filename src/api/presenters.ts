// The one place where stored rows become Twilio JSON: snake_case keys, RFC 2822 dates, counts as strings.
import type { Account } from '../store/account-store.js';
import type { ApiKey } from '../store/api-key-store.js';
import type { PhoneNumber } from '../store/phone-number-store.js';
import type { MessageEventRecord } from '../store/message-store.js';
import { codingName, payloadHex } from '../messaging/inbound-content.js';
import { MESSAGE_STATUSES } from '../messaging/message-status.js';
import type { MessageRecord } from '../messaging/ports.js';
import { MESSAGE_DIRECTIONS } from './schemas/message-schemas.js';
import { accountPath, API_VERSION, keysPath, messagesPath, phoneNumbersPath } from './api-paths.js';
import { toTwilioDate, toTwilioDateOrNull } from './twilio-date.js';

export function presentMessage(m: MessageRecord) {
  const base = `${messagesPath(m.accountSid)}/${m.sid}`;
  return {
    account_sid: m.accountSid,
    api_version: API_VERSION,
    body: m.body,
    date_created: toTwilioDate(m.dateCreated),
    date_sent: toTwilioDateOrNull(m.dateSent),
    date_updated: toTwilioDate(m.dateUpdated),
    direction: member(MESSAGE_DIRECTIONS, m.direction, 'direction'),
    error_code: m.errorCode,
    error_message: m.errorMessage,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: String(m.numMedia),
    // "0" while a service has not chosen the sender yet (accepted, scheduled), as Twilio shows it.
    num_segments: m.from === null && m.messagingServiceSid !== null ? '0' : String(m.numSegments),
    price: m.price,
    price_unit: m.priceUnit,
    sid: m.sid,
    // Extensions (docs/api.md): the data coding, the UDH and, for inbound messages, the user data exactly as
    // received; for 8-bit data (and text holding U+0000) the only faithful form of the content.
    smsc_coding: codingName(m.coding),
    smsc_payload_hex: m.payload === null ? null : payloadHex(m.payload),
    smsc_udh: m.udh,
    status: member(MESSAGE_STATUSES, m.status, 'status'),
    subresource_uris: { media: `${base}/Media.json`, events: `${base}/Events.json` },
    to: m.to,
    uri: `${base}.json`,
  };
}

/** A stored value outside Twilio's set is a bug here, not something to hand a client: fail loudly. */
function member<T extends string>(values: readonly T[], value: string, name: string): T {
  if (!(values as readonly string[]).includes(value)) throw new Error(`message ${name} ${JSON.stringify(value)} is not one of Twilio's values`);
  return value as T;
}

export function presentMessageEvent(e: MessageEventRecord) {
  return { id: e.id, type: e.type, status: e.status, detail: e.detail as Record<string, unknown>, date_created: toTwilioDate(e.dateCreated) };
}

export function presentPhoneNumber(n: PhoneNumber) {
  return {
    account_sid: n.accountSid,
    api_version: API_VERSION,
    beta: false,
    capabilities: { voice: false, sms: true, mms: false, fax: false },
    date_created: toTwilioDate(n.dateCreated),
    date_updated: toTwilioDate(n.dateUpdated),
    friendly_name: n.friendlyName,
    phone_number: n.phoneNumber,
    sid: n.sid,
    sms_application_sid: null,
    sms_fallback_method: n.smsFallbackMethod,
    sms_fallback_url: n.smsFallbackUrl ?? '',
    sms_method: n.smsMethod,
    sms_url: n.smsUrl ?? '',
    status: 'in-use',
    status_callback: n.statusCallback ?? '',
    status_callback_method: n.statusCallbackMethod,
    uri: `${phoneNumbersPath(n.accountSid)}/${n.sid}.json`,
  };
}

export function presentApiKey(k: ApiKey) {
  return {
    sid: k.sid,
    friendly_name: k.friendlyName,
    date_created: toTwilioDate(k.dateCreated),
    date_updated: toTwilioDate(k.dateUpdated),
  };
}

export function presentNewApiKey(k: ApiKey, secret: string) {
  return { ...presentApiKey(k), secret };
}

export function presentAccount(a: Account) {
  const base = accountPath(a.sid);
  return {
    auth_token: a.authToken,
    date_created: toTwilioDate(a.dateCreated),
    date_updated: toTwilioDate(a.dateUpdated),
    friendly_name: a.friendlyName,
    owner_account_sid: a.ownerAccountSid ?? a.sid,
    sid: a.sid,
    status: a.status,
    subresource_uris: {
      messages: `${messagesPath(a.sid)}.json`,
      incoming_phone_numbers: `${phoneNumbersPath(a.sid)}.json`,
      keys: `${keysPath(a.sid)}.json`,
    },
    type: a.type,
    uri: `${base}.json`,
  };
}
