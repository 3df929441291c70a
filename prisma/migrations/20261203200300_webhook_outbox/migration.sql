-- Transactional outbox for webhooks (issue 13). The transaction that creates callbacks (a status change) or an
-- inbound SMS webhook writes ONE row here for all of them, leased to the instance that wrote it; after the commit
-- that instance attempts them at once from memory, and one transaction records every outcome straight into
-- webhook_deliveries (succeeded / pending with its retry time / failed) and deletes the row. A row whose lease ran
-- out (its instance died) is taken over by another instance. See docs/webhooks.md.
CREATE TABLE "webhook_outbox" (
    "id" BIGSERIAL NOT NULL,
    "instance_id" TEXT,
    "lease_until" TIMESTAMPTZ(3) NOT NULL,
    "items" JSONB NOT NULL,
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_outbox_pkey" PRIMARY KEY ("id")
);

-- Takeover looks for expired leases: an index probe, not a walk over a table that churns (every row is deleted
-- within moments of its insert). Renewals (rare: only rows in flight for over a third of the lease) move it.
CREATE INDEX "webhook_outbox_lease_until_idx" ON "webhook_outbox"("lease_until");
