// RestComm-Connect's SMS message representation (spec restcomm-connect-sms.md §1.3, §1.4): the fixed element
// order of its XStream XML, the snake_case keys of its Gson JSON (null members dropped), its two date formats and
// its status vocabulary. Pure: a stored message in, an ordered list of fields out.
import type { MessageRecord } from '../../messaging/ports.js';

export const RESTCOMM_API_VERSION = '2012-04-24';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** Java `EEE, d MMM yyyy HH:mm:ss Z` (US locale) in UTC: `Mon, 7 Jan 2019 10:15:02 +0000` (day not padded). */
export function toRestcommDate(date: Date): string {
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} +0000`;
}

/** Joda `DateTime.toString()` in UTC: ISO 8601 with milliseconds, `2019-01-07T10:15:03.120Z`. */
export function toRestcommSentDate(date: Date): string {
  return date.toISOString();
}

/**
 * Our statuses in RestComm's vocabulary (queued, sending, sent, failed, received, delivered, undelivered).
 * A message waiting in our queue is `sending` to RestComm apps: RestComm answers a create with `sending`, and
 * it has no queue of its own (its `queued` is never set).
 */
export function toRestcommStatus(status: string): string {
  switch (status) {
    case 'queued': case 'accepted': case 'scheduled': return 'sending';
    case 'canceled': return 'failed';
    case 'receiving': return 'received';
    case 'read': return 'delivered';
    case 'partially_delivered': return 'undelivered';
    default: return status;
  }
}

/** The RestComm statuses a list filter `Status=…` names, as our stored statuses. */
export function storedStatusesFor(restcommStatus: string): string[] {
  const stored = ['queued', 'accepted', 'scheduled', 'sending', 'sent', 'failed', 'canceled', 'receiving', 'received',
    'read', 'delivered', 'partially_delivered', 'undelivered'];
  return stored.filter((status) => toRestcommStatus(status) === restcommStatus);
}

export function restcommMessagesPath(accountSid: string): string {
  return `/${RESTCOMM_API_VERSION}/Accounts/${accountSid}/SMS/Messages`;
}

export interface RestcommMessageView {
  sid: string;
  dateCreated: string;
  dateUpdated: string;
  dateSent: string | null;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  status: string;
  direction: string;
  errorCode: number | null;
  errorMessage: string | null;
  price: string;
  priceUnit: string;
  apiVersion: string;
  /** Relative, without `/restcomm` and without `.json` (the JSON form appends it). */
  uri: string;
}

export function restcommMessageView(m: MessageRecord): RestcommMessageView {
  return {
    sid: m.sid,
    dateCreated: toRestcommDate(m.dateCreated),
    dateUpdated: toRestcommDate(m.dateUpdated),
    dateSent: m.dateSent ? toRestcommSentDate(m.dateSent) : null,
    accountSid: m.accountSid,
    from: m.from ?? '',
    to: m.to,
    body: m.body,
    status: toRestcommStatus(m.status),
    direction: m.direction,
    errorCode: m.errorCode,
    errorMessage: m.errorCode === null ? null : (m.errorMessage ?? 'Unknown error'),
    price: m.price ?? '0',
    priceUnit: m.priceUnit,
    apiVersion: RESTCOMM_API_VERSION,
    uri: `${restcommMessagesPath(m.accountSid)}/${m.sid}`,
  };
}

/** Gson's member order; null members are dropped, as Gson does. */
export function restcommMessageJson(v: RestcommMessageView): Record<string, string | number> {
  const json: Record<string, string | number | null> = {
    sid: v.sid,
    date_created: v.dateCreated,
    date_updated: v.dateUpdated,
    date_sent: v.dateSent,
    account_sid: v.accountSid,
    from: v.from,
    to: v.to,
    body: v.body,
    status: v.status,
    direction: v.direction,
    error_code: v.errorCode,
    error_message: v.errorMessage,
    price: v.price,
    price_unit: v.priceUnit,
    api_version: v.apiVersion,
    uri: `${v.uri}.json`,
  };
  return Object.fromEntries(Object.entries(json).filter(([, value]) => value !== null)) as Record<string, string | number>;
}

/** XStream's element order; null values become empty elements, `<Error>` only when there is one. */
export function restcommMessageXml(v: RestcommMessageView): Record<string, unknown> {
  return {
    Sid: v.sid,
    DateCreated: v.dateCreated,
    DateUpdated: v.dateUpdated,
    DateSent: v.dateSent ?? '',
    AccountSid: v.accountSid,
    From: v.from,
    To: v.to,
    Body: v.body,
    Status: v.status,
    Direction: v.direction,
    ...(v.errorCode === null ? {} : { Error: { ErrorCode: v.errorCode, ErrorMessage: v.errorMessage ?? '' } }),
    Price: v.price,
    PriceUnit: v.priceUnit,
    ApiVersion: v.apiVersion,
    Uri: v.uri,
  };
}
