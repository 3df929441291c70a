-- Messaging Services (issue 16): services with their sender pool, sticky-sender mappings, opt-outs (STOP), and
-- the service a message was sent through. A scheduled message is a `messages` row with status 'scheduled' and
-- next_attempt_at = SendAt; the existing (status, next_attempt_at) index serves the sweep that releases it.

-- CreateTable
CREATE TABLE "messaging_services" (
    "sid" TEXT NOT NULL,
    "account_sid" TEXT NOT NULL,
    "friendly_name" TEXT NOT NULL,
    "inbound_request_url" TEXT,
    "inbound_method" TEXT NOT NULL DEFAULT 'POST',
    "fallback_url" TEXT,
    "fallback_method" TEXT NOT NULL DEFAULT 'POST',
    "status_callback" TEXT,
    "sticky_sender" BOOLEAN NOT NULL DEFAULT true,
    "mms_converter" BOOLEAN NOT NULL DEFAULT true,
    "smart_encoding" BOOLEAN NOT NULL DEFAULT true,
    "scan_message_content" TEXT NOT NULL DEFAULT 'inherit',
    "fallback_to_long_code" BOOLEAN NOT NULL DEFAULT true,
    "area_code_geomatch" BOOLEAN NOT NULL DEFAULT true,
    "synchronous_validation" BOOLEAN NOT NULL DEFAULT false,
    "validity_period" INTEGER NOT NULL DEFAULT 36000,
    "usecase" TEXT NOT NULL DEFAULT 'undeclared',
    "use_inbound_webhook_on_number" BOOLEAN NOT NULL DEFAULT false,
    "opt_out_reply" TEXT,
    "opt_in_reply" TEXT,
    "help_reply" TEXT,
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "date_updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messaging_services_pkey" PRIMARY KEY ("sid")
);

-- CreateTable
CREATE TABLE "messaging_service_numbers" (
    "phone_number_sid" TEXT NOT NULL,
    "service_sid" TEXT NOT NULL,
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "date_updated" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messaging_service_numbers_pkey" PRIMARY KEY ("phone_number_sid")
);

-- CreateTable
CREATE TABLE "sticky_senders" (
    "service_sid" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "from_address" TEXT NOT NULL,
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sticky_senders_pkey" PRIMARY KEY ("service_sid","to_address")
);

-- CreateTable
CREATE TABLE "opt_outs" (
    "sid" TEXT NOT NULL,
    "account_sid" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "keyword" TEXT,
    "date_created" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "opt_outs_pkey" PRIMARY KEY ("sid")
);

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "messaging_service_sid" TEXT;

-- CreateIndex
CREATE INDEX "messaging_services_account_sid_date_created_sid_idx" ON "messaging_services"("account_sid", "date_created" DESC, "sid" DESC);

-- CreateIndex
CREATE INDEX "messaging_service_numbers_service_sid_date_created_idx" ON "messaging_service_numbers"("service_sid", "date_created");

-- CreateIndex
CREATE UNIQUE INDEX "opt_outs_account_sid_sender_recipient_key" ON "opt_outs"("account_sid", "sender", "recipient");

-- CreateIndex
CREATE INDEX "opt_outs_account_sid_date_created_sid_idx" ON "opt_outs"("account_sid", "date_created" DESC, "sid" DESC);

-- AddForeignKey
ALTER TABLE "messaging_services" ADD CONSTRAINT "messaging_services_account_sid_fkey" FOREIGN KEY ("account_sid") REFERENCES "accounts"("sid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messaging_service_numbers" ADD CONSTRAINT "messaging_service_numbers_phone_number_sid_fkey" FOREIGN KEY ("phone_number_sid") REFERENCES "phone_numbers"("sid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messaging_service_numbers" ADD CONSTRAINT "messaging_service_numbers_service_sid_fkey" FOREIGN KEY ("service_sid") REFERENCES "messaging_services"("sid") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sticky_senders" ADD CONSTRAINT "sticky_senders_service_sid_fkey" FOREIGN KEY ("service_sid") REFERENCES "messaging_services"("sid") ON DELETE CASCADE ON UPDATE CASCADE;
