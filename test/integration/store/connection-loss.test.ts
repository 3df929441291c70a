// Issue 12, point 1: a PostgreSQL backend terminated under the service (pg_terminate_backend, a restart, a
// failover). node-postgres emits 'error' on a checked-out client whose connection breaks; without a listener of
// our own that is an unhandled 'error' event and the process ends. The work on it must fail as a rejected
// promise (retryable), and the API's message insert must recover by itself: read back, write again.
import { afterEach, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NewOutboundMessage } from '../../../src/messaging/ports.js';
import { newSid } from '../../../src/messaging/sid.js';
import { ensureAccount } from '../../../src/store/account-store.js';
import { createBatchedMessageWriter } from '../../../src/store/batched-message-writer.js';
import { databaseFailure } from '../../../src/store/database-errors.js';
import { withAdminClient } from '../../helpers/postgres-admin.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { waitFor } from '../../helpers/wait-for.js';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** Terminates the backends of `database` running a statement that matches `like`; returns how many. */
async function terminate(database: string, condition: string): Promise<number> {
  return withAdminClient(async (client) => {
    const result = await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND ${condition}`,
      [database],
    );
    return result.rowCount ?? 0;
  });
}

it('rejects a transaction whose backend is terminated, without an unhandled error, and works again after', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const db = await testDb.open();
  cleanup.push(() => db.close());

  const running = db.transaction((query) => query('SELECT pg_sleep(30)')).catch((error: unknown) => error);
  await waitFor('the transaction to run', async () => (await terminate(testDb.name, "query LIKE 'SELECT pg_sleep%'")) > 0, { timeoutMs: 10_000 });
  const error = await running;
  expect(databaseFailure(error)).toBe('connection-lost');
  // Give node-postgres the turn in which it emits 'error' on the client (the crash on the old code).
  await sleep(100);
  const [row] = await db.transaction((query) => query<{ ok: number }>('SELECT 1 AS ok'));
  expect(row).toEqual({ ok: 1 });
});

it('writes a message whose insert lost its connection again, once, and resolves the caller', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const db = await testDb.open();
  cleanup.push(() => db.close());
  const account = await ensureAccount(db, { sid: `AC${'1'.repeat(32)}`, authToken: 'token-0123456789abcdef' });
  const writer = createBatchedMessageWriter({ db, recoverForMs: 20_000 });
  const message: NewOutboundMessage = {
    sid: newSid('SM'), accountSid: account.sid, from: '+15005550006', to: '+15551234567', body: 'survives', numSegments: 1, coding: 0,
    udh: null, messageClass: null, validitySeconds: 36000, statusCallback: null, statusCallbackMethod: 'POST', receiptRequested: true,
  };

  // A lock held elsewhere keeps the INSERT waiting, so its backend can be terminated mid-statement.
  const locker = await testDb.open();
  cleanup.push(() => locker.close());
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const locking = locker.transaction(async (query) => {
    await query('LOCK TABLE messages IN SHARE MODE');
    await held;
  });
  await waitFor('the lock', async () => (await db.query(
    "SELECT 1 FROM pg_locks WHERE relation = 'messages'::regclass AND mode = 'ShareLock' AND granted",
  )).length > 0, { timeoutMs: 10_000 });
  const inserting = writer.insertMessage(message).then((row) => row, (error: unknown) => error);
  await waitFor('the insert to wait for the lock', async () =>
    (await terminate(testDb.name, "wait_event_type = 'Lock' AND query LIKE '%INSERT INTO messages%'")) > 0, { timeoutMs: 10_000 });
  release();
  await locking;

  const result = await inserting;
  expect(result).toMatchObject({ sid: message.sid, status: 'queued' });
  const [count] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE sid = $1', [message.sid]);
  expect(count?.n).toBe(1);
  const [events] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM message_events WHERE message_sid = $1", [message.sid]);
  // Its queued step is the row itself: no event row (a retried insert must not leave a stray one either).
  expect(events?.n).toBe(0);
});
