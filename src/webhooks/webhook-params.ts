/**
 * Builders for the exact form parameters Twilio sends to customer webhooks (spec twilio-messages-api.md §6.1,
 * §6.3, §7). Pure: plain objects in, `Record<string, string>` out, ready to be signed and form-encoded.
 * Every value is a string, because that is what goes on the wire and what the signature covers.
 */

export const TWILIO_API_VERSION = '2010-04-01';

export interface InboundSmsInput {
  messageSid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  numSegments: number;
  /** Raw `X-SMSC-ID` of the SIP MESSAGE (the SMSC's ESME name); absent for SS7/SIP-originated messages. */
  smscId?: string | null;
  /** Raw `X-DELIVERY_TIME` of the SIP MESSAGE, passed through untouched (its format is faulty; see docs). */
  deliveryTime?: string | null;
  /** The SMSC data coding as the API's SmscCoding spells it: gsm7, ucs2 or binary (8-bit). */
  coding?: 'gsm7' | 'ucs2' | 'binary' | null;
  /** The User Data Header the SMS came with, uppercase hex with its UDHL (not the concatenation of a reassembled one). */
  udh?: string | null;
  /** The user data exactly as received, uppercase hex (for 8-bit data the only faithful form; Body is the same hex). */
  payloadHex?: string | null;
  messagingServiceSid?: string | null;
}

export interface StatusCallbackInput {
  messageSid: string;
  accountSid: string;
  from: string;
  to: string;
  status: string;
  /** A delivery error code (30001–30010) for failed/undelivered messages. */
  errorCode?: number | null;
  /** Carrier receipt `done date`, `YYMMDDhhmm`, as Twilio's `RawDlrDoneDate`. */
  rawDlrDoneDate?: string | null;
  messagingServiceSid?: string | null;
}

// Twilio sends the geographic fields even when it knows nothing (empty strings); receivers and signatures
// expect the keys to be there.
const GEO_FIELDS = ['FromCity', 'FromState', 'FromZip', 'FromCountry', 'ToCity', 'ToState', 'ToZip', 'ToCountry'];

function present(value: string | null | undefined): value is string {
  return value !== null && value !== undefined;
}

/**
 * Parameters of the inbound-message webhook (`SmsUrl`), in Twilio's names plus our Smsc* extras (docs/webhooks.md):
 * SmscId, SmscDeliveryTime, SmscCoding, SmscUdh and SmscPayloadHex, each only when known.
 */
export function inboundSmsParams(m: InboundSmsInput): Record<string, string> {
  const params: Record<string, string> = {
    MessageSid: m.messageSid,
    SmsSid: m.messageSid,
    SmsMessageSid: m.messageSid,
    AccountSid: m.accountSid,
    From: m.from,
    To: m.to,
    Body: m.body,
    NumMedia: '0',
    NumSegments: String(m.numSegments),
    SmsStatus: 'received',
    ApiVersion: TWILIO_API_VERSION,
  };
  for (const field of GEO_FIELDS) params[field] = '';
  if (present(m.messagingServiceSid)) params.MessagingServiceSid = m.messagingServiceSid;
  if (present(m.smscId)) params.SmscId = m.smscId;
  if (present(m.deliveryTime)) params.SmscDeliveryTime = m.deliveryTime;
  if (present(m.coding)) params.SmscCoding = m.coding;
  if (present(m.udh)) params.SmscUdh = m.udh;
  if (present(m.payloadHex)) params.SmscPayloadHex = m.payloadHex;
  return params;
}

/** Parameters of a status callback: `MessageStatus` and its deprecated twin `SmsStatus`, both always set. */
export function statusCallbackParams(m: StatusCallbackInput): Record<string, string> {
  const params: Record<string, string> = {
    MessageSid: m.messageSid,
    MessageStatus: m.status,
    SmsSid: m.messageSid,
    SmsStatus: m.status,
    AccountSid: m.accountSid,
    From: m.from,
    To: m.to,
    ApiVersion: TWILIO_API_VERSION,
  };
  if (m.errorCode !== null && m.errorCode !== undefined) params.ErrorCode = String(m.errorCode);
  if (present(m.rawDlrDoneDate)) params.RawDlrDoneDate = m.rawDlrDoneDate;
  if (present(m.messagingServiceSid)) params.MessagingServiceSid = m.messagingServiceSid;
  return params;
}

/**
 * The request to `SmsFallbackUrl` repeats the original parameters and adds why the primary URL failed
 * (spec §6.3). Returns a new object; the input is not modified.
 */
export function withFallbackError(
  params: Record<string, string>,
  failure: { errorCode: number; errorUrl: string },
): Record<string, string> {
  return { ...params, ErrorCode: String(failure.errorCode), ErrorUrl: failure.errorUrl };
}
