-- message_events.message_sid loses its foreign key: each event insert locked its message row (FOR KEY SHARE)
-- while the pipeline was updating that row, about a third of the database's CPU in `npm run bench`. Deleting a
-- message now deletes its events in the same statement (src/store/message-store.ts deleteMessage).

-- DropForeignKey
ALTER TABLE "message_events" DROP CONSTRAINT "message_events_message_sid_fkey";
