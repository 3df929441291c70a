// Issue 12, point 1, for the webhook worker: its polls and outcome writes live through terminated backends, and a
// stop while the database is out of reach ends cleanly (the claims are left to their leases) instead of
// rejecting and cutting the rest of the shutdown short.
import { afterEach, expect, it } from 'vitest';
import { withAdminClient } from '../../helpers/postgres-admin.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { delivery, insertInbound, newAccount, startSignedReceiver, testWorker, twiml, waitFor } from './fixtures.js';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it('delivers every webhook through terminated backends and stops cleanly when the database is gone', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const db = await testDb.open();
  cleanup.push(() => db.close());
  const account = await newAccount(db);
  const receiver = await startSignedReceiver(() => account.authToken);
  cleanup.push(() => receiver.close());
  let slow = false;
  receiver.answer((_req, res) => {
    if (slow) setTimeout(() => twiml(res, '<Response/>'), 2_000);
    else twiml(res, '<Response/>');
  });
  const workerDb = await testDb.open();
  const worker = testWorker({ db: workerDb });
  worker.start();

  const ids: string[] = [];
  for (let i = 0; i < 60; i += 1) ids.push((await insertInbound(db, { accountSid: account.sid, url: `${receiver.baseUrl}/sms` })).deliveryId);
  // The test's own connections are cut too: its reads are retried until they go through.
  const succeeded = async () => {
    try {
      const states = await Promise.all(ids.map(async (id) => (await delivery(db, id)).state));
      return states.filter((state) => state === 'succeeded').length;
    } catch {
      return -1;
    }
  };
  for (let cut = 1; cut <= 3; cut += 1) {
    await waitFor(`${cut * 10} webhooks delivered`, async () => (await succeeded()) >= cut * 10, { timeoutMs: 30_000 });
    await withAdminClient((client) => client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [testDb.name],
    ));
  }
  await waitFor('every webhook delivered', async () => (await succeeded()) === ids.length, { timeoutMs: 30_000 });

  // Calls in flight, then the database goes away under the worker.
  slow = true;
  const last = await insertInbound(db, { accountSid: account.sid, url: `${receiver.baseUrl}/sms` });
  await waitFor('a claim', async () => (await delivery(db, last.deliveryId).catch(() => null))?.claimed_by != null);
  await workerDb.close();
  await expect(worker.stop({ drainMs: 100 })).resolves.toBeUndefined();
});
