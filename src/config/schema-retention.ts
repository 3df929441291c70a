// Retention: how long messages and their history are kept, and how the background sweeper deletes the rest
// (src/dispatch/retention-sweeper.ts; the arithmetic behind the defaults is in docs/scaling.md).
import Type from 'typebox';

export const retentionSchema = {
  MESSAGE_RETENTION_DAYS: Type.Integer({
    minimum: 0,
    maximum: 36_500,
    default: 0,
    description:
      'Days a message is kept after it was created; `0` keeps everything (the default). Older messages that are ' +
      'finished (not queued, sending, accepted, scheduled or receiving, and with no webhook still to deliver) are ' +
      'deleted in the background with their events, receipts, SMSC submissions and webhook deliveries; so are ' +
      'unmatched receipts received before that age. Deleted messages are gone from the API and the console.',
  }),
  RETENTION_BATCH_SIZE: Type.Integer({
    minimum: 1,
    maximum: 10_000,
    default: 1_000,
    description:
      'Messages the retention sweeper deletes per statement (with their history: several rows each). Larger ' +
      'batches delete faster but hold their row locks and WAL burst longer.',
  }),
  RETENTION_BATCH_PAUSE_MS: Type.Integer({
    minimum: 0,
    maximum: 600_000,
    default: 100,
    description:
      'Pause after each retention batch, leaving the database to the pipeline. The sweeper deletes at most ' +
      '`RETENTION_BATCH_SIZE` messages per batch time plus this pause; that rate must exceed the rate messages ' +
      'arrive at, or the backlog of expired messages grows (docs/scaling.md).',
  }),
  RETENTION_INTERVAL_S: Type.Integer({
    minimum: 1,
    maximum: 86_400,
    default: 300,
    description: 'Seconds from the end of one retention pass (nothing expired left) to the start of the next.',
  }),
};
