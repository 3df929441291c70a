// What the Restcomm SMSC does with a MESSAGE it receives, before it stores it (smsc-sip-interface.md §4.1-§4.5,
// TxSipServerSbb): the checks run in the SMSC's own order, and each failure has the SMSC's own consequence -
// NO response for an exception in its outer try block (non-SIP From/To, odd X-SMS-UDH, non-integer X-SMS-CODING
// or X-REG-DELIVERY), 500 for a bad X-SMS-VALIDITY or an SmscProcessingException (bad destination, too long).
// Pure: the simulator wiring decides what to do with the verdict.
import { gsm7Length, isGsm7 } from '../encoding/index.js';
import { getHeader, type IncomingSipMessage } from '../sip/port.js';
import { parseNameAddr, parseSipUri } from '../sip/native/sip-uri.js';

/** The SMSC's storage limit: 132 x 255 octets of encoded payload (§4.4). */
export const MAX_PAYLOAD_OCTETS = 132 * 255;

export interface AcceptedSubmit {
  /** The source as the SMSC stores it: numeric cut to 20, alphanumeric (TON 5) cut to 11 characters. */
  sourceAddress: string;
  sourceTon: 1 | 5;
  destinationAddress: string;
  /** X-SMS-CODING, 0 when absent (whatever the Content-Type). */
  coding: number;
  /** X-REG-DELIVERY, 0 when absent. */
  registeredDelivery: number;
  /** Uppercase hex of X-SMS-UDH, when present. */
  udhHex: string | null;
  /** X-SMS-VALIDITY as received, when present. */
  validity: string | null;
  /** The body, always decoded as UTF-8 (§4.3). */
  text: string;
}

export type SubmitVerdict =
  | { kind: 'no-response'; reason: string }
  | { kind: 'reject'; status: 500; reason: string }
  | { kind: 'accept'; submit: AcceptedSubmit };

const DIALLABLE = /^[0-9*#abc]*$/;
const JAVA_INT = /^[+-]?\d{1,10}$/;
// SimpleDateFormat.parse(String) must succeed from position 0; trailing text is ignored, as in Java.
const VALIDITY = /^\d+-\d+-\d+ \d+:\d+:\d+/;

export function validateSubmit(message: IncomingSipMessage): SubmitVerdict {
  const fromUser = sipUserOf(message.from);
  const toUser = sipUserOf(message.to);
  if (fromUser === null || toUser === null) return silent('From or To is not a SIP URI');
  const udh = getHeader(message.headers, 'X-SMS-UDH');
  if (udh !== undefined && udh.length % 2 !== 0) return silent(`X-SMS-UDH "${udh}" has an odd length`);
  const coding = getHeader(message.headers, 'X-SMS-CODING');
  if (coding !== undefined && !isJavaInt(coding)) return silent(`X-SMS-CODING "${coding}" is not an integer`);
  const validity = getHeader(message.headers, 'X-SMS-VALIDITY');
  if (validity !== undefined && !VALIDITY.test(validity)) return reject(`X-SMS-VALIDITY "${validity}" cannot be parsed`);
  const registered = getHeader(message.headers, 'X-REG-DELIVERY');
  if (registered !== undefined && !isJavaInt(registered)) return silent(`X-REG-DELIVERY "${registered}" is not an integer`);
  if (!DIALLABLE.test(toUser) || toUser.length < 1 || toUser.length > 20) {
    return reject(`Destination "${toUser}" must be 1 to 20 characters of 0-9 * # a b c`);
  }
  const text = message.body.toString('utf8');
  const codingValue = coding === undefined ? 0 : Number(coding);
  if (payloadOctets(text, codingValue) > MAX_PAYLOAD_OCTETS) return reject('Message is too long');
  const numeric = DIALLABLE.test(fromUser);
  return {
    kind: 'accept',
    submit: {
      sourceAddress: numeric ? fromUser.slice(0, 20) : fromUser.slice(0, 11),
      sourceTon: numeric ? 1 : 5,
      destinationAddress: toUser,
      coding: codingValue,
      registeredDelivery: registered === undefined ? 0 : Number(registered),
      udhHex: udh === undefined ? null : udh.toUpperCase(),
      validity: validity ?? null,
      text,
    },
  };
}

/** Which receipts X-REG-DELIVERY asks for (bits 0x03): 1 both, 2 failure only, 3 success only (§6.1). */
export function receiptWanted(registeredDelivery: number, delivered: boolean): boolean {
  switch (registeredDelivery & 0x03) {
    case 1:
      return true;
    case 2:
      return !delivered;
    case 3:
      return delivered;
    default:
      return false;
  }
}

/** Encoded payload size the SMSC checks against its limit: septets as octets, 1 or 2 octets per character. */
function payloadOctets(text: string, coding: number): number {
  if (coding === 2) return text.length * 2;
  if (coding === 0) return Math.ceil(((isGsm7(text) ? gsm7Length(text) : text.length) * 7) / 8);
  return text.length;
}

function sipUserOf(nameAddr: string): string | null {
  try {
    return parseSipUri(parseNameAddr(nameAddr).uri).user;
  } catch {
    return null;
  }
}

function isJavaInt(value: string): boolean {
  if (!JAVA_INT.test(value)) return false;
  const n = Number(value);
  return n >= -2147483648 && n <= 2147483647;
}

function silent(reason: string): SubmitVerdict {
  return { kind: 'no-response', reason };
}

function reject(reason: string): SubmitVerdict {
  return { kind: 'reject', status: 500, reason };
}
