// Retries parked delivery receipts: a receipt that matched no message (most often because it beat our own
// "sent" write) is stored with `next_match_at`, and this loop gives it more attempts with a growing delay, up to
// the policy's bound. After the last attempt the receipt stays stored, unmatched and visible (docs/receipts.md).
import type { Logger } from 'pino';
import { DEFAULT_RECEIPT_POLICY, type ReceiptPolicy } from '../messaging/apply-receipt.js';
import { retryParkedReceipts } from '../messaging/receipt-batch.js';
import type { Database } from '../store/database.js';
import { createPollLoop, type Sweeper } from './reassembly-sweeper.js';

export interface ReceiptSweeperOptions {
  db: Database;
  logger: Logger;
  intervalMs: number;
  batchSize: number;
  policy?: ReceiptPolicy;
}

export function createReceiptSweeper(options: ReceiptSweeperOptions): Sweeper {
  const log = options.logger.child({ component: 'receipt-sweeper' });
  const policy = options.policy ?? DEFAULT_RECEIPT_POLICY;
  return createPollLoop({
    intervalMs: options.intervalMs,
    log,
    sweep: async () => {
      const results = await retryParkedReceipts(options.db, { limit: options.batchSize, policy });
      for (const r of results) {
        if (r.outcome === 'matched') log.info({ receiptId: r.receiptId, messageSid: r.messageSid, status: r.status }, 'parked receipt applied');
        if (r.outcome === 'unmatched') log.warn({ receiptId: r.receiptId }, 'receipt still matches no message; left unmatched');
      }
      return results.length >= options.batchSize;
    },
  });
}
