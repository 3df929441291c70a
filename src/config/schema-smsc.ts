// Outbound traffic to the SMSC: what each MESSAGE carries, how fast and how many at once, how failures are retried.
import Type from 'typebox';

const rate = (description: string) => Type.Number({ minimum: 0, default: 0, description });

export const smscSchema = {
  SMSC_SEND_VALIDITY: Type.Boolean({
    default: false,
    description:
      "Send `X-SMS-VALIDITY` with each message. Off by default: the SMSC parses it with a faulty date pattern and " +
      'mostly replaces it with its maximum validity.',
  }),
  SMSC_BODY_CHARSET_GSM7: Type.Enum(['utf-8', 'utf-16be', 'gsm7'], {
    default: 'utf-8',
    description: 'How the body of a GSM 7-bit message (`X-SMS-CODING: 0`) is encoded on the wire.',
  }),
  SMSC_BODY_CHARSET_UCS2: Type.Enum(['utf-8', 'utf-16be'], {
    default: 'utf-8',
    description: 'How the body of a UCS-2 message (`X-SMS-CODING: 2`) is encoded on the wire.',
  }),
  SMSC_RECEIPTS: Type.Boolean({
    default: true,
    description: 'Ask for a delivery receipt (`X-REG-DELIVERY`) on every message, so that status reaches `delivered`.',
  }),
  SMSC_MAX_RATE: rate('Most messages per second sent to the SMSC by this instance; `0` means unlimited.'),
  SMSC_MAX_IN_FLIGHT: Type.Integer({
    minimum: 1,
    maximum: 10_000,
    default: 32,
    description: 'Most SIP transactions to the SMSC awaiting their final response at once.',
  }),
  SENDER_MAX_RATE: rate('Most messages per second from one sender number; `0` turns the per-sender limit off.'),
  SEND_RETRY_BASE_MS: Type.Integer({
    minimum: 1,
    default: 1000,
    description: 'First delay before resending after a temporary failure (4xx or timeout); it doubles per attempt.',
  }),
  SEND_RETRY_MAX_MS: Type.Integer({
    minimum: 1,
    default: 60_000,
    description: 'Longest delay between resends; retries stop at the message validity deadline.',
  }),
  SMSC_PROBE_INTERVAL_MS: Type.Integer({
    minimum: 100,
    default: 10_000,
    description:
      'Pause between two SIP OPTIONS probes of the SMSC (shown as `smsc_reachable`). After an outage, the first ' +
      'answered probe ends the slow mode at once, so this also bounds how long full-rate sending waits for a ' +
      'recovered SMSC.',
  }),
  MO_REASSEMBLY_TIMEOUT_S: Type.Integer({
    minimum: 1,
    default: 300,
    description: 'Seconds to wait for the missing segments of an inbound multipart message before giving up (30009).',
  }),
  SMSC_NUMBER_REWRITE: Type.String({
    default: '',
    description:
      'Number rewriting per road, applied to addresses going out and read back coming in: comma-separated ' +
      '`<sip|smpp>:<E.164 prefix>=<wire prefix>` rules, e.g. `sip:+44=0` (E.164 <-> national) or `sip:+=99` ' +
      "(RestComm's outbound-prefix 99). The longest matching prefix wins; alphanumeric senders are untouched.",
  }),
  RECEIPT_CORRECTION_WINDOW_S: Type.Integer({
    minimum: 0,
    default: 3600,
    description:
      'Seconds during which a later final delivery receipt may correct an earlier one (delivered <-> undelivered): ' +
      "the Restcomm SMSC can send its own DELIVRD before the operator's UNDELIV. Both stay in the message's events " +
      'and the correction gets a status callback. `0` keeps the first final receipt.',
  }),
};
