// The readiness write probe (issue 12, point 2): true when an insert into `messages` could commit now, false
// within its bound while the table is locked against inserts or the server accepts no writes, and true again
// after. `SELECT 1`, the old probe, answers in all of these cases.
import { afterEach, expect, it } from 'vitest';
import { createWriteProbe } from '../../../src/store/write-probe.js';
import { withAdminClient } from '../../helpers/postgres-admin.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { waitFor } from '../../helpers/wait-for.js';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it('answers false while messages is locked against inserts or the database is read-only, true otherwise', async () => {
  const testDb = await createTestDatabase();
  cleanup.push(() => testDb.drop());
  const db = await testDb.open();
  cleanup.push(() => db.close());
  const probe = createWriteProbe({ db, timeoutMs: 500 });
  expect(await probe()).toBe(true);

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
  )).length > 0);
  expect(await db.query('SELECT 1')).toHaveLength(1);
  expect(await probe()).toBe(false);
  release();
  await locking;
  // Ready again from the first probe that starts after the lock is gone (one still waiting on the lock when it
  // went may answer either way: callers share the probe in flight).
  await waitFor('the probe to answer true once the lock is gone', () => probe());

  // A failover tool's read-only switch: new sessions refuse writes, though SELECT 1 still answers.
  await withAdminClient((client) => client.query(`ALTER DATABASE "${testDb.name}" SET default_transaction_read_only = on`));
  const readOnly = await testDb.open();
  cleanup.push(() => readOnly.close());
  expect(await readOnly.query('SELECT 1')).toHaveLength(1);
  expect(await createWriteProbe({ db: readOnly, timeoutMs: 500 })()).toBe(false);
});
