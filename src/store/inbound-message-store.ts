// The SQL of inbound SMS (messaging/receive-sms.ts): the batched insert of `received` messages (a request key
// already taken inserts nothing), and the lookup of messages by request key (the numbers an SMSC To user may be: incoming-number-store.ts).
import type { SqlQuery } from './database.js';

/** One inbound message row, as messaging/receive-sms.ts decided it. */
export interface InboundMessageRow {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  numSegments: number;
  coding: number;
  udh: string | null;
  route: string;
  smscId: string | null;
  deliveryTime: string | null;
  requestKey: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  /** The payload as hex: a bytea[] parameter is not something both pg and PGlite serialise alike. */
  payloadHex: string | null;
}

/**
 * Inserts the messages (`received`, `inbound`, date_sent now) in one statement; returns the sids inserted (a
 * request key that names a message already, or an earlier row of this batch, inserts nothing). Inserted in
 * request key order, so that two batches wait on each other's keys (a repeat arriving while its first copy
 * commits) in one order and cannot deadlock; then in input order, so the first copy is the one kept.
 */
export async function insertInboundMessages(query: SqlQuery, rows: readonly InboundMessageRow[]): Promise<Array<{ sid: string }>> {
  const column = <T>(pick: (m: InboundMessageRow) => T): T[] => rows.map(pick);
  return query<{ sid: string }>(
    `INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, num_segments, coding,
       udh, route, smsc_id, smsc_delivery_time, sip_request_key, error_code, error_message, price, date_sent, payload)
     SELECT m.sid, m.account_sid, m.from_address, m.to_address, m.body, 'received', 'inbound', m.num_segments, m.coding,
       m.udh, m.route, m.smsc_id, m.smsc_delivery_time, m.sip_request_key, m.error_code, m.error_message, NULL, now(),
       decode(m.payload_hex, 'hex')
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[],
       $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::text[], $15::text[])
       WITH ORDINALITY AS m(sid, account_sid, from_address, to_address, body, num_segments, coding, udh, route, smsc_id,
         smsc_delivery_time, sip_request_key, error_code, error_message, payload_hex, ord)
     ORDER BY m.sip_request_key, m.ord
     ON CONFLICT (sip_request_key) DO NOTHING RETURNING sid`,
    [column((m) => m.sid), column((m) => m.accountSid), column((m) => m.from), column((m) => m.to),
      column((m) => m.body), column((m) => m.numSegments), column((m) => m.coding), column((m) => m.udh),
      column((m) => m.route), column((m) => m.smscId), column((m) => m.deliveryTime), column((m) => m.requestKey),
      column((m) => m.errorCode), column((m) => m.errorMessage), column((m) => m.payloadHex)],
  );
}

/** The messages these request keys name (request key -> sid); keys naming none are absent. */
export async function findSidsByRequestKey(query: SqlQuery, keys: readonly string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = keys.length === 1
    ? await query<{ sid: string; sip_request_key: string }>('SELECT sid, sip_request_key FROM messages WHERE sip_request_key = $1', [keys[0]])
    : await query<{ sid: string; sip_request_key: string }>(
      'SELECT sid, sip_request_key FROM messages WHERE sip_request_key = ANY($1::text[])', [[...keys]],
    );
  return new Map(rows.map((r) => [r.sip_request_key, r.sid]));
}
