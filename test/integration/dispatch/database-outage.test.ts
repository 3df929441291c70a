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

  await insertQueuedMessages(db, accountSid, 200);
  // The test's own connections are cut too: its reads are retried until they go through.
  const sent = async () => (await statusCounts(db).catch(() => ({ sent: -1 }))).sent ?? 0;
  for (let cut = 1; cut <= 3; cut += 1) {
    await waitFor(`${cut * 40} messages sent`, async () => (await sent()) >= cut * 40);
    await withAdminClient((client) => client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [testDb.name],
    ));
  }
  await waitFor('every message sent', async () => (await sent()) === 200);

  // Some messages claimed, then the database goes away under the dispatcher.
  await waitFor('an insert', async () => (await insertQueuedMessages(db, accountSid, 10).catch(() => undefined)) !== undefined);
  await waitFor('claims', async () => ((await statusCounts(db).catch(() => ({ sending: 0 }))).sending ?? 0) > 0);
  await dispatcherDb.close();
  await expect(dispatcher.stop({ drainMs: 100 })).resolves.toBeUndefined();
});
