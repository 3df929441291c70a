// Database-backed reassembly of concatenated inbound SMS (architecture.md, `mo_parts`). Parts wait in
// `mo_parts` until their siblings arrive; every step that reads or changes a group runs under a transaction-scoped
// advisory lock on the group, so two instances receiving sibling parts at once produce one message.
// The ordering and gap rules are the encoding module's (`assembleParts`); this file only adds persistence.
import { createHash } from 'node:crypto';
import { assembleParts, concatenationOf, EncodingError, parseUdh, type Concatenation } from '../encoding/index.js';
import type { DatabaseKind, SqlQuery } from '../store/database.js';
import { assembledUdh, joinPayloads } from './inbound-content.js';

/** One multipart message being collected: TS 23.040 keys it by sender, receiver, reference and total. */
export interface PartGroup {
  from: string;
  to: string;
  reference: number;
  total: number;
}

export interface StoredPart {
  sequence: number;
  /** The part's `body` text (inbound-content.ts inboundBody). */
  body: string;
  /** Its user data as received; null for parts stored before payloads were kept. */
  payload: Uint8Array | null;
  coding: number;
  udh: string | null;
  smscId: string | null;
  deliveryTime: string | null;
  route: string;
  dateReceived: Date;
}

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

/** Serialises all work on one group across connections and instances until the transaction ends. */
export async function lockGroup(query: SqlQuery, options: { group: PartGroup; kind: DatabaseKind }): Promise<void> {
  // PGlite has a single connection and serialises transactions itself.
  if (options.kind !== 'postgres') return;
  const { from, to, reference, total } = options.group;
  await query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mo:${from}|${to}|${reference}|${total}`]);
}

/**
 * The message an identical part (same group, sequence and text) was already assembled into within the repeat
 * window, if any. Uses the `reassembled`/`reassembly_timeout` events written when a group became a message (a
 * multi-part message's reassembly is one of the exceptional steps that keep an event row). An inbound message's
 * date_sent is its arrival, so the candidates come from the (to_address, from_address, date_sent) index.
 */
export async function findAssembledRepeat(
  query: SqlQuery,
  options: { group: PartGroup; sequence: number; text: string },
): Promise<string | null> {
  const { group } = options;
  const rows = await query<{ sid: string }>(
    `SELECT m.sid FROM messages m JOIN message_events e ON e.message_sid = m.sid
     WHERE m.to_address = $1 AND m.from_address = $2 AND m.direction = 'inbound'
       AND m.date_sent > now() - $3 * interval '1 millisecond'
       AND e.type IN ('reassembled', 'reassembly_timeout')
       AND (e.detail->>'reference')::int = $4 AND (e.detail->>'total')::int = $5
       AND e.detail->'parts' @> $6::jsonb
     ORDER BY m.date_sent DESC LIMIT 1`,
    [
      group.to,
      group.from,
      ASSEMBLED_REPEAT_WINDOW_MS,
      group.reference,
      group.total,
      JSON.stringify([{ sequence: options.sequence, digest: partDigest(options.text) }]),
    ],
  );
  return rows[0]?.sid ?? null;
}

/**
 * Stores a part unless the same sequence of the group is already waiting (then false: a duplicate). The group's
 * deadline is fixed by its first part, so a trickle of repeats cannot keep a broken message alive.
 */
export async function insertPart(
  query: SqlQuery,
  options: { group: PartGroup; part: Omit<StoredPart, 'dateReceived'>; timeoutMs: number },
): Promise<boolean> {
  const { group, part } = options;
  const rows = await query(
    `INSERT INTO mo_parts (from_address, to_address, reference, total, sequence, body, coding, udh, smsc_id,
       delivery_time, route, deadline, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, COALESCE(
       (SELECT min(deadline) FROM mo_parts WHERE from_address = $1 AND to_address = $2 AND reference = $3 AND total = $4),
       now() + $12 * interval '1 millisecond'), decode($13, 'hex'))
     ON CONFLICT (from_address, to_address, reference, total, sequence) DO NOTHING
     RETURNING id`,
    [group.from, group.to, group.reference, group.total, part.sequence, part.body, part.coding, part.udh,
      part.smscId, part.deliveryTime, part.route, options.timeoutMs,
      part.payload === null ? null : Buffer.from(part.payload).toString('hex')],
  );
  return rows.length === 1;
}

/** The group's parts in sequence order, locked for this transaction. */
export async function loadGroup(query: SqlQuery, group: PartGroup): Promise<StoredPart[]> {
  const rows = await query<{
    sequence: number; body: string; payload_hex: string | null; coding: number; udh: string | null; smsc_id: string | null;
    delivery_time: string | null; route: string; date_received: Date;
  }>(
    `SELECT sequence, body, encode(payload, 'hex') AS payload_hex, coding, udh, smsc_id, delivery_time, route, date_received
     FROM mo_parts
     WHERE from_address = $1 AND to_address = $2 AND reference = $3 AND total = $4
     ORDER BY sequence FOR UPDATE`,
    [group.from, group.to, group.reference, group.total],
  );
  return rows.map((r) => ({
    sequence: r.sequence, body: r.body, payload: r.payload_hex === null ? null : Buffer.from(r.payload_hex, 'hex'),
    coding: r.coding, udh: r.udh, smscId: r.smsc_id,
    deliveryTime: r.delivery_time, route: r.route, dateReceived: new Date(r.date_received),
  }));
}

export async function deleteGroup(query: SqlQuery, group: PartGroup): Promise<void> {
  await query('DELETE FROM mo_parts WHERE from_address = $1 AND to_address = $2 AND reference = $3 AND total = $4', [
    group.from, group.to, group.reference, group.total,
  ]);
}

/** Groups whose deadline has passed, oldest first. */
export async function findExpiredGroups(query: SqlQuery, options: { limit: number }): Promise<PartGroup[]> {
  const rows = await query<{ from_address: string; to_address: string; reference: number; total: number }>(
    // The WHERE changes no answer (a group's min(deadline) has passed iff one of its parts' has) but lets the
    // deadline index skip every part still waiting, instead of grouping the whole table on every sweep.
    `SELECT from_address, to_address, reference, total FROM mo_parts WHERE deadline <= now()
     GROUP BY from_address, to_address, reference, total
     HAVING min(deadline) <= now() ORDER BY min(deadline) LIMIT $1`,
    [options.limit],
  );
  return rows.map((r) => ({ from: r.from_address, to: r.to_address, reference: r.reference, total: r.total }));
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
