/**
 * GSM 03.38 codec: deciding whether a text fits GSM-7, text <-> unpacked septets (one septet per octet, as
 * SMPP data_coding 0 carries them), and septet packing (TS 23.038 §6.1.2.1.1) for SMSCs or PDUs that pack.
 */
import { BASIC_TABLE, CHAR_TO_SEPTETS, ESC, EXTENSION_TABLE } from './gsm7-alphabet.js';
import { EncodingError } from './encoding-error.js';

/** True when every character of `text` is in the default alphabet or its extension table. */
export function isGsm7(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (!CHAR_TO_SEPTETS.has(text.charCodeAt(i))) return false;
  }
  return true;
}

/** The characters that keep `text` out of GSM-7, each once, in order of appearance (whole code points). */
export function nonGsm7Characters(text: string): string[] {
  const found = new Set<string>();
  for (const char of text) {
    if (char.length !== 1 || !CHAR_TO_SEPTETS.has(char.charCodeAt(0))) found.add(char);
  }
  return [...found];
}

/** Septets `text` needs: 1 per basic character, 2 per extension character (ESC + code). */
export function gsm7Length(text: string): number {
  let septets = 0;
  for (let i = 0; i < text.length; i++) {
    const encoded = CHAR_TO_SEPTETS.get(text.charCodeAt(i));
    if (encoded === undefined) throw unsupported(text, i);
    septets += encoded.length;
  }
  return septets;
}

/** Septets 0..127, one per octet, with extension characters as ESC + code. Throws on a non-GSM character. */
export function encodeGsm7(text: string): Uint8Array {
  const septets = new Uint8Array(gsm7Length(text));
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    for (const septet of CHAR_TO_SEPTETS.get(text.charCodeAt(i)) ?? []) septets[at++] = septet;
  }
  return septets;
}

/**
 * Unpacked septets -> text. Per TS 23.038 §6.2.1.1: ESC ESC shows a space; ESC + an undefined code shows the
 * basic-table character at that position (so a handset without € shows `e`). A trailing lone ESC is dropped:
 * a conforming sender never ends a part with it, and it carries no character.
 */
export function decodeGsm7(septets: Uint8Array): string {
  let text = '';
  for (let i = 0; i < septets.length; i++) {
    const septet = checkedSeptet(septets, i);
    if (septet !== ESC) {
      text += BASIC_TABLE[septet];
      continue;
    }
    if (i + 1 >= septets.length) break;
    const code = checkedSeptet(septets, ++i);
    text += code === ESC ? ' ' : (EXTENSION_TABLE.get(code) ?? BASIC_TABLE[code]);
  }
  return text;
}

/**
 * Packs septets LSB-first. `fillBits` (0..6) zero bits come first, so that text after a UDH starts on a
 * septet boundary (a 6-octet UDH needs 1 fill bit).
 */
export function packSeptets(septets: Uint8Array, fillBits = 0): Uint8Array {
  checkFillBits(fillBits);
  const packed = new Uint8Array(Math.ceil((fillBits + septets.length * 7) / 8));
  septets.forEach((_, i) => {
    const septet = checkedSeptet(septets, i);
    const bit = fillBits + i * 7;
    const octet = bit >> 3;
    const shift = bit & 7;
    packed[octet] = (packed[octet] ?? 0) | ((septet << shift) & 0xff);
    if (shift > 1) packed[octet + 1] = (packed[octet + 1] ?? 0) | (septet >> (8 - shift));
  });
  return packed;
}

/**
 * Reverses packSeptets. `septetCount` (TP-UDL / sm_length) is required: the padding bits of the last octet
 * would otherwise read as a spurious trailing `@`.
 */
export function unpackSeptets(packed: Uint8Array, septetCount: number, fillBits = 0): Uint8Array {
  checkFillBits(fillBits);
  const needed = Math.ceil((fillBits + septetCount * 7) / 8);
  if (!Number.isInteger(septetCount) || septetCount < 0 || packed.length < needed) {
    throw new EncodingError(
      'GSM7_SHORT_INPUT',
      `${septetCount} septets with ${fillBits} fill bits need ${needed} octets; got ${packed.length}`,
    );
  }
  const septets = new Uint8Array(septetCount);
  for (let i = 0; i < septetCount; i++) {
    const bit = fillBits + i * 7;
    const octet = bit >> 3;
    const shift = bit & 7;
    const pair = (packed[octet] ?? 0) | ((packed[octet + 1] ?? 0) << 8);
    septets[i] = (pair >> shift) & 0x7f;
  }
  return septets;
}

function checkedSeptet(septets: Uint8Array, index: number): number {
  const septet = septets[index] ?? 0;
  if (septet > 0x7f) {
    throw new EncodingError(
      'GSM7_INVALID_SEPTET',
      `octet 0x${hex2(septet)} at index ${index} is not a GSM-7 septet (0x00-0x7F)`,
    );
  }
  return septet;
}

function hex2(octet: number): string {
  return octet.toString(16).toUpperCase().padStart(2, '0');
}

function checkFillBits(fillBits: number): void {
  if (!Number.isInteger(fillBits) || fillBits < 0 || fillBits > 6) {
    throw new EncodingError('GSM7_INVALID_FILL_BITS', `fill bits must be an integer 0..6; got ${fillBits}`);
  }
}

function unsupported(text: string, index: number): EncodingError {
  const char = String.fromCodePoint(text.codePointAt(index) ?? 0);
  const hex = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return new EncodingError(
    'GSM7_UNSUPPORTED_CHARACTER',
    `character U+${hex} (${JSON.stringify(char)}) at index ${index} is not in the GSM 03.38 alphabet`,
  );
}
