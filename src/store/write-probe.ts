// Readiness of the database for what the API needs: can a message insert commit now? `SELECT 1` cannot tell:
// it answers while `messages` is locked (every create then waits), on a read-only server after a failover, and
// while commits stall. The probe does what an insert does, short of writing a row, inside a time bound:
//
//   BEGIN; (lock_timeout and statement_timeout = the bound, SET LOCAL)
//   LOCK TABLE messages IN ROW EXCLUSIVE MODE   -- the lock every INSERT takes; waits behind a conflicting lock
//   SELECT pg_current_xact_id()                 -- a transaction id, as a write gets: refused on a standby
//          current_setting('transaction_read_only')  -- and not a read-only session
//   COMMIT                                      -- a commit record, flushed like any write's
//
// ROW EXCLUSIVE conflicts only with the locks that would block inserts too, so the probe never blocks the work.
// The whole probe is also raced against a timer (a pool connection may be slow to come; PGlite has one
// connection, which the probe waits for behind other work). At most one probe runs at a time: callers arriving
// meanwhile wait for its answer (up to the bound), so a hung database does not pile up probes.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from './database.js';

export interface WriteProbe {
  /** True when the probe transaction committed within the bound. */
  (): Promise<boolean>;
}

export function createWriteProbe(options: { db: Database; timeoutMs: number }): WriteProbe {
  const { db } = options;
  const bound = `${Math.max(1, Math.round(options.timeoutMs))}ms`;
  let inFlight: Promise<boolean> | null = null;
  const probe = async (): Promise<boolean> => {
    await db.transaction(async (query) => {
      await query("SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $1, true)", [bound]);
      await query('LOCK TABLE messages IN ROW EXCLUSIVE MODE');
      // transaction_read_only: a server (or a failover tool) that set default_transaction_read_only still hands
      // out transaction ids, but refuses every write.
      const [row] = await query<{ readOnly: string }>("SELECT pg_current_xact_id(), current_setting('transaction_read_only') AS \"readOnly\"");
      if (row?.readOnly !== 'off') throw new Error('the database accepts no writes (transaction_read_only)');
    });
    return true;
  };
  return () => {
    inFlight ??= probe().catch(() => false).finally(() => {
      inFlight = null;
    });
    return Promise.race([inFlight, sleep(options.timeoutMs, false, { ref: false })]);
  };
}
