/**
 * Twilio Smart Encoding (`SmartEncoded=true`): replace Unicode look-alikes with GSM-7 text before choosing an
 * encoding, so that a pasted curly quote does not turn a 1-segment GSM-7 message into a UCS-2 one.
 */
import { SMART_ENCODING_MAP } from './smart-encoding-map.js';

/** `text` with every mapped code point replaced; everything else is kept as it is. */
export function smartEncode(text: string): string {
  let result = '';
  for (const char of text) result += SMART_ENCODING_MAP.get(char) ?? char;
  return result;
}
