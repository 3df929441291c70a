/**
 * Segmentation per 3GPP TS 23.040 §9.2.3.24.1, counted the way Twilio counts (the calculator in
 * sms-segments-calculator is the oracle in the tests): 160/153 GSM-7 septets, 70/67 UCS-2 code units,
 * 140/134 octets for 8-bit data. An escape pair, a surrogate pair and (in UCS-2) a whole grapheme cluster are
 * never split across parts.
 */
import { gsm7Length, isGsm7 } from './gsm7.js';
import { smartEncode } from './smart-encoding.js';

export type TextEncoding = 'GSM7' | 'UCS2';

export type TextAnalysis = {
  /** The text that will be sent: after Smart Encoding when it was asked for. */
  text: string;
  encoding: TextEncoding;
  /** GSM-7 septets or UTF-16 code units of the whole text. */
  units: number;
  segments: number;
  /** Units in each segment, excluding the UDH. */
  perSegment: number[];
};

/** TP-UD is 140 octets; a UDH (including its length octet) takes its share. */
export const USER_DATA_OCTETS = 140;
/** UDHL + IEI 0x00 + length + reference + total + sequence. */
export const CONCAT_UDH_OCTETS = 6;

/** How many units fit in one part carrying a UDH of `udhOctets` octets (0 = no UDH). */
export function capacityOf(options: { encoding: TextEncoding | 'BINARY'; udhOctets?: number }): number {
  const free = USER_DATA_OCTETS - (options.udhOctets ?? 0);
  if (options.encoding === 'BINARY') return free;
  // GSM-7 text starts on a septet boundary after the UDH, so whole septets of the remaining bits count.
  if (options.encoding === 'GSM7') return Math.floor((free * 8) / 7);
  return Math.floor(free / 2);
}

/** Encoding, units and segments of `text`, as Twilio's NumSegments would report them. */
export function analyzeText(text: string, options?: { smartEncoding?: boolean }): TextAnalysis {
  const body = options?.smartEncoding === true ? smartEncode(text) : text;
  const encoding: TextEncoding = isGsm7(body) ? 'GSM7' : 'UCS2';
  const parts = layout(body, encoding, CONCAT_UDH_OCTETS);
  const perSegment = parts.map((part) => part.units);
  return {
    text: body,
    encoding,
    units: perSegment.reduce((sum, units) => sum + units, 0),
    segments: parts.length,
    perSegment,
  };
}

/**
 * The texts of the parts: one part when the text fits a single SMS, otherwise parts that each fit beside a
 * concatenation UDH (`udhOctets`, 6 by default; 7 for a 16-bit reference). Throws EncodingError when GSM7 is
 * asked for a text outside the GSM alphabet.
 */
export function splitText(options: { text: string; encoding: TextEncoding; udhOctets?: number }): string[] {
  return layout(options.text, options.encoding, options.udhOctets ?? CONCAT_UDH_OCTETS).map((part) => part.text);
}

/** Segments for 8-bit binary data of `octets` octets (140 single, 134 per concatenated part). */
export function countBinarySegments(octets: number): number {
  if (octets <= USER_DATA_OCTETS) return 1;
  return Math.ceil(octets / capacityOf({ encoding: 'BINARY', udhOctets: CONCAT_UDH_OCTETS }));
}

type Atom = { text: string; units: number };
type Part = { text: string; units: number };

function layout(text: string, encoding: TextEncoding, udhOctets: number): Part[] {
  const multipart = capacityOf({ encoding, udhOctets });
  const atoms = encoding === 'GSM7' ? gsmAtoms(text) : ucs2Atoms(text, multipart);
  const total = atoms.reduce((sum, atom) => sum + atom.units, 0);
  if (total <= capacityOf({ encoding })) return [{ text, units: total }];
  const parts: Part[] = [];
  let current: Part = { text: '', units: 0 };
  for (const atom of atoms) {
    if (current.units + atom.units > multipart) {
      parts.push(current);
      current = { text: '', units: 0 };
    }
    current.text += atom.text;
    current.units += atom.units;
  }
  parts.push(current);
  return parts;
}

/** One atom per character: 1 septet, or 2 for an extension character (ESC + code stay together). */
function gsmAtoms(text: string): Atom[] {
  return Array.from(text, (char) => ({ text: char, units: gsm7Length(char) }));
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * One atom per grapheme cluster, as Twilio keeps flags and ZWJ sequences whole. Two exceptions: CR LF counts
 * as two characters (as in Twilio's calculator), and a cluster too long for any part (only pathological
 * combining-mark runs) is cut between code points, so a surrogate pair is still never split.
 */
function ucs2Atoms(text: string, multipart: number): Atom[] {
  const atoms: Atom[] = [];
  for (const { segment } of graphemes.segment(text)) {
    const pieces = segment === '\r\n' || segment.length > multipart ? Array.from(segment) : [segment];
    for (const piece of pieces) atoms.push({ text: piece, units: piece.length });
  }
  return atoms;
}
