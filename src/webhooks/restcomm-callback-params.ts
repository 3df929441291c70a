// Status callback parameters for messages sent through RestComm-Connect's SMS resource (spec
// restcomm-connect-sms.md §4): From, To, Body, AccountSid, ErrorCode (the Java enum NAME, as RestComm sends it),
// MessageSid, MessageStatus in RestComm's vocabulary. Two RestComm defects are fixed, additively: SmsSid and
// SmsStatus are present (RestComm issue #2577), and Body is sent once (RestComm sends it twice).
import { toRestcommStatus } from '../api/restcomm/restcomm-representation.js';

/** RestComm's MessageError enum (restcomm.commons MessageError.java): code -> name. */
const MESSAGE_ERROR_NAMES: Readonly<Record<number, string>> = {
  30001: 'QUEUE_OVERFLOW',
  30002: 'ACCOUNT_SUSPENDED',
  30003: 'UNREACHABLE_DESTINATION_HANDSET',
  30004: 'MESSAGE_BLOCKED',
  30005: 'UNKNOWN_DESTINATION_HANDSET',
  30006: 'LANDLINE_OR_UNREACHABLE_CARRIER',
  30007: 'CARRIER_VIOLATION',
  30008: 'UNKNOWN_ERROR',
  30009: 'MISSING_SEGMENT',
  30010: 'MESSAGE_PRICE_EXCEEDS_MAX_PRICE',
};

export function restcommErrorName(code: number): string {
  return MESSAGE_ERROR_NAMES[code] ?? 'UNKNOWN_ERROR';
}

export interface RestcommStatusCallbackInput {
  messageSid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  status: string;
  errorCode?: number | null;
}

export function restcommStatusCallbackParams(m: RestcommStatusCallbackInput): Record<string, string> {
  const status = toRestcommStatus(m.status);
  const params: Record<string, string> = { From: m.from, To: m.to, Body: m.body, AccountSid: m.accountSid };
  if (m.errorCode !== null && m.errorCode !== undefined) params.ErrorCode = restcommErrorName(m.errorCode);
  params.MessageSid = m.messageSid;
  params.MessageStatus = status;
  params.SmsSid = m.messageSid;
  params.SmsStatus = status;
  return params;
}
