// Group commit of the inbound path (group-commit.ts has the scheduling rule). Concurrent MO SMS, from SIP MESSAGE
// or SMPP deliver_sm, are received together by receiveSmsBatch in ONE transaction: whole messages then cost a
// fixed handful of statements per batch instead of about six each, which is what the database spent its CPU on.
// Every caller's promise settles only after that commit, so the SMSC is acknowledged (SIP 200, deliver_sm_resp)
// only for what is durable.
//
// A batch broken by one SMS (a value the database refuses, a request key race: SQLSTATE 22/23) or by a deadlock with
// another instance (40) is retried one SMS at a time through receiveSms, so only the bad SMS fails and the SMSC
// retries just that one. Any other error (connection lost) fails every SMS of the batch: all are retried by the SMSC.
import type { Database } from '../store/database.js';
import { createGroupCommit } from '../store/group-commit.js';
import { cacheIncomingNumbers, type IncomingNumberLookup } from '../store/incoming-number-store.js';
import { receiveSms, receiveSmsBatch, type ReceiveSmsOptions, type ReceiveSmsResult } from './receive-sms.js';

export interface InboundBatcherOptions {
  db: Database;
  /** Most SMS per transaction (default 100). */
  maxBatchSize?: number;
  /** Where the To numbers are looked up; default a cache of 5 s (store/incoming-number-store.ts). */
  numbers?: IncomingNumberLookup;
}

export interface InboundBatcher {
  /** Resolves with the SMS's outcome once the transaction that stored it has committed. */
  receiveSms(options: ReceiveSmsOptions): Promise<ReceiveSmsResult>;
  /** SMS accepted but not yet committed (waiting or being written). */
  readonly pending: number;
  /** Resolves when every accepted item has committed (or failed). */
  idle(): Promise<void>;
}

export function createInboundBatcher(options: InboundBatcherOptions): InboundBatcher {
  const { db } = options;
  const numbers = options.numbers ?? cacheIncomingNumbers();
  const commits = createGroupCommit<ReceiveSmsOptions, ReceiveSmsResult>({
    writeBatch: (items) => receiveSmsBatch(db, items, numbers),
    writeOne: (item) => receiveSms(db, item, numbers),
    ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
  });
  return {
    receiveSms: (sms) => commits.submit(sms),
    get pending() {
      return commits.pending;
    },
    idle: () => commits.idle(),
  };
}
