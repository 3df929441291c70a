// Messages sent through a Messaging Service: the insert (status accepted or scheduled, sender possibly unknown,
// due now or at SendAt) and the lookups a create needs. The release of due messages is service-release.ts.
import type { Database } from './database.js';
import type { MessageRecord, NewServiceMessage, SendingService, ServiceMessagePort } from '../messaging/ports.js';
import { MESSAGE_COLUMNS } from './message-columns.js';
import { poolAddresses } from './service-store.js';

// The accepted/scheduled step is the row itself (no event row). Validity counts from when the message is due (a message scheduled for tomorrow is not expired at creation).
const INSERT_SERVICE_MESSAGE = `
WITH m AS (
  INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, num_segments,
    status_callback, status_callback_method, coding, udh, message_class, valid_until, release_at,
    receipt_requested, messaging_service_sid, date_created, date_updated)
  VALUES ($1, $2, $3, $4, $5, $6, 'outbound-api', $7, $8, $9, $10, $11, $12,
    COALESCE($13::timestamptz, now()) + make_interval(secs => $14), COALESCE($13::timestamptz, now()),
    $15, $16, now(), now())
  RETURNING ${MESSAGE_COLUMNS}
)
SELECT * FROM m`;

export function createServiceMessagePort(db: Database): ServiceMessagePort {
  return {
    async findService(options): Promise<SendingService | null> {
      const [row] = await db.query<{ sid: string; status_callback: string | null; validity_period: number; smart_encoding: boolean }>(
        'SELECT sid, status_callback, validity_period, smart_encoding FROM messaging_services WHERE sid = $1 AND account_sid = $2',
        [options.sid, options.accountSid],
      );
      if (row === undefined) return null;
      return {
        sid: row.sid, statusCallback: row.status_callback, validityPeriod: row.validity_period, smartEncoding: row.smart_encoding,
        pool: await poolAddresses(db.query, row.sid),
      };
    },
    async insertServiceMessage(m: NewServiceMessage): Promise<MessageRecord> {
      const [row] = await db.query<MessageRecord>(INSERT_SERVICE_MESSAGE, [
        m.sid, m.accountSid, m.from, m.to, m.body, m.status, m.numSegments, m.statusCallback, m.statusCallbackMethod,
        m.coding, m.udh, m.messageClass, m.dueAt?.toISOString() ?? null, m.validitySeconds, m.receiptRequested, m.serviceSid,
      ]);
      if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
      return row;
    },
  };
}
