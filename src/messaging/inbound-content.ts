// What the bytes of an inbound SMS become in a message row (docs/encoding.md §"Inbound content"). Pure.
//
// The payload (the user data after the UDH, exactly as the SMSC delivered it) is always kept as bytes, because
// PostgreSQL text cannot hold 0x00 and a body that cannot be stored would otherwise be answered "try again
// later" for the 72 hours of the SMSC's validity. `body` is what of it is text:
// - 8-bit data (coding 1) has no text: `body` is the payload's uppercase hex, as for an outbound SmscBinaryBody;
// - text (codings 0 and 2) is the decoded text without its U+0000 characters, the one code point text columns
//   (and JSON) refuse; they are still in the payload. Bytes the charset could not read are U+FFFD in `body`,
//   and the reason is recorded in the `received` event; the payload has the bytes.
import { buildUdh, EncodingError, IEI_CONCAT_16, IEI_CONCAT_8, parseUdh } from '../encoding/index.js';

export type InboundCoding = 0 | 1 | 2;

/** The Smsc* name of a coding, as the API's SmscCoding parameter spells it. */
export function codingName(coding: number): 'gsm7' | 'binary' | 'ucs2' {
  return coding === 1 ? 'binary' : coding === 2 ? 'ucs2' : 'gsm7';
}

export function payloadHex(payload: Uint8Array): string {
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('hex').toUpperCase();
}

/** The text stored in `body` for an SMS's decoded text and payload. */
export function inboundBody(sms: { coding: number; text: string; payload: Uint8Array }): string {
  if (sms.coding === 1) return payloadHex(sms.payload);
  return sms.text.replaceAll('\u0000', '');
}

/** What the `received` event says about a body that is not exactly its payload; {} when it is. */
export function contentNotes(sms: { coding: number; text: string; decodeError?: string | null }): Record<string, string | number> {
  const notes: Record<string, string | number> = {};
  if (sms.decodeError) notes.decodeError = sms.decodeError;
  const nuls = sms.coding === 1 ? 0 : sms.text.split('\u0000').length - 1;
  if (nuls > 0) notes.nulsOmittedFromBody = nuls;
  return notes;
}

/** The parts' payloads joined in sequence order; null when a part has none (stored before payloads existed). */
export function joinPayloads(payloads: ReadonlyArray<Uint8Array | null>): Buffer | null {
  if (payloads.some((payload) => payload === null)) return null;
  return Buffer.concat(payloads as Uint8Array[]);
}

/**
 * The UDH of an assembled message: its first part's, without the concatenation IEs (they described the parts),
 * so that what else it carried (application ports, …) reaches the application. Null when nothing remains, or
 * when the header cannot be read IE by IE (the message was then never a concatenation).
 */
export function assembledUdh(firstPartUdh: string | null): string | null {
  if (firstPartUdh === null) return null;
  try {
    const ies = parseUdh(firstPartUdh).ies.filter((ie) => ie.iei !== IEI_CONCAT_8 && ie.iei !== IEI_CONCAT_16);
    return ies.length === 0 ? null : buildUdh(ies).toString('hex').toUpperCase();
  } catch (error) {
    if (error instanceof EncodingError) return null;
    throw error;
  }
}
