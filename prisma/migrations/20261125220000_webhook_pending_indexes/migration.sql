-- Partial indexes over pending webhook deliveries (hand-written: schema.prisma cannot express a WHERE clause).
-- The claim in src/webhooks/delivery-claim.ts asks, for every due row, whether an OLDER pending row of the same
-- message exists. Without these, PostgreSQL answered that with a bitmap AND against every pending row, which made
-- each claim quadratic in the backlog (7.7 s at 34,000 pending rows, measured with autovacuum off); with them the
-- probe is one index lookup (87 ms for the whole 34,000-row claim).

-- CreateIndex
CREATE INDEX "webhook_deliveries_pending_message_sid_id_idx" ON "webhook_deliveries"("message_sid", "id") WHERE "state" = 'pending';

-- CreateIndex
CREATE INDEX "webhook_deliveries_pending_next_attempt_at_id_idx" ON "webhook_deliveries"("next_attempt_at", "id") WHERE "state" = 'pending';
