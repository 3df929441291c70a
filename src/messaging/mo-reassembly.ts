// Database-backed reassembly of concatenated inbound SMS (architecture.md, `mo_parts`). Parts wait in
// `mo_parts` until their siblings arrive; every step that reads or changes a group runs under a transaction-scoped
// advisory lock on the group, so two instances receiving sibling parts at once produce one message.
// The ordering and gap rules are the encoding module's (`assembleParts`); this file adds what a group becomes
// (pure). The SQL of the parts, the group lock and the repeat lookup is in store/mo-part-store.ts.
import { createHash } from 'node:crypto';
import { assembleParts, concatenationOf, EncodingError, parseUdh, type Concatenation } from '../encoding/index.js';
import type { PartGroup, StoredPart } from '../store/mo-part-store.js';
import { assembledUdh, joinPayloads } from './inbound-content.js';

export type { PartGroup, StoredPart } from '../store/mo-part-store.js';

/**
 * A repeat of a part of a message we already assembled (our 200 was lost and the SMSC resent it) is recognised
 * by its content for this long: the SMSC retries a lost answer for up to its 72 h validity.
 */
export const ASSEMBLED_REPEAT_WINDOW_MS = 72 * 60 * 60 * 1000;

/**
 * The concatenation a UDH declares, or null: no UDH, no concatenation IE, a single-part "concatenation", an IE
 * that TS 23.040 §9.2.3.24.1 says to ignore (total 0, sequence 0 or above the total), or a UDH whose IEs cannot
 * be read (such a message is kept whole, with its UDH, rather than refused: a 4xx would
 * only make the SMSC resend the same bytes for days).
 */
export function concatenationFromUdh(udhHex: string | null): Concatenation | null {
  if (udhHex === null || udhHex === '') return null;
  try {
    const concat = concatenationOf(parseUdh(udhHex));
    return concat !== null && concat.total > 1 ? concat : null;
  } catch (error) {
    if (error instanceof EncodingError) return null;
    throw error;
  }
}

/** A short, stable fingerprint of a part's text, kept in events instead of the text (bodies can be redacted). */
export function partDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

/** What a group's parts become: the joined text, the gaps, and the per-message fields taken from the parts. */
export interface AssembledGroup {
  /** The parts' bodies joined (for 8-bit parts: hex, so the hex of the joined payloads). */
  text: string;
  /** The parts' payloads joined in sequence order (null if a part has none). */
  payload: Buffer | null;
  /** The first part's UDH without its concatenation IEs (assembledUdh). */
  udh: string | null;
  received: number[];
  missing: number[];
  complete: boolean;
  /** UCS-2 if any part was, else the first part's coding. */
  coding: number;
  /** From the first part present (lowest sequence): the SMSC repeats them on every part. */
  smscId: string | null;
  deliveryTime: string | null;
  route: string;
  /** For the event that lets a later repeat of a part be recognised (findAssembledRepeat). */
  eventDetail: { reference: number; total: number; received: number[]; missing: number[]; parts: Array<{ sequence: number; digest: string }> };
}

export function assembleGroup(group: PartGroup, parts: readonly StoredPart[]): AssembledGroup {
  const assembled = assembleParts(parts.map((p) => ({ sequence: p.sequence, text: p.body })), group.total);
  const first = parts[0];
  return {
    ...assembled,
    payload: joinPayloads(uniqueBySequence(parts).map((p) => p.payload)),
    udh: assembledUdh(first?.udh ?? null),
    coding: parts.some((p) => p.coding === 2) ? 2 : (first?.coding ?? 0),
    smscId: first?.smscId ?? null,
    deliveryTime: first?.deliveryTime ?? null,
    route: first?.route ?? 'sip',
    eventDetail: {
      reference: group.reference,
      total: group.total,
      received: assembled.received,
      missing: assembled.missing,
      parts: parts.map((p) => ({ sequence: p.sequence, digest: partDigest(p.body) })),
    },
  };
}

/** The first copy of each sequence, in sequence order (what assembleParts joins). */
function uniqueBySequence(parts: readonly StoredPart[]): StoredPart[] {
  const bySequence = new Map<number, StoredPart>();
  for (const part of parts) if (!bySequence.has(part.sequence)) bySequence.set(part.sequence, part);
  return [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
}
