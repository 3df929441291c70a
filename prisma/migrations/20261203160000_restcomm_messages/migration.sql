-- RestComm-Connect compatibility (docs/restcomm.md). `api_dialect` records which API created an outbound
-- message ('restcomm' for /restcomm/2012-04-24/…/SMS/Messages, NULL for the Twilio API), so that its status
-- callbacks carry the parameters that API's applications read. `sip_headers` holds the extra X- headers a
-- RestComm send asked for (form fields X-…), as a JSON object name -> value, copied onto the outgoing MESSAGE.

-- AlterTable
ALTER TABLE "messages" ADD COLUMN "api_dialect" TEXT,
ADD COLUMN "sip_headers" JSONB;
