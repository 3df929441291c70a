// Releases messages sent through a Messaging Service: `accepted` ones at once and `scheduled` ones at SendAt
// (both wait with release_at = their due time). For each due row the release picks the pool sender
// (sticky mapping, geomatch: messaging/sender-pool.ts), checks opt-outs, and moves it to `queued` for the
// dispatcher with a `queued` status callback, or fails it (21610 opted out, 21703 no sender left). Rows are taken
// with FOR NO KEY UPDATE SKIP LOCKED in one transaction, by the database's clock, through the release queue
// index (partial, on release_at): two instances never release a message twice, and none goes before it is due.
import type { Logger } from 'pino';
import { pickSender } from '../messaging/sender-pool.js';
import {
  applyStatusChangesWith, queueStatusCallbacks, recordMessageEvents, DEFAULT_STATUS_CHANGE_OPTIONS,
  type StatusChange, type StatusChangeOptions,
} from '../messaging/status-change.js';
import type { Database, SqlQuery } from '../store/database.js';
import { createPollLoop, type Sweeper } from './reassembly-sweeper.js';

interface DueRow {
  sid: string;
  account_sid: string;
  to_address: string;
  from_address: string | null;
  messaging_service_sid: string | null;
  status: string;
  sticky_sender: boolean | null;
  area_code_geomatch: boolean | null;
}

export interface ReleaseResult {
  queued: string[];
  failed: Array<{ sid: string; errorCode: number }>;
}

const ERRORS = {
  21610: 'Attempt to send to unsubscribed recipient',
  21703: 'The Messaging Service has no phone number available to send this message',
} as const;

/** Releases up to `limit` due service messages in one transaction. */
export async function releaseDueServiceMessages(
  db: Database,
  options: { limit: number; statusChange?: StatusChangeOptions },
): Promise<ReleaseResult> {
  const statusChange = options.statusChange ?? DEFAULT_STATUS_CHANGE_OPTIONS;
  return db.transaction(async (query) => {
    const rows = await query<DueRow>(
      `SELECT m.sid, m.account_sid, m.to_address, m.from_address, m.messaging_service_sid, m.status,
         s.sticky_sender, s.area_code_geomatch
       FROM messages m LEFT JOIN messaging_services s ON s.sid = m.messaging_service_sid
       WHERE m.release_at <= now() AND m.status IN ('accepted', 'scheduled')
       ORDER BY m.release_at
       LIMIT $1
       FOR NO KEY UPDATE OF m SKIP LOCKED`,
      [options.limit],
    );
    if (rows.length === 0) return { queued: [], failed: [] };
    const context = await loadContext(query, rows);
    const queued: Array<{ row: DueRow; from: string }> = [];
    const failures: StatusChange[] = [];
    for (const row of rows) {
      const serviceSid = row.messaging_service_sid ?? '';
      const from = row.from_address ?? pickSender({
        pool: context.pools.get(serviceSid) ?? [],
        to: row.to_address,
        sticky: context.sticky.get(`${serviceSid} ${row.to_address}`) ?? null,
        stickySender: row.sticky_sender === true,
        areaCodeGeomatch: row.area_code_geomatch === true,
      });
      const blockedBy = context.optOuts.get(`${row.account_sid} ${row.to_address}`) ?? new Set<string>();
      const code = from === null ? 21703 : blockedBy.has(serviceSid) || blockedBy.has(from) ? 21610 : null;
      if (code !== null || from === null) {
        const errorCode = code ?? 21703;
        failures.push({
          sid: row.sid, status: 'failed', errorCode, errorMessage: ERRORS[errorCode],
          event: { type: 'status', detail: { source: 'messaging_service', errorCode, from } },
        });
      } else {
        queued.push({ row, from });
      }
    }
    await queueReleased(query, queued, statusChange);
    await applyStatusChangesWith(query, failures, statusChange);
    return { queued: queued.map((q) => q.row.sid), failed: failures.map((f) => ({ sid: f.sid, errorCode: f.errorCode ?? 0 })) };
  });
}

