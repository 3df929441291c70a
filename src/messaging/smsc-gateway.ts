// The port every road to the SMSC implements: SIP MESSAGE (sip/smsc-sip-gateway.ts) and SMPP submit_sm
// (smpp/smpp-gateway.ts).
// The dispatcher sees only this interface, so retries, throttles and status changes never depend on the protocol.

/** The road a message takes to the SMSC. */
export type SmscRoute = 'sip' | 'smpp';

/** One outbound message, in clean domain values: E.164 addresses with `+`, text, coding 0/1/2. */
export interface OutboundSms {
  sid: string;
  accountSid: string;
  /** E.164 (`+447700900123`); the adapter turns it into what its protocol wants. */
  to: string;
  /** E.164 number or alphanumeric sender ID. */
  from: string;
  body: string;
  /** SMSC data coding: 0 GSM 7-bit, 1 8-bit binary, 2 UCS-2. */
  coding: 0 | 1 | 2;
  /** Complete User Data Header as uppercase hex (including UDHL), or null. */
  udh: string | null;
  /** Message class 0-3, or null. */
  messageClass: number | null;
  /** The SMSC may stop trying after this instant; null means the SMSC's default validity. */
  validUntil: Date | null;
  /** Whether the SMSC should send a delivery receipt. */
  receiptRequested: boolean;
  /** Extra X- headers for the SIP road (validated by sip/x-headers.ts); the SMPP road has no place for them. */
  sipHeaders?: Readonly<Record<string, string>> | null;
}

/** Protocol facts worth keeping in `message_events` (SIP status/reason, SMPP command_status, ...). */
export type SubmitDetail = Record<string, unknown>;

/**
 * What one submission attempt produced.
 * - `accepted`: the SMSC stored the message (not "delivered"). SIP returns no id, SMPP one per segment.
 * - `permanent-failure`: retrying cannot help; the message fails with a Twilio delivery code (30001-30010).
 * - `temporary-failure`: try again later (timeout, transport error, overload); the dispatcher backs off.
 */
export type SubmitResult =
  | { kind: 'accepted'; smscMessageIds: string[]; detail: SubmitDetail }
  | { kind: 'permanent-failure'; errorCode: number; errorMessage: string; detail: SubmitDetail }
  | { kind: 'temporary-failure'; reason: string; detail: SubmitDetail };

export interface SmscGateway {
  readonly route: SmscRoute;
  /** True while the road can carry traffic; the dispatcher does not claim work for a road that is down. */
  isReady(): boolean;
  /**
   * Submits one message and resolves with its outcome. It rejects only on a programming error; every protocol
   * or transport failure is reported as a `SubmitResult`.
   */
  submit(message: OutboundSms): Promise<SubmitResult>;
}
