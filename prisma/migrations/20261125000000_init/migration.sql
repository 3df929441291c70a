-- CreateTable
CREATE TABLE "accounts" (
    "sid" TEXT NOT NULL,
    "friendly_name" TEXT NOT NULL,
    "auth_token" TEXT NOT NULL,
    "owner_account_sid" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "type" TEXT NOT NULL DEFAULT 'Full',
    "sms_route" TEXT,
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "date_updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("sid")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "sid" TEXT NOT NULL,
    "account_sid" TEXT NOT NULL,
    "friendly_name" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "date_updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("sid")
);

-- CreateTable
CREATE TABLE "phone_numbers" (
    "sid" TEXT NOT NULL,
    "account_sid" TEXT NOT NULL,
    "phone_number" TEXT NOT NULL,
    "friendly_name" TEXT NOT NULL,
    "sms_url" TEXT,
    "sms_method" TEXT NOT NULL DEFAULT 'POST',
    "sms_fallback_url" TEXT,
    "sms_fallback_method" TEXT NOT NULL DEFAULT 'POST',
    "status_callback" TEXT,
    "status_callback_method" TEXT NOT NULL DEFAULT 'POST',
    "sms_route" TEXT,
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "date_updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "phone_numbers_pkey" PRIMARY KEY ("sid")
);

-- CreateTable
CREATE TABLE "messages" (
    "sid" TEXT NOT NULL,
    "account_sid" TEXT NOT NULL,
    "from_address" TEXT,
    "to_address" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "num_segments" INTEGER NOT NULL DEFAULT 1,
    "num_media" INTEGER NOT NULL DEFAULT 0,
    "price" TEXT,
    "price_unit" TEXT NOT NULL DEFAULT 'USD',
    "error_code" INTEGER,
    "error_message" TEXT,
    "status_callback" TEXT,
    "status_callback_method" TEXT NOT NULL DEFAULT 'POST',
    "coding" INTEGER NOT NULL DEFAULT 0,
    "udh" TEXT,
    "message_class" INTEGER,
    "valid_until" TIMESTAMPTZ(3),
    "next_attempt_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimed_by" TEXT,
    "claimed_until" TIMESTAMPTZ(3),
    "route" TEXT,
    "receipt_requested" BOOLEAN NOT NULL DEFAULT false,
    "in_reply_to_sid" TEXT,
    "smsc_id" TEXT,
    "smsc_delivery_time" TEXT,
    "sip_request_key" TEXT,
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "date_updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "date_sent" TIMESTAMPTZ(3),

    CONSTRAINT "messages_pkey" PRIMARY KEY ("sid")
);