async function loadContext(query: SqlQuery, rows: readonly DueRow[]) {
  const services = [...new Set(rows.flatMap((r) => (r.messaging_service_sid === null ? [] : [r.messaging_service_sid])))];
  const poolRows = await query<{ service_sid: string; phone_number: string }>(
    `SELECT s.service_sid, p.phone_number FROM messaging_service_numbers s JOIN phone_numbers p ON p.sid = s.phone_number_sid
     WHERE s.service_sid = ANY($1::text[]) ORDER BY s.date_created, p.sid`,
    [services],
  );
  const pools = new Map<string, string[]>();
  for (const r of poolRows) pools.set(r.service_sid, [...(pools.get(r.service_sid) ?? []), r.phone_number]);
  const stickyRows = await query<{ service_sid: string; to_address: string; from_address: string }>(
    `SELECT service_sid, to_address, from_address FROM sticky_senders
     WHERE (service_sid, to_address) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [rows.map((r) => r.messaging_service_sid ?? ''), rows.map((r) => r.to_address)],
  );
  const sticky = new Map(stickyRows.map((r) => [`${r.service_sid} ${r.to_address}`, r.from_address]));
  const optOutRows = await query<{ account_sid: string; recipient: string; sender: string }>(
    `SELECT account_sid, recipient, sender FROM opt_outs
     WHERE (account_sid, recipient) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [rows.map((r) => r.account_sid), rows.map((r) => r.to_address)],
  );
  const optOuts = new Map<string, Set<string>>();
  for (const r of optOutRows) {
    const key = `${r.account_sid} ${r.recipient}`;
    optOuts.set(key, (optOuts.get(key) ?? new Set()).add(r.sender));
  }
  return { pools, sticky, optOuts };
}

async function queueReleased(query: SqlQuery, queued: ReadonlyArray<{ row: DueRow; from: string }>, statusChange: StatusChangeOptions): Promise<void> {
  if (queued.length === 0) return;
  await query(
    `UPDATE messages m SET status = 'queued', from_address = i.from_address, release_at = NULL, next_attempt_at = now(),
       date_updated = now()
     FROM unnest($1::text[], $2::text[]) AS i(sid, from_address) WHERE m.sid = i.sid`,
    [queued.map((q) => q.row.sid), queued.map((q) => q.from)],
  );
  // Sticky sender: the first number used for a recipient stays theirs (only recorded while the feature is on).
  const sticky = queued.filter((q) => q.row.sticky_sender === true && q.row.messaging_service_sid !== null);
  if (sticky.length > 0) {
    await query(
      `INSERT INTO sticky_senders (service_sid, to_address, from_address)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (service_sid, to_address) DO NOTHING`,
      [sticky.map((q) => q.row.messaging_service_sid), sticky.map((q) => q.row.to_address), sticky.map((q) => q.from)],
    );
  }
  await recordMessageEvents(query, queued.map((q) => ({
    sid: q.row.sid, type: 'status', status: 'queued', detail: { source: 'messaging_service', from: q.from, releasedFrom: q.row.status },
  })));
  // Twilio calls back `queued` for a message that was accepted (or scheduled) by a service.
  await queueStatusCallbacks(query, queued.map((q) => ({ sid: q.row.sid, status: 'queued' as const })), statusChange);
}

export interface ServiceReleaseOptions {
  db: Database;
  logger: Logger;
  /** How often due messages are looked for; a scheduled message goes at most about this long after SendAt. */
  intervalMs: number;
  batchSize: number;
  statusChange?: StatusChangeOptions;
  /** Called after messages were queued (wakes the dispatcher) or failed (wakes the webhook worker). */
  onReleased?: (result: ReleaseResult) => void;
}

export function createServiceRelease(options: ServiceReleaseOptions): Sweeper {
  const log = options.logger.child({ component: 'service-release' });
  return createPollLoop({
    intervalMs: options.intervalMs,
    log,
    sweep: async () => {
      const result = await releaseDueServiceMessages(options.db, {
        limit: options.batchSize, ...(options.statusChange ? { statusChange: options.statusChange } : {}),
      });
      for (const f of result.failed) log.info({ messageSid: f.sid, errorCode: f.errorCode }, 'service message failed before queueing');
      if (result.queued.length > 0 || result.failed.length > 0) options.onReleased?.(result);
      return result.queued.length + result.failed.length >= options.batchSize;
    },
  });
}
