-- Inbound user data kept as bytes (issue 12.3): PostgreSQL text cannot hold 0x00, so an 8-bit MO holding a zero
-- octet, or text holding U+0000, could never be stored and was answered "try again later" for 72 hours. The bytes
-- now go to bytea; `body` keeps the text (8-bit data: its hex). Nullable: outbound messages and the rows written
-- before this migration have no payload.

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "payload" BYTEA;

-- AlterTable
ALTER TABLE "mo_parts" ADD COLUMN     "payload" BYTEA;
