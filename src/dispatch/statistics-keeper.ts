// Keeps the planner's statistics of the queue tables fresh where nothing else does.
//
// The claim queries (messages, webhook_deliveries) are written for ordered index scans that stop after the
// batch. PostgreSQL only picks those plans when it knows how many rows are pending; with no statistics it
// assumes a handful, sorts the whole backlog on every claim and turns a burst into quadratic work (measured:
// 87 ms per webhook claim at 34,000 pending rows without statistics, 0.24 ms with them). Autovacuum normally
// analyses these tables; this loop runs ANALYZE itself only where autovacuum is off (some servers, and always
// PGlite, which has no background workers). One instance at a time does it, under an advisory lock.
//
// The list is every table a hot path reads (claims, receipt matching, inbound storage, reassembly), including the
// small lookup tables they join; test/integration/store/hot-query-plans.test.ts checks it against the plans of
// those paths at 100k rows. Leaving smsc_submissions out once made the SMPP receipt lookup read every index
// entry of the table per receipt.
import type { Logger } from 'pino';
import type { Database } from '../store/database.js';
import { createPollLoop, type Sweeper } from './reassembly-sweeper.js';

export const HOT_TABLES: readonly string[] = [
  'messages', 'webhook_deliveries', 'delivery_receipts', 'message_events', 'mo_parts', 'smsc_submissions',
  'accounts', 'phone_numbers',
  // Messaging Services: every inbound SMS joins its number's pool entry and service; sends read opt-outs.
  'messaging_services', 'messaging_service_numbers', 'opt_outs', 'sticky_senders',
  // Retention (MESSAGE_RETENTION_DAYS) deletes a message's failed attempts through their delivery.
  'webhook_attempts',
];
const ANALYZE_LOCK_ID = 72707371;

export function createStatisticsKeeper(options: { db: Database; logger: Logger; intervalMs: number }): Sweeper {
  const log = options.logger.child({ component: 'statistics-keeper' });
  let needed: boolean | undefined;
  return createPollLoop({
    intervalMs: options.intervalMs,
    log,
    sweep: async () => {
      needed ??= await autovacuumIsOff(options.db);
      if (!needed) return false;
      await analyzeHotTables(options.db);
      return false;
    },
  });
}

async function autovacuumIsOff(db: Database): Promise<boolean> {
  if (db.kind === 'pglite') return true;
  const [row] = await db.query<{ setting: string }>("SELECT current_setting('autovacuum') AS setting");
  return row?.setting !== 'on';
}

export async function analyzeHotTables(db: Database): Promise<void> {
  if (db.kind === 'pglite') {
    await db.runScript(`ANALYZE ${HOT_TABLES.join(', ')}`);
    return;
  }
  await db.transaction(async (query) => {
    const [lock] = await query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [ANALYZE_LOCK_ID]);
    if (lock?.ok) await query(`ANALYZE ${HOT_TABLES.join(', ')}`);
  });
}
