-- The lean message path (issue 13): a message's history lives on its row, and its status changes are HOT updates.
--
-- HOT (heap-only tuple) updates need two things: no index covers a column the update changes (a partial index's
-- WHERE clause counts as covering its columns), and room on the row's page. So:
--   * `status` leaves every index. The send queue becomes a partial index on next_attempt_at over the rows that
--     still have one; a message leaves it once, when it is sent or fails (status-change.ts clears next_attempt_at),
--     and that one update is the only non-HOT one of a delivered message. Claims (claimed_*, attempts, status
--     'sending') and receipts (status, error, receipt) touch no indexed column.
--   * The receipt matcher's (to, from, status, date_sent) index loses `status`: date_sent changes in the same
--     update that leaves the queue.
--   * fillfactor 85 leaves each page room for the row's later versions.

-- History columns: what used to be a `message_events` row per step.
ALTER TABLE "messages"
  ADD COLUMN "send_started_at" TIMESTAMPTZ(3),
  ADD COLUMN "route_source" TEXT,
  ADD COLUMN "smsc_result" JSONB,
  ADD COLUMN "smsc_message_id" TEXT,
  ADD COLUMN "receipt" JSONB,
  ADD COLUMN "release_at" TIMESTAMPTZ(3);

ALTER TABLE "messages" SET (fillfactor = 85);

-- Messaging Service messages that wait (accepted, scheduled) have their own queue: the release loop must not read
-- past the send queue's backlog to find them, and a status in an index predicate would make every update non-HOT.
UPDATE "messages" SET "release_at" = "next_attempt_at", "next_attempt_at" = NULL WHERE "status" IN ('accepted', 'scheduled');
CREATE INDEX "messages_release_queue_idx" ON "messages"("release_at") WHERE "release_at" IS NOT NULL;

-- Finished messages leave the queue index.
UPDATE "messages" SET "next_attempt_at" = NULL
WHERE "next_attempt_at" IS NOT NULL AND "status" NOT IN ('accepted', 'scheduled', 'queued', 'sending');

DROP INDEX "messages_status_next_attempt_at_idx";
CREATE INDEX "messages_send_queue_idx" ON "messages"("next_attempt_at") WHERE "next_attempt_at" IS NOT NULL;

DROP INDEX "messages_to_address_from_address_status_date_sent_idx";
CREATE INDEX "messages_to_address_from_address_date_sent_idx" ON "messages"("to_address", "from_address", "date_sent");

-- SMPP: the SMSC's id of a single-part message, which its receipt quotes (multi-part messages keep one
-- smsc_submissions row per part). Set in the same update that leaves the queue.
CREATE INDEX "messages_smsc_message_id_idx" ON "messages"("smsc_message_id") WHERE "smsc_message_id" IS NOT NULL;

-- Webhook deliveries: the pending-only partial indexes (migration 20261125220000) serve every claim; the full
-- (state, next_attempt_at) index made each state change a non-HOT update.
DROP INDEX "webhook_deliveries_state_next_attempt_at_idx";
ALTER TABLE "webhook_deliveries" ADD COLUMN "last_latency_ms" INTEGER;
ALTER TABLE "webhook_deliveries" SET (fillfactor = 90);
