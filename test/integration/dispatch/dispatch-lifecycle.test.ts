// Dispatcher lifecycle on PostgreSQL: crash recovery through leases, graceful stop, throttles, SMSC outage.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimMessages } from '../../../src/dispatch/claim.js';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { createFakeSmscGateway, type RecordedSubmission } from '../../fakes/fake-smsc-gateway.js';
import { insertQueuedMessages, newAccount, statusCounts, testDispatcher, waitFor } from './dispatch-fixtures.js';

let testDb: TestDatabase;
let db: Database;
const running: Array<ReturnType<typeof testDispatcher>> = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await testDb.open();
});

afterEach(async () => {
  for (const dispatcher of running.splice(0)) await dispatcher.stop({ drainMs: 100 });
  await db.query(`DELETE FROM messages`);
});

afterAll(async () => {
  await db.close();
  await testDb.drop();
});

function start(dispatcher: ReturnType<typeof testDispatcher>) {
  running.push(dispatcher);
  dispatcher.start();
  return dispatcher;
}

/** The most submissions inside any window of `windowMs` starting at a submission. */
function busiestWindow(submissions: readonly RecordedSubmission[], windowMs: number): number {
  const times = submissions.map((s) => s.at).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < times.length; i++) {
    let j = i;
    while (j < times.length && times[j]! < times[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe('dispatcher lifecycle', () => {
  it('recovers the claims of a crashed instance once their lease ends, and sends them', async () => {
    const account = await newAccount(db);
    const sids = await insertQueuedMessages(db, account, 20);
    // The "crashed" instance claimed everything and vanished without answering or releasing.
    const crashed = await db.transaction((query) => claimMessages(query, { instanceId: 'crashed', limit: 100, leaseMs: 300, defaultRoute: 'sip' }));
    expect(crashed).toHaveLength(20);

    const sip = createFakeSmscGateway();
    const dispatcher = start(testDispatcher({ db, gateways: { sip }, leaseMs: 400 }));
    await waitFor('all sent', async () => (await statusCounts(db)).sent === 20);

    expect(new Set(sip.submissions.map((s) => s.message.sid))).toEqual(new Set(sids));
    const attempts = await db.query<{ attempts: number }>(`SELECT attempts FROM messages`);
    expect(attempts.every((r) => r.attempts === 2)).toBe(true);
    const events = await db.query<{ detail: { claimedBy: string } }>(`SELECT detail FROM message_events WHERE type = 'lease_expired'`);
    expect(events).toHaveLength(20);
    expect(events.every((e) => e.detail.claimedBy === 'crashed')).toBe(true);
    expect(dispatcher.stats().recovered).toBe(20);
  });

  it('stop() lets sends in flight finish, records them, and hands unsent claims back', async () => {
    const account = await newAccount(db);
    await insertQueuedMessages(db, account, 20);
    const sip = createFakeSmscGateway({ latencyMs: 300 });
    const dispatcher = testDispatcher({ db, gateways: { sip }, maxInFlight: 5, instanceId: 'draining' });
    dispatcher.start();
    await waitFor('five sends on the wire', () => sip.startedCount() === 5);
    await dispatcher.stop({ drainMs: 5000 });

    expect(sip.submissions).toHaveLength(5);
    expect(await statusCounts(db)).toEqual({ sent: 5, queued: 15 });
    const held = await db.query(`SELECT sid FROM messages WHERE claimed_by IS NOT NULL`);
    expect(held).toEqual([]);
  });

  it('stop() releases claims whose sends outlive the drain period', async () => {
    const account = await newAccount(db);
    await insertQueuedMessages(db, account, 3);
    const sip = createFakeSmscGateway({ latencyMs: 3000 });
    const dispatcher = testDispatcher({ db, gateways: { sip }, instanceId: 'impatient' });
    dispatcher.start();
    await waitFor('three sends on the wire', () => sip.startedCount() === 3);
    await dispatcher.stop({ drainMs: 50 });

    const rows = await db.query<{ status: string; claimed_by: string | null; attempts: number }>(`SELECT status, claimed_by, attempts FROM messages`);
    expect(rows).toEqual(Array(3).fill({ status: 'queued', claimed_by: null, attempts: 1 }));
    const released = await db.query(`SELECT count(*)::int AS n FROM message_events WHERE type = 'released'`);
    expect(released).toEqual([{ n: 3 }]);
  });

  it('keeps under maxRatePerSecond in every sliding second', async () => {
    const account = await newAccount(db);
    await insertQueuedMessages(db, account, 60);
    const sip = createFakeSmscGateway();
    start(testDispatcher({ db, gateways: { sip }, maxRatePerSecond: 25 }));
    await waitFor('all sent', async () => (await statusCounts(db)).sent === 60);

    expect(sip.submissions).toHaveLength(60);
    // One message of tolerance for timer granularity at the window's edges.
    expect(busiestWindow(sip.submissions, 1000)).toBeLessThanOrEqual(26);
  });

  it('paces each sender separately and defers, never refuses, what cannot wait', async () => {
    const account = await newAccount(db);
    await insertQueuedMessages(db, account, 20, { from: '+15005550001' });
    await insertQueuedMessages(db, account, 20, { from: '+15005550002' });
    const sip = createFakeSmscGateway();
    const dispatcher = start(testDispatcher({ db, gateways: { sip }, senderMaxRatePerSecond: 10, senderHoldMs: 200 }));
    await waitFor('all sent', async () => (await statusCounts(db)).sent === 40);

    for (const from of ['+15005550001', '+15005550002']) {
      const mine = sip.submissions.filter((s) => s.message.from === from);
      expect(mine).toHaveLength(20);
      expect(busiestWindow(mine, 1000)).toBeLessThanOrEqual(11);
    }
    // Both senders together went faster than one sender's limit: the limit is per sender.
    expect(busiestWindow(sip.submissions, 1000)).toBeGreaterThan(11);
    expect(dispatcher.stats().deferred).toBeGreaterThan(0);
    const attempts = await db.query<{ attempts: number }>(`SELECT DISTINCT attempts FROM messages`);
    expect(attempts).toEqual([{ attempts: 1 }]);
  });

  it('claims nothing while its gateway is down, and sends once it is back', async () => {
    const account = await newAccount(db);
    await insertQueuedMessages(db, account, 10);
    const sip = createFakeSmscGateway({ ready: false });
    const dispatcher = start(testDispatcher({ db, gateways: { sip } }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(dispatcher.stats().claimed).toBe(0);
    expect(await statusCounts(db)).toEqual({ queued: 10 });

    sip.setReady(true);
    await waitFor('all sent', async () => (await statusCounts(db)).sent === 10);
    expect(sip.submissions).toHaveLength(10);
  });
});
