// Text of received user data by data_coding (SMPP 3.4 §5.2.19, GSM 03.38 coding groups). Pure.
// dc 0 and dc 8 follow the SMSC's byte convention (BodyEncoding, see submit-builder.ts): RestComm sends UTF-8.
// Never throws: undecodable bytes fall back to Latin-1 (lossless for bytes) with the reason in `decodeError`.
import { decodeGsm7 } from '../encoding/gsm7.js';
import { decodeUcs2 } from '../encoding/ucs2.js';
import type { BodyEncoding } from './submit-builder.js';

export type TextAlphabet = 'gsm7' | 'utf-8' | 'ucs2' | 'latin1' | 'ascii' | 'binary' | 'iso-8859-5' | 'iso-8859-8' | 'unknown';

export interface DecodedText {
  text: string;
  /** What the bytes were read as; join raw bytes of parts with the same alphabet before decoding when exactness matters. */
  alphabet: TextAlphabet;
  decodeError: string | null;
}

/** Which alphabet a data_coding value means on this SMSC. */
export function alphabetOf(dataCoding: number, bodyEncoding: BodyEncoding): TextAlphabet {
  const group = dataCoding & 0xf0;
  if (group === 0xf0) return dataCoding & 0x04 ? 'binary' : 'gsm7'; // message class group
  if (group === 0xc0 || group === 0xd0) return 'gsm7'; // MWI groups, default alphabet
  if (group === 0xe0) return 'ucs2'; // MWI group, UCS2
  if (group !== 0x00) return 'unknown';
  switch (dataCoding) {
    case 0x00: return bodyEncoding === 'gsm7' ? 'gsm7' : bodyEncoding;
    case 0x08: return bodyEncoding === 'utf-8' ? 'utf-8' : 'ucs2';
    case 0x01: return 'ascii';
    case 0x03: return 'latin1';
    case 0x02: case 0x04: return 'binary';
    case 0x06: return 'iso-8859-5';
    case 0x07: return 'iso-8859-8';
    default: return 'unknown';
  }
}

export function decodeUserData(bytes: Buffer, dataCoding: number, bodyEncoding: BodyEncoding): DecodedText {
  const alphabet = alphabetOf(dataCoding, bodyEncoding);
  try {
    return { text: decodeAs(bytes, alphabet), alphabet, decodeError: null };
  } catch (error) {
    return { text: bytes.toString('latin1'), alphabet, decodeError: error instanceof Error ? error.message : String(error) };
  }
}

function decodeAs(bytes: Buffer, alphabet: TextAlphabet): string {
  switch (alphabet) {
    case 'gsm7': return decodeGsm7(bytes);
    case 'ucs2': return decodeUcs2(bytes);
    case 'utf-8': return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    case 'ascii':
    case 'latin1':
    case 'binary':
    case 'unknown': return bytes.toString('latin1');
    default: return new TextDecoder(alphabet, { fatal: true }).decode(bytes);
  }
}
