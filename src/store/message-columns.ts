// The messages columns under the Prisma client's field names, so rows read with raw SQL (the hot insert, the
// keyset list) have exactly the shape of Prisma's Message.
export const MESSAGE_COLUMNS = `
  sid, account_sid AS "accountSid", from_address AS "from", to_address AS "to", body, status, direction,
  num_segments AS "numSegments", num_media AS "numMedia", price, price_unit AS "priceUnit",
  error_code AS "errorCode", error_message AS "errorMessage", status_callback AS "statusCallback",
  status_callback_method AS "statusCallbackMethod", coding, udh, payload, message_class AS "messageClass",
  valid_until AS "validUntil", next_attempt_at AS "nextAttemptAt", attempts, claimed_by AS "claimedBy",
  claimed_until AS "claimedUntil", route, receipt_requested AS "receiptRequested", in_reply_to_sid AS "inReplyToSid",
  smsc_id AS "smscId", smsc_delivery_time AS "smscDeliveryTime", sip_request_key AS "sipRequestKey",
  api_dialect AS "apiDialect", sip_headers AS "sipHeaders",
  messaging_service_sid AS "messagingServiceSid", date_created AS "dateCreated", date_updated AS "dateUpdated",
  date_sent AS "dateSent"`;
