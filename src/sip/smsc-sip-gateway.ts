// The SIP road to the SMSC: an SmscGateway that sends one out-of-dialog MESSAGE per message, with the X-SMS-*
// headers from header-codec.ts, and reads the final response through the table in messaging/send-outcome.ts.
// The SMSC never returns a message id over SIP (smsc-sip-interface.md §4.5), so `accepted` carries none.
import { sipResponseOutcome } from '../messaging/send-outcome.js';
import type { OutboundSms, SmscGateway, SubmitResult } from '../messaging/smsc-gateway.js';
import { rewriteOutbound, type RewriteRule } from '../messaging/number-rewrite.js';
import { encodeOutboundSms } from './header-codec.js';
import type { OutgoingSipMessage, SipPort } from './port.js';

export interface SipSmscGatewayOptions {
  sip: SipPort;
  /** Where the SMSC listens, e.g. `sip:10.0.0.5:5060;transport=udp`. */
  smscUri: string;
  /** Our host:port for the From URI, e.g. `10.0.0.9:5070`. */
  localHostPort: string;
  /** Whether to send X-SMS-VALIDITY (the SMSC parses it with a faulty pattern, §8). */
  sendValidity: boolean;
  /** SMSC_NUMBER_REWRITE: the `sip` rules rewrite To and From on the way out. */
  numberRewrite?: readonly RewriteRule[];
  /** Overall deadline of one MESSAGE transaction; the port's default (Timer F, 32 s) when absent. */
  requestTimeoutMs?: number;
}

export function createSipSmscGateway(options: SipSmscGatewayOptions): SmscGateway {
  return {
    route: 'sip',
    isReady: () => options.sip.isReady(),
    submit: (message) => submitOverSip(options, message),
  };
}

async function submitOverSip(options: SipSmscGatewayOptions, message: OutboundSms): Promise<SubmitResult> {
  let request: OutgoingSipMessage;
  try {
    request = encodeOutboundSms({
      to: rewriteOutbound(options.numberRewrite ?? [], 'sip', message.to),
      from: rewriteOutbound(options.numberRewrite ?? [], 'sip', message.from),
      body: wireBody(message),
      coding: message.coding,
      udhHex: message.udh,
      validUntil: message.validUntil,
      sendValidity: options.sendValidity,
      messageClass: message.messageClass,
      requestReceipt: message.receiptRequested,
      extraHeaders: message.sipHeaders ?? null,
      smscUri: options.smscUri,
      localHostPort: options.localHostPort,
    });
  } catch (error) {
    // The message itself cannot be expressed on the wire (bad destination, UDH, class): retrying cannot help.
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'permanent-failure', errorCode: 30008, errorMessage: `Unknown error (cannot encode for the SMSC: ${reason})`, detail: { encodeError: reason } };
  }
  try {
    const sendOptions = options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs };
    const response = await options.sip.request('MESSAGE', request, sendOptions);
    return sipResponseOutcome(response);
  } catch (error) {
    // The port rejects only when the request could not be sent at all (not started, not connected).
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'temporary-failure', reason: `SIP request not sent: ${reason}`, detail: { transportError: reason } };
  }
}

/**
 * The API stores an 8-bit payload (SmscBinaryBody, coding 1) as hex in `body`; the codec wants it as a binary
 * string, one character per octet, which it then carries as UTF-8 the way the SMSC reads it (§4.3).
 */
function wireBody(message: OutboundSms): string {
  return message.coding === 1 ? Buffer.from(message.body, 'hex').toString('latin1') : message.body;
}
