// Retention (MESSAGE_RETENTION_DAYS): deletes finished messages older than the configured age, with their
// history, and the leftovers that belong to no message (unmatched receipts, reassembly segments long past their
// deadline). Off the hot path: one bounded batch per statement (RETENTION_BATCH_SIZE messages), a pause between
// batches (RETENTION_BATCH_PAUSE_MS) so the pipeline's own statements and autovacuum keep up, and a pass every
// RETENTION_INTERVAL_S. A pass walks messages oldest first through an index on (date_created, sid) with a keyset
// cursor, so a batch reads about what it deletes however big the table is, and what it must keep (in progress,
// a pending webhook, held by another transaction) is read once per pass. Several instances may sweep at once:
// each batch skips the rows another holds (store/retention-store.ts). See docs/scaling.md.
import type { Logger } from 'pino';
import type { Database } from '../store/database.js';
import {
  deleteExpiredMessages, deleteExpiredMoParts, deleteExpiredUnmatchedReceipts, hasWebhookOutbox, noRetentionCounts,
  RETENTION_TABLES, type RetentionCounts, type RetentionCursor,
} from '../store/retention-store.js';
import { createPollLoop, type Sweeper } from './reassembly-sweeper.js';

export interface RetentionSettings {
  /** MESSAGE_RETENTION_DAYS; 0 = keep everything (the sweeper does nothing). */
  days: number;
  /** RETENTION_BATCH_SIZE: messages (or leftover rows) per statement. */
  batchSize: number;
  /** RETENTION_BATCH_PAUSE_MS: pause after a full batch. */
  batchPauseMs: number;
  /** RETENTION_INTERVAL_S as ms: from the end of one pass to the start of the next. */
  intervalMs: number;
}

export interface RetentionStats {
  /** Rows deleted by this process since it started, by table. */
  deleted: RetentionCounts;
  batches: number;
  passes: number;
}

export interface RetentionSweeper extends Sweeper {
  stats(): RetentionStats;
}

/** What one pass still has to do, and where its walk over messages stands. */
export interface RetentionPass {
  cursor: RetentionCursor | null;
  outbox: boolean;
  messagesDone: boolean;
  receiptsDone: boolean;
  partsDone: boolean;
}

/**
 * One batch of each kind the pass has not finished, at `now`. Returns whether the pass has more to do. Exported
 * for the tests, which drive a pass batch by batch.
 */
export async function sweepRetentionBatch(
  db: Database,
  options: { pass: RetentionPass; days: number; batchSize: number; now: Date; counts: RetentionCounts },
): Promise<boolean> {
  const { pass, batchSize, counts } = options;
  const olderThan = new Date(options.now.getTime() - options.days * 86_400_000);
  if (!pass.messagesDone) {
    const batch = await deleteExpiredMessages(db.query, { olderThan, limit: batchSize, after: pass.cursor, outbox: pass.outbox });
    for (const table of RETENTION_TABLES) counts[table] += batch.counts[table];
    pass.cursor = batch.last ?? pass.cursor;
    // Fewer candidates than asked for: the walk reached the cutoff.
    pass.messagesDone = batch.last === null || batch.counts.messages < batchSize;
  }
  if (!pass.receiptsDone) {
    const n = await deleteExpiredUnmatchedReceipts(db.query, { olderThan, limit: batchSize });
    counts.delivery_receipts += n;
    pass.receiptsDone = n < batchSize;
  }
  if (!pass.partsDone) {
    const n = await deleteExpiredMoParts(db.query, { olderThan, limit: batchSize });
    counts.mo_parts += n;
    pass.partsDone = n < batchSize;
  }
  return !(pass.messagesDone && pass.receiptsDone && pass.partsDone);
}

export async function startRetentionPass(db: Database): Promise<RetentionPass> {
  return { cursor: null, outbox: await hasWebhookOutbox(db.query), messagesDone: false, receiptsDone: false, partsDone: false };
}

/**
 * The loop. With `days` = 0 it never touches the database. Otherwise it ticks every `batchPauseMs`: a tick during
 * a pass deletes one batch of each unfinished kind; a tick between passes does nothing until `intervalMs` has
 * passed since the last pass ended.
 */
export function createRetentionSweeper(options: { db: Database; logger: Logger; settings: RetentionSettings }): RetentionSweeper {
  const { db, settings } = options;
  const log = options.logger.child({ component: 'retention-sweeper' });
  const stats: RetentionStats = { deleted: noRetentionCounts(), batches: 0, passes: 0 };
  let pass: RetentionPass | null = null;
  let passCounts = noRetentionCounts();
  // The first pass starts one interval after start, away from the start-up burst.
  let nextPassAt = Date.now() + settings.intervalMs;
  const loop = createPollLoop({
    intervalMs: Math.max(settings.batchPauseMs, 1),
    log,
    sweep: async () => {
      if (pass === null) {
        if (Date.now() < nextPassAt) return false;
        pass = await startRetentionPass(db);
        passCounts = noRetentionCounts();
      }
      const more = await sweepRetentionBatch(db, { pass, days: settings.days, batchSize: settings.batchSize, now: new Date(), counts: passCounts });
      stats.batches += 1;
      if (!more) {
        stats.deleted = sumCounts(stats.deleted, passCounts);
        stats.passes += 1;
        pass = null;
        nextPassAt = Date.now() + settings.intervalMs;
        if (passCounts.messages + passCounts.delivery_receipts + passCounts.mo_parts > 0) {
          log.info({ deleted: passCounts, retentionDays: settings.days }, 'retention pass deleted expired rows');
        }
      }
      // Never "at once again": the pause between batches is the point.
      return false;
    },
  });
  return {
    start() {
      if (settings.days > 0) loop.start();
    },
    stop: () => loop.stop(),
    // The pass under way counts too, so a long pass shows its progress.
    stats: () => ({ deleted: sumCounts(stats.deleted, pass === null ? noRetentionCounts() : passCounts), batches: stats.batches, passes: stats.passes }),
  };
}

function sumCounts(a: RetentionCounts, b: RetentionCounts): RetentionCounts {
  const sum = noRetentionCounts();
  for (const table of RETENTION_TABLES) sum[table] = a[table] + b[table];
  return sum;
}
