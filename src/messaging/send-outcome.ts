// How an SMSC's answer to a submission becomes a domain outcome, and the Twilio delivery error codes we set.
// The mapping lives here, in one table, so that the SIP and SMPP gateways and the docs agree on it.
import type { SubmitDetail, SubmitResult } from './smsc-gateway.js';

/** Twilio delivery error codes (spec twilio-messages-api.md §4.3) with the message we store beside them. */
export const DELIVERY_ERRORS = {
  30001: 'Queue overflow: the message was not sent before its validity period ended',
  30002: 'Account suspended',
  30003: 'Unreachable destination handset',
  30004: 'Message blocked',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
  30008: 'Unknown error',
  30009: 'Missing segment',
  30010: 'Message price exceeds max price',
} as const satisfies Record<number, string>;

export type DeliveryErrorCode = keyof typeof DELIVERY_ERRORS;

export function deliveryErrorMessage(code: DeliveryErrorCode): string {
  return DELIVERY_ERRORS[code];
}

/**
 * SIP final statuses that end a message for good, and the Twilio code each one becomes.
 *
 * Why only 5xx and 6xx: the SMSC itself treats exactly those as permanent and every 4xx as "try again later"
 * (smsc-sip-interface.md §9 items 10 and 16), so we mirror our peer. A 4xx from the SMSC side (403, 404, 484 ...)
 * is therefore retried until the validity deadline, then fails with 30001.
 *
 * - 500: the Restcomm SMSC answers 500 for everything it rejects (bad destination, too long, unparseable
 *   validity, mproc reject, even overload; §4.5), so the cause is unknown: 30008.
 * - 503 and 504 are absent: RFC 3261 defines them as temporary (overloaded / downstream time-out), so they are
 *   retried like a 4xx. A proxy in front of the SMSC is the only one who would send them.
 * - 600 Busy Everywhere: the handset cannot be reached now and the peer says do not retry: 30003.
 * - 603 Decline: refused by policy, which Twilio reports as filtered: 30007.
 * - 604 Does Not Exist Anywhere: 30005.
 * - Any other 5xx/6xx (501, 502, 505, 513, 606 ...): 30008.
 */
export const SIP_PERMANENT_STATUS_CODES: Readonly<Record<number, DeliveryErrorCode>> = {
  500: 30008,
  600: 30003,
  603: 30007,
  604: 30005,
};

const SIP_TEMPORARY_SERVER_STATUSES: ReadonlySet<number> = new Set([503, 504]);

/** What a gateway knows about a SIP final response (a subset of the SIP port's `SipFinalResponse`). */
export interface SipResponseFacts {
  status: number;
  reason: string;
  /** True when no response came from the network (timeout, transport failure). */
  local: boolean;
}

/** Maps a SIP final response to MESSAGE onto a submission outcome. */
export function sipResponseOutcome(response: SipResponseFacts, extra: SubmitDetail = {}): SubmitResult {
  const detail: SubmitDetail = { ...extra, sipStatus: response.status, sipReason: response.reason, local: response.local };
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'accepted', smscMessageIds: [], detail };
  if (status >= 500 && status < 700 && !SIP_TEMPORARY_SERVER_STATUSES.has(status)) {
    const errorCode = SIP_PERMANENT_STATUS_CODES[status] ?? 30008;
    return { kind: 'permanent-failure', errorCode, errorMessage: sipErrorMessage(errorCode, response), detail };
  }
  const reason = response.local ? `no response (${status} ${response.reason})` : `SIP ${status} ${response.reason}`;
  return { kind: 'temporary-failure', reason, detail };
}

function sipErrorMessage(code: DeliveryErrorCode, response: SipResponseFacts): string {
  return `${DELIVERY_ERRORS[code]} (SMSC answered SIP ${response.status} ${response.reason})`;
}
