// Opt-outs (STOP): a row blocks one recipient for one sender, which is a phone number or, for the numbers of a
// Messaging Service, the whole service (its MG SID in `sender`). Keyword handling is messaging/opt-out.ts.
import type { Database, SqlQuery } from './database.js';
import type { OptOut } from '../generated/prisma/client.js';
import { newSid } from '../messaging/sid.js';

export type { OptOut };
export type OptOutScope = 'number' | 'service';

/**
 * SQL boolean: recipient `to` opted out of sender number `from` or of the service that number is in. The three
 * arguments are SQL expressions (parameters) for the account, the sending number and the recipient.
 */
export function isOptedOutSql(account: string, from: string, to: string): string {
  return `EXISTS (SELECT 1 FROM opt_outs o WHERE o.account_sid = ${account} AND o.recipient = ${to}
    AND (o.sender = ${from} OR o.sender = (SELECT s.service_sid FROM messaging_service_numbers s
      JOIN phone_numbers p ON p.sid = s.phone_number_sid WHERE p.phone_number = ${from} AND p.account_sid = ${account})))`;
}

/** Records the opt-out; a repeat keeps the first row. */
export async function addOptOut(
  query: SqlQuery,
  options: { accountSid: string; scope: OptOutScope; sender: string; recipient: string; keyword: string | null },
): Promise<OptOut> {
  await query(
    `INSERT INTO opt_outs (sid, account_sid, scope, sender, recipient, keyword) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (account_sid, sender, recipient) DO NOTHING`,
    [newSid('OO'), options.accountSid, options.scope, options.sender, options.recipient, options.keyword],
  );
  const [row] = await query<OptOut>(
    `SELECT sid, account_sid AS "accountSid", scope, sender, recipient, keyword, date_created AS "dateCreated"
     FROM opt_outs WHERE account_sid = $1 AND sender = $2 AND recipient = $3`,
    [options.accountSid, options.sender, options.recipient],
  );
  if (row === undefined) throw new Error('opt-out vanished after its insert');
  return row;
}

/** Lifts the block (START); true when there was one. */
export async function removeOptOut(query: SqlQuery, options: { accountSid: string; sender: string; recipient: string }): Promise<boolean> {
  const rows = await query('DELETE FROM opt_outs WHERE account_sid = $1 AND sender = $2 AND recipient = $3 RETURNING sid', [
    options.accountSid, options.sender, options.recipient,
  ]);
  return rows.length > 0;
}

export async function deleteOptOutBySid(db: Database, options: { accountSid: string; sid: string }): Promise<boolean> {
  const { count } = await db.prisma.optOut.deleteMany({ where: { accountSid: options.accountSid, sid: options.sid } });
  return count > 0;
}

export async function findOptOut(db: Database, options: { accountSid: string; sid: string }): Promise<OptOut | null> {
  return db.prisma.optOut.findFirst({ where: { accountSid: options.accountSid, sid: options.sid } });
}

export async function listOptOuts(
  db: Database,
  options: { accountSid: string; recipient?: string | undefined; sender?: string | undefined; offset: number; limit: number },
): Promise<OptOut[]> {
  return db.prisma.optOut.findMany({
    where: {
      accountSid: options.accountSid,
      ...(options.recipient === undefined ? {} : { recipient: options.recipient }),
      ...(options.sender === undefined ? {} : { sender: options.sender }),
    },
    orderBy: [{ dateCreated: 'desc' }, { sid: 'desc' }],
    skip: options.offset,
    take: options.limit,
  });
}

/** An opt-out keyword's auto-reply: a queued outbound-reply message from the number that received the keyword. */
export interface AutoReply {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  numSegments: number;
  coding: number;
  validitySeconds: number;
  inReplyToSid: string;
  messagingServiceSid: string | null;
}

/** Queues the reply with its `queued` event (source opt_out), in one statement. */
export async function insertAutoReply(query: SqlQuery, reply: AutoReply): Promise<void> {
  await query(
    `WITH m AS (
       INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, num_segments, coding,
         valid_until, next_attempt_at, receipt_requested, in_reply_to_sid, messaging_service_sid, date_created, date_updated)
       VALUES ($1, $2, $3, $4, $5, 'queued', 'outbound-reply', $6, $7, now() + make_interval(secs => $8), now(), true, $9, $10, now(), now())
       RETURNING sid
     )
     INSERT INTO message_events (message_sid, type, status, detail)
     SELECT sid, 'status', 'queued', jsonb_build_object('source', 'opt_out', 'inReplyToSid', $9::text) FROM m`,
    [reply.sid, reply.accountSid, reply.from, reply.to, reply.body, reply.numSegments, reply.coding, reply.validitySeconds,
      reply.inReplyToSid, reply.messagingServiceSid],
  );
}
