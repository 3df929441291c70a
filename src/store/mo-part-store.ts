// The SQL of concatenated inbound SMS waiting for their siblings (`mo_parts`, messaging/mo-reassembly.ts): the
// per-group advisory lock, the parts' insert, load and delete, expired groups, and the lookup that recognises a
// repeat of a part already assembled into a message.
import type { DatabaseKind, SqlQuery } from './database.js';

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

/** Serialises all work on one group across connections and instances until the transaction ends. */
export async function lockGroup(query: SqlQuery, options: { group: PartGroup; kind: DatabaseKind }): Promise<void> {
  // PGlite has a single connection and serialises transactions itself.
  if (options.kind !== 'postgres') return;
  const { from, to, reference, total } = options.group;
  await query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mo:${from}|${to}|${reference}|${total}`]);
}

/**
 * The message an identical part (same group, sequence and text digest, messaging/mo-reassembly.ts partDigest)
 * was already assembled into within the window, if any. Uses the `reassembled`/`reassembly_timeout` events written when a group became a message (a
 * multi-part message's reassembly is one of the exceptional steps that keep an event row). An inbound message's
 * date_sent is its arrival, so the candidates come from the (to_address, from_address, date_sent) index.
 */
export async function findAssembledRepeat(
  query: SqlQuery,
  options: { group: PartGroup; sequence: number; digest: string; windowMs: number },
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
      options.windowMs,
      group.reference,
      group.total,
      JSON.stringify([{ sequence: options.sequence, digest: options.digest }]),
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