-- CreateTable
CREATE TABLE "message_events" (
    "id" BIGSERIAL NOT NULL,
    "message_sid" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_receipts" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "raw_text" TEXT NOT NULL,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "smsc_message_id" TEXT,
    "stat" TEXT,
    "err" TEXT,
    "submit_date" TEXT,
    "done_date" TEXT,
    "text" TEXT,
    "message_sid" TEXT,
    "match_attempts" INTEGER NOT NULL DEFAULT 0,
    "next_match_at" TIMESTAMPTZ(3),
    "date_received" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "date_matched" TIMESTAMPTZ(3),

    CONSTRAINT "delivery_receipts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "smsc_submissions" (
    "id" BIGSERIAL NOT NULL,
    "message_sid" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "part_number" INTEGER NOT NULL DEFAULT 1,
    "total_parts" INTEGER NOT NULL DEFAULT 1,
    "smsc_message_id" TEXT,
    "status" TEXT NOT NULL DEFAULT 'submitted',
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "date_updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "smsc_submissions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "account_sid" TEXT NOT NULL,
    "message_sid" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "fallback_url" TEXT,
    "fallback_method" TEXT,
    "params" JSONB NOT NULL,
    "idempotency_token" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    "claimed_by" TEXT,
    "claimed_until" TIMESTAMPTZ(3),
    "last_http_status" INTEGER,
    "last_error" TEXT,
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "date_completed" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_attempts" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "url" TEXT NOT NULL,
    "http_status" INTEGER,
    "latency_ms" INTEGER NOT NULL,
    "error_code" INTEGER,
    "error" TEXT,
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mo_parts" (
    "id" BIGSERIAL NOT NULL,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "reference" INTEGER NOT NULL,
    "total" INTEGER NOT NULL,
    "sequence" INTEGER NOT NULL,
    "body" TEXT NOT NULL,
    "coding" INTEGER NOT NULL,
    "udh" TEXT,
    "smsc_id" TEXT,
    "delivery_time" TEXT,
    "route" TEXT NOT NULL DEFAULT 'sip',
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    "date_received" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mo_parts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "accounts_owner_account_sid_idx" ON "accounts"("owner_account_sid");

-- CreateIndex
CREATE INDEX "api_keys_account_sid_idx" ON "api_keys"("account_sid");

-- CreateIndex
CREATE UNIQUE INDEX "phone_numbers_phone_number_key" ON "phone_numbers"("phone_number");

-- CreateIndex
CREATE INDEX "phone_numbers_account_sid_idx" ON "phone_numbers"("account_sid");

-- CreateIndex
CREATE UNIQUE INDEX "messages_sip_request_key_key" ON "messages"("sip_request_key");

-- CreateIndex
CREATE INDEX "messages_account_sid_date_created_sid_idx" ON "messages"("account_sid", "date_created" DESC, "sid" DESC);

-- CreateIndex
CREATE INDEX "messages_status_next_attempt_at_idx" ON "messages"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "messages_to_address_from_address_status_date_sent_idx" ON "messages"("to_address", "from_address", "status", "date_sent");

-- CreateIndex
CREATE INDEX "message_events_message_sid_id_idx" ON "message_events"("message_sid", "id");

-- CreateIndex
CREATE INDEX "delivery_receipts_message_sid_idx" ON "delivery_receipts"("message_sid");

-- CreateIndex
CREATE INDEX "delivery_receipts_message_sid_next_match_at_idx" ON "delivery_receipts"("message_sid", "next_match_at");

-- CreateIndex
CREATE INDEX "delivery_receipts_smsc_message_id_idx" ON "delivery_receipts"("smsc_message_id");

-- CreateIndex
CREATE INDEX "smsc_submissions_message_sid_idx" ON "smsc_submissions"("message_sid");

-- CreateIndex
CREATE INDEX "smsc_submissions_route_smsc_message_id_idx" ON "smsc_submissions"("route", "smsc_message_id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_idempotency_token_key" ON "webhook_deliveries"("idempotency_token");

-- CreateIndex
CREATE INDEX "webhook_deliveries_state_next_attempt_at_idx" ON "webhook_deliveries"("state", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_message_sid_id_idx" ON "webhook_deliveries"("message_sid", "id");

-- CreateIndex
CREATE INDEX "webhook_attempts_delivery_id_idx" ON "webhook_attempts"("delivery_id");

-- CreateIndex
CREATE INDEX "mo_parts_deadline_idx" ON "mo_parts"("deadline");

-- CreateIndex
CREATE UNIQUE INDEX "mo_parts_from_address_to_address_reference_total_sequence_key" ON "mo_parts"("from_address", "to_address", "reference", "total", "sequence");

-- AddForeignKey
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_owner_account_sid_fkey" FOREIGN KEY ("owner_account_sid") REFERENCES "accounts"("sid") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_account_sid_fkey" FOREIGN KEY ("account_sid") REFERENCES "accounts"("sid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "phone_numbers" ADD CONSTRAINT "phone_numbers_account_sid_fkey" FOREIGN KEY ("account_sid") REFERENCES "accounts"("sid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_account_sid_fkey" FOREIGN KEY ("account_sid") REFERENCES "accounts"("sid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_events" ADD CONSTRAINT "message_events_message_sid_fkey" FOREIGN KEY ("message_sid") REFERENCES "messages"("sid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_receipts" ADD CONSTRAINT "delivery_receipts_message_sid_fkey" FOREIGN KEY ("message_sid") REFERENCES "messages"("sid") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "smsc_submissions" ADD CONSTRAINT "smsc_submissions_message_sid_fkey" FOREIGN KEY ("message_sid") REFERENCES "messages"("sid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;
