/**
 * The GSM 03.38 default alphabet (3GPP TS 23.038 §6.2.1) and its extension table (§6.2.1.1).
 * Checked entry by entry against vectors.json and against Twilio's calculator in gsm7-alphabet.test.ts.
 */

/** Septet 0x1B: the escape to the extension table. It has no character of its own. */
export const ESC = 0x1b;

// Index = septet value. Position 27 holds U+001B only as a placeholder; it is never mapped back (see below).
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ' +
  ' !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Extension table: septet after ESC -> character. Form feed counts as an extension character too. */
const EXTENSION: ReadonlyArray<readonly [number, string]> = [
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
];

/** septet -> character for the basic table (ESC maps to ''). */
export const BASIC_TABLE: readonly string[] = Array.from(BASIC, (char, septet) => (septet === ESC ? '' : char));

/** septet-after-ESC -> character, for the ten defined extension codes. */
export const EXTENSION_TABLE: ReadonlyMap<number, string> = new Map(EXTENSION);

/** UTF-16 code unit -> the septets that encode it (one septet, or ESC + code). */
export const CHAR_TO_SEPTETS: ReadonlyMap<number, readonly number[]> = buildReverse();

function buildReverse(): Map<number, readonly number[]> {
  const reverse = new Map<number, readonly number[]>();
  BASIC_TABLE.forEach((char, septet) => {
    // U+001B in a text is not a GSM character: writing it would start a spurious escape sequence.
    if (char !== '') reverse.set(char.charCodeAt(0), [septet]);
  });
  for (const [code, char] of EXTENSION) reverse.set(char.charCodeAt(0), [ESC, code]);
  return reverse;
}
