-- Retention (MESSAGE_RETENTION_DAYS, src/dispatch/retention-sweeper.ts): the sweeper deletes finished messages
-- older than the configured age, oldest first, in small batches. It walks these indexes, whose columns never
-- change after the insert, so they add no work to the status updates (which stay HOT) and the walk's cost per
-- batch does not grow with the table.

-- Messages by age; `sid` makes the walk a keyset (a batch resumes after the last row of the previous one).
CREATE INDEX "messages_date_created_sid_idx" ON "messages"("date_created", "sid");

-- Receipts that matched no message (their message_sid stays NULL): deleted by their own age. Matched receipts go
-- with their message (delivery_receipts_message_sid_idx). A match sets message_sid, which
-- delivery_receipts_message_sid_idx already covers, so this partial index costs no HOT update.
CREATE INDEX "delivery_receipts_unmatched_date_received_idx" ON "delivery_receipts"("date_received") WHERE "message_sid" IS NULL;
