/**
 * Receipt `stat` + `err` -> our message status and Twilio's delivery error code. This file is the one table;
 * docs/encoding.md explains each row. A receipt proves the SMSC accepted the message, so it never yields
 * `failed` (Twilio's "never left us": 30001 queue timeout, 30002, 30010 are set by the dispatcher instead).
 */

export type ReceiptStatus = 'delivered' | 'undelivered' | 'failed' | 'sent';

export type MappedReceipt = {
  status: ReceiptStatus;
  errorCode: number | null;
  errorMessage: string | null;
  /** False for ENROUTE/ACCEPTD and for stat values we do not know: a later receipt may still come. */
  final: boolean;
};

const MESSAGES: ReadonlyMap<number, string> = new Map([
  [30001, 'Queue overflow'],
  [30002, 'Account suspended'],
  [30003, 'Unreachable destination handset'],
  [30004, 'Message blocked'],
  [30005, 'Unknown destination handset'],
  [30006, 'Landline or unreachable carrier'],
  [30007, 'Message filtered'],
  [30008, 'Unknown error'],
  [30009, 'Missing segment'],
  [30010, 'Message price exceeds max price'],
]);

/** Twilio's title for a delivery error code 30001..30010. */
export function twilioDeliveryErrorMessage(code: number): string {
  const message = MESSAGES.get(code);
  if (message === undefined) throw new RangeError(`${code} is not a Twilio delivery error code (30001-30010)`);
  return message;
}

/**
 * Restcomm SMSC `err` values (its ErrorCode enum: MAP errors 1..n, SMSC-internal codes from 192) -> Twilio.
 * Anything not listed is 30008 Unknown error.
 */
export const SMSC_ERROR_TO_TWILIO: ReadonlyMap<number, number> = new Map([
  [1, 30005], // UNKNOWN_SUBSCRIBER
  [2, 30005], // UNDEFINED_SUBSCRIBER
  [3, 30005], // ILLEGAL_SUBSCRIBER
  [4, 30006], // TELESERVICE_NOT_PROVISIONED: the line has no SMS service
  [5, 30004], // CALL_BARRED
  [6, 30004], // CUG_REJECTED
  [7, 30006], // FACILITY_NOT_SUPPORTED
  [8, 30003], // ABSENT_SUBSCRIBER
  [9, 30003], // ABSENT_SUBSCRIBER_MWDSET
  [16, 30006], // MS_NOT_EQUIPPED
  [17, 30003], // MEMORY_FULL (handset storage)
  [20, 30005], // INVALID_SME_ADDRESS
  [23, 30003], // USER_BUSY
  [195, 30005], // INVALID_SME_ADDRESS_2
  [196, 30004], // DESTINATION_SME_PROHIBITED
  [208, 30003], // SIM_SMS_STORAGE_IS_FULL
  [209, 30006], // SIM_HAS_NO_SMS_STORAGE
  [224, 30004], // OCS_ACCESS_NOT_GRANTED (charging refused)
  [225, 30007], // MPROC_ACCESS_NOT_GRANTED
  [226, 30007], // MPROC_SRI_REQUEST_DROP
  [227, 30007], // MPROC_PRE_DELIVERY_DROP
  [228, 30003], // VALIDITY_PERIOD_EXPIRED: the handset stayed unreachable for the whole validity period
  [229, 30007], // REJECT_INCOMING
  [230, 30007], // REJECT_INCOMING_MPROC
  // 194 SC_SYSTEM_ERROR (what the SMSC reports for a SIP 5xx/6xx from the next hop) stays 30008.
]);

/** Long message_state names some SMSCs write instead of the 7-letter Appendix B abbreviations. */
const LONG_NAMES: ReadonlyMap<string, string> = new Map([
  ['DELIVERED', 'DELIVRD'],
  ['UNDELIVERABLE', 'UNDELIV'],
  ['ACCEPTED', 'ACCEPTD'],
  ['REJECTED', 'REJECTD'],
]);

/** Maps a receipt's raw `stat` and `err` (case and surrounding spaces ignored). */
export function mapReceiptStatus(stat: string, err: string): MappedReceipt {
  const normalized = stat.trim().toUpperCase();
  switch (LONG_NAMES.get(normalized) ?? normalized) {
    case 'DELIVRD':
      return { status: 'delivered', errorCode: null, errorMessage: null, final: true };
    case 'ENROUTE':
    case 'ACCEPTD':
      return { status: 'sent', errorCode: null, errorMessage: null, final: false };
    case 'UNDELIV':
      return undelivered(SMSC_ERROR_TO_TWILIO.get(errNumber(err)) ?? 30008);
    case 'EXPIRED':
      return undelivered(30003);
    case 'REJECTD':
      return undelivered(30007);
    case 'DELETED':
    case 'UNKNOWN':
    case 'SKIPPED':
      return undelivered(30008);
    default:
      // A stat we cannot read must not end the message: it stays `sent` and a later receipt may settle it.
      return { status: 'sent', errorCode: null, errorMessage: null, final: false };
  }
}

function undelivered(code: number): MappedReceipt {
  return { status: 'undelivered', errorCode: code, errorMessage: twilioDeliveryErrorMessage(code), final: true };
}

/** `err` is decimal in Appendix B practice ("005", "228"); anything else maps to no known code. */
function errNumber(err: string): number {
  const trimmed = err.trim();
  return /^\d{1,4}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}
