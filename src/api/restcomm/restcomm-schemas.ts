// TypeBox schemas of the RestComm-Connect SMS resource, for validation of the path and for openapi/openapi.json.
// The form and query are read leniently (RestComm's own checks and texts apply, restcomm-create/-list.ts), so
// these schemas describe rather than refuse.
import { Type } from 'typebox';

export const RestcommAccountParams = Type.Object({
  AccountSid: Type.String({ description: 'The account (AC…) the request acts on' }),
});

export const RestcommMessageParams = Type.Object({
  AccountSid: Type.String({ description: 'The account (AC…) the request acts on' }),
  SmsSid: Type.String({ description: 'The message (SM…), optionally followed by .json' }),
});

export const RestcommCreateForm = Type.Object({
  From: Type.Optional(Type.String({ description: 'Sender: one of the account\'s numbers, or an alphanumeric sender ID' })),
  To: Type.Optional(Type.String({ description: 'Recipient, E.164 (a client: prefix is stripped)' })),
  Body: Type.Optional(Type.String({ description: 'The text' })),
  StatusCallback: Type.Optional(Type.String({ description: 'Status callbacks are POSTed here (RestComm\'s parameters)' })),
  Encoding: Type.Optional(Type.String({ description: 'GSM (default: GSM 7-bit when the text fits, else UCS-2), UCS-2 or UTF-8 (both: UCS-2)' })),
  ApiVersion: Type.Optional(Type.String({ description: 'Accepted and ignored: records always show 2012-04-24' })),
}, {
  additionalProperties: Type.String({ description: 'X-… fields: SIP headers on the outgoing MESSAGE (docs/restcomm.md)' }),
  description: 'Form-encoded. Missing From/To/Body answer 400 with RestComm\'s text.',
});

export const RestcommListQuery = Type.Object({
  To: Type.Optional(Type.String({ description: 'Suffix match: 15550001111 finds +15550001111' })),
  From: Type.Optional(Type.String({ description: 'Suffix match' })),
  Status: Type.Optional(Type.String({ description: 'sending, sent, failed, received, delivered, undelivered' })),
  Body: Type.Optional(Type.String({ description: 'Substring of the body' })),
  StartTime: Type.Optional(Type.String({ description: 'yyyy-MM-dd: created on or after' })),
  EndTime: Type.Optional(Type.String({ description: 'yyyy-MM-dd: created before the end of that day' })),
  SubAccounts: Type.Optional(Type.String({ description: 'true: include the subaccounts\' messages' })),
  SortBy: Type.Optional(Type.String({ description: 'DateCreated|From|To|Direction|Status|Body|Price, optionally :asc or :desc' })),
  Page: Type.Optional(Type.String({ description: 'Page index from 0' })),
  PageSize: Type.Optional(Type.String({ description: 'Default 50, at most 1000' })),
  AfterSid: Type.Optional(Type.String({ description: 'Appears in next_page_uri; ignored, as in RestComm' })),
});

const RestcommMessageJson = Type.Object({
  sid: Type.String(), date_created: Type.String(), date_updated: Type.String(),
  date_sent: Type.Optional(Type.String({ description: 'ISO 8601 with milliseconds; absent until sent' })),
  account_sid: Type.String(), from: Type.String(), to: Type.String(), body: Type.String(),
  status: Type.String(), direction: Type.String(),
  error_code: Type.Optional(Type.Integer()), error_message: Type.Optional(Type.String()),
  price: Type.String(), price_unit: Type.String(), api_version: Type.String(), uri: Type.String(),
}, { description: 'RestComm\'s JSON message; absent members are null' });

const xml = Type.String({ description: '<RestcommResponse>…</RestcommResponse>' });

export const RestcommMessageResponse = {
  description: 'The message: XML by default, JSON with .json or Accept: application/json',
  content: { 'application/xml': { schema: xml }, 'application/json': { schema: RestcommMessageJson } },
};

export const RestcommListResponse = {
  description: 'A page of messages: XML by default (no paging data), JSON with the paging envelope',
  content: {
    'application/xml': { schema: xml },
    'application/json': { schema: Type.Object({ messages: Type.Array(RestcommMessageJson) }, { additionalProperties: true }) },
  },
};

const text = (description: string) => ({ description, content: { 'text/plain': { schema: Type.String() } } });

export const restcommErrors = {
  400: text('A parameter is missing or wrong: RestComm\'s plain-text message'),
  401: text('No or wrong credentials; WWW-Authenticate: Basic realm="Restcomm realm"'),
  403: text('The account is not the caller\'s own or a subaccount of it, or is not active'),
  404: text('No such message (empty body)'),
  429: text('Too many requests for the account (API_RATE_LIMIT)'),
};
