/**
 * UCS-2 as it is used on the wire: UTF-16 big-endian, with surrogate pairs for characters outside the BMP
 * (SMPP data_coding 8, TP-DCS UCS2). Handsets, SMSCs, npm smpp and Twilio all accept the pairs.
 */
import { EncodingError } from './encoding-error.js';

/** UTF-16BE bytes of `text`, two per code unit; a surrogate pair becomes four bytes. */
export function encodeUcs2(text: string): Buffer {
  const bytes = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) bytes.writeUInt16BE(text.charCodeAt(i), i * 2);
  return bytes;
}

/**
 * UTF-16BE bytes -> text, code unit by code unit. Lone surrogates are kept rather than replaced with U+FFFD,
 * so that a pair a non-conforming sender split across two parts is whole again once the parts' texts are
 * joined (joining decoded strings is then the same as joining bytes before decoding).
 */
export function decodeUcs2(bytes: Uint8Array): string {
  if (bytes.length % 2 !== 0) {
    throw new EncodingError('UCS2_ODD_LENGTH', `UCS-2 data must have an even number of octets; got ${bytes.length}`);
  }
  const units: number[] = [];
  for (let i = 0; i < bytes.length; i += 2) units.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // Chunked so that very long payloads (message_payload, up to 64K octets) stay within the argument limit.
  let text = '';
  for (let i = 0; i < units.length; i += 4096) text += String.fromCharCode(...units.slice(i, i + 4096));
  return text;
}

/** Number of UTF-16 code units, which is what UCS-2 segment limits count (😀 is 2). */
export function ucs2Length(text: string): number {
  return text.length;
}
