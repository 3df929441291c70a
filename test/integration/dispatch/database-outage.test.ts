// Issue 12, point 1, for the dispatcher: its poll loop and outcome writes live through terminated backends (the
// work is retried on new connections), and a stop while the database is out of reach ends cleanly, leaving the
// claims to lease recovery, instead of rejecting and cutting the rest of the shutdown short.
import { afterEach, expect, it } from 'vitest';
import { withAdminClient } from '../../helpers/postgres-admin.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { createFakeSmscGateway } from '../../fakes/fake-smsc-gateway.js';
import { insertQueuedMessages, newAccount, statusCounts, testDispatcher, waitFor } from './dispatch-fixtures.js';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it('keeps sending through terminated backends and stops cleanly when the database is gone', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const db = await testDb.open();
  cleanup.push(() => db.close());
  const accountSid = await newAccount(db);
  const dispatcherDb = await testDb.open();
  const sip = createFakeSmscGateway({ latencyMs: 300 });
  const dispatcher = testDispatcher({ db: dispatcherDb, gateways: { sip } });
  dispatcher.start();

  await insertQueuedMessages(db, accountSid, 50);
  await waitFor('the first messages sent', async () => (await statusCounts(db)).sent === 50);
  for (let cut = 0; cut < 3; cut += 1) {
    await insertQueuedMessages(db, accountSid, 50);
    await withAdminClient((client) => client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [testDb.name],
    ));
  }
  await waitFor('every message sent', async () => (await statusCounts(db)).sent === 200);

  // Some messages claimed, then the database goes away under the dispatcher.
  await insertQueuedMessages(db, accountSid, 10);
  await waitFor('claims', async () => ((await statusCounts(db)).sending ?? 0) > 0);
  await dispatcherDb.close();
  await expect(dispatcher.stop({ drainMs: 100 })).resolves.toBeUndefined();
});
