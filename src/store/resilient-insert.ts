// The API's message insert, made to survive a lost database connection (a server restart or failover, an
// operator's pg_terminate_backend). When the connection breaks under the INSERT, the client cannot know whether
// it committed. The rows' sids are ours and random, so their presence in `messages` is proof: the writer reads
// them back on a new connection and
// - finds them (all but those the insert refused, opted-out recipients): the insert committed; the callers get
//   their rows (a 201, not a false failure) and the refused ones their null;
// - finds none: the insert did not commit (or refused every row); it is written again, which refuses the same
//   rows again and writes the others;
// - cannot tell before the deadline (the database stays out of reach): CommitUnknownError, answered 503 with
//   the sid, so the client can look before creating the message again.
// One statement commits all of its rows or none, so a partial answer cannot happen. A re-insert that meets its
// own rows (23505: an old backend that committed late, after a network cut) is read back in the same way.
// docs/faults.md describes these semantics.
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors/app-error.js';
import type { MessageRecord, NewOutboundMessage } from '../messaging/ports.js';
import type { SqlQuery } from './database.js';
import { databaseFailure } from './database-errors.js';
import { MESSAGE_COLUMNS } from './message-columns.js';
import { insertOutboundMessages, matchReturnedRows } from './message-store.js';
import { isUniqueViolation } from './prisma-errors.js';

/** The insert of these messages may or may not have committed, and the database could not be asked in time. */
export class CommitUnknownError extends Error {
  override readonly name = 'CommitUnknownError';
  constructor(readonly sids: readonly string[], options: { cause: unknown }) {
    super(`connection lost while inserting ${sids.length} message(s); outcome unknown`, options);
  }
}

export interface ResilientInsertOptions {
  query: SqlQuery;
  messages: readonly NewOutboundMessage[];
  /** How long after the first attempt the writer keeps trying to learn the outcome and write again. */
  recoverForMs: number;
  /** Told about each lost connection the insert recovers from. */
  onRecovery?(error: unknown): void;
}

/** One result per message, in order: its row, or null when the insert refused it (opted-out recipient). */
export async function insertMessagesResiliently(options: ResilientInsertOptions): Promise<Array<MessageRecord | null>> {
  const { query, messages } = options;
  const deadline = Date.now() + options.recoverForMs;
  let lost: unknown = null;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await insertOutboundMessages(query, messages);
    } catch (error) {
      const ours = lost !== null && isUniqueViolation(error);
      if (!ours && databaseFailure(error) !== 'connection-lost') throw error;
      if (!ours) lost = error;
      options.onRecovery?.(error);
    }
    const committed = await readBack({ query, messages, deadline, lost, attempt });
    if (committed !== null) return committed;
    // Known not to be stored: past the deadline, that is the plain "not carried out" 503.
    if (Date.now() >= deadline) throw new AppError('databaseTimedOut', {}, { cause: lost });
  }
}

/** The committed rows, or null when none of them is there; retries reads lost in turn until the deadline. */
async function readBack(options: {
  query: SqlQuery; messages: readonly NewOutboundMessage[]; deadline: number; lost: unknown; attempt: number;
}): Promise<Array<MessageRecord | null> | null> {
  const sids = options.messages.map((m) => m.sid);
  for (let round = options.attempt; ; round += 1) {
    // A restarting server refuses connections for a while: wait a little, growing, within the deadline.
    const pause = Math.min(50 * 2 ** Math.min(round, 5), options.deadline - Date.now());
    if (pause < 0) throw new CommitUnknownError(sids, { cause: options.lost });
    await sleep(pause);
    let rows: MessageRecord[];
    try {
      rows = await options.query<MessageRecord>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sid = ANY($1::text[])`, [sids]);
    } catch (error) {
      if (databaseFailure(error) === null) throw error;
      continue;
    }
    if (rows.length === 0) return null;
    // A row missing for a message that did not ask for the opt-out check would mean a partly committed statement.
    return matchReturnedRows(options.messages, rows);
  }
}
