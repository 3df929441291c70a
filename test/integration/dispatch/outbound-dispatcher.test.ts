// The outbound dispatcher against a real PostgreSQL database (cloned per file) and a scripted fake SMSC gateway.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadMessageHistory } from '../../../src/store/message-history-store.js';
import type { Database } from '../../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { createFakeSmscGateway, permanentFailure, temporaryFailure } from '../../fakes/fake-smsc-gateway.js';
import { insertQueuedMessages, newAccount, statusCounts, testDispatcher, waitFor } from './dispatch-fixtures.js';

let testDb: TestDatabase;
let db: Database;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await testDb.open();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await db.query(`DELETE FROM messages`);
  await db.query(`DELETE FROM webhook_deliveries`);
});

afterAll(async () => {
  await db.close();
  await testDb.drop();
});

function started(dispatcher: ReturnType<typeof testDispatcher>) {
  dispatcher.start();
  cleanups.push(() => dispatcher.stop({ drainMs: 1000 }));
  return dispatcher;
}

describe('outbound dispatcher on PostgreSQL', () => {
  it('sends a burst of 500 queued messages exactly once each', async () => {
    const account = await newAccount(db);
    const sids = await insertQueuedMessages(db, account, 500);
    const sip = createFakeSmscGateway({ latencyMs: 1 });
    const dispatcher = started(testDispatcher({ db, gateways: { sip }, maxInFlight: 16 }));
    await waitFor('all sent', async () => (await statusCounts(db)).sent === 500);

    expect([...sip.countsBySid().values()].every((n) => n === 1)).toBe(true);
    expect(new Set(sip.submissions.map((s) => s.message.sid))).toEqual(new Set(sids));
    expect(sip.maxConcurrent()).toBeLessThanOrEqual(16);
    const rows = await db.query<{ attempts: number; date_sent: Date | null; claimed_by: string | null; route: string }>(
      `SELECT attempts, date_sent, claimed_by, route FROM messages`,
    );
    expect(rows.every((r) => r.attempts === 1 && r.date_sent !== null && r.claimed_by === null && r.route === 'sip')).toBe(true);
    // A SIP send leaves no smsc_submissions row and no event row: the SMSC's answer and the claim are on the message.
    const [written] = await db.query<{ submissions: number; events: number; kept: number }>(
      `SELECT (SELECT count(*)::int FROM smsc_submissions) AS submissions, (SELECT count(*)::int FROM message_events) AS events,
         (SELECT count(*)::int FROM messages WHERE smsc_result->>'outcome' = 'accepted' AND send_started_at IS NOT NULL
            AND route_source = 'default') AS kept`,
    );
    expect(written).toEqual({ submissions: 0, events: 0, kept: 500 });
    await waitFor('stats settle', () => dispatcher.stats().sent === 500);
    const { claimed, sent, failed, retried, inFlight } = dispatcher.stats();
    expect({ claimed, sent, failed, retried, inFlight }).toEqual({ claimed: 500, sent: 500, failed: 0, retried: 0, inFlight: 0 });
  });

  it('never sends a message twice when two instances share the database', async () => {
    const account = await newAccount(db);
    await insertQueuedMessages(db, account, 400);
    const otherDb = await testDb.open();
    cleanups.push(() => otherDb.close());
    const first = createFakeSmscGateway({ latencyMs: 2 });
    const second = createFakeSmscGateway({ latencyMs: 2 });
    started(testDispatcher({ db, gateways: { sip: first }, instanceId: 'instance-a', batchSize: 20 }));
    started(testDispatcher({ db: otherDb, gateways: { sip: second }, instanceId: 'instance-b', batchSize: 20 }));
    await waitFor('all sent', async () => (await statusCounts(db)).sent === 400);

    const all = [...first.submissions, ...second.submissions].map((s) => s.message.sid);
    expect(all).toHaveLength(400);
    expect(new Set(all).size).toBe(400);
    expect(first.submissions.length).toBeGreaterThan(0);
    expect(second.submissions.length).toBeGreaterThan(0);
  });

  it('retries temporary failures with growing backoff, then sends', async () => {
    const account = await newAccount(db);
    const [sid] = await insertQueuedMessages(db, account, 1);
    const sip = createFakeSmscGateway({ script: (_m, attempt) => (attempt < 3 ? temporaryFailure(`timeout ${attempt}`) : { kind: 'accepted', smscMessageIds: [], detail: {} }) });
    // random() = 0.999… picks the top of each jitter range: 100 ms, then 200 ms.
    started(testDispatcher({ db, gateways: { sip }, retry: { baseMs: 100, maxMs: 1000 }, random: () => 0.9999 }));
    await waitFor('sent', async () => (await statusCounts(db)).sent === 1);

    const times = sip.submissions.map((s) => s.at);
    expect(times).toHaveLength(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(90);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(190);
    const [message] = await db.query<{ attempts: number; status: string }>(`SELECT attempts, status FROM messages WHERE sid = $1`, [sid]);
    expect(message).toEqual({ attempts: 3, status: 'sent' });
    // The two retries are exceptional steps (rows); the claims and the send that worked are on the message.
    const rows = await db.query<{ type: string }>(`SELECT type FROM message_events WHERE message_sid = $1 ORDER BY id`, [sid]);
    expect(rows.map((r) => r.type)).toEqual(['send_attempt', 'send_attempt']);
    const history = (await loadMessageHistory(db, { accountSid: account, sid: sid! })) ?? [];
    expect(history.filter((e) => e.type === 'send_attempt').map((e) => [e.status, e.detail.reason ?? null, e.detail.retryInMs ?? null])).toEqual([
      [null, 'timeout 1', 100],
      [null, 'timeout 2', 200],
      ['sent', null, null],
    ]);
    expect(history.map((e) => [e.type, e.status, e.detail.attempt ?? null])).toEqual([
      ['status', 'queued', null], ['route', null, null],
      ['status', 'sending', 1], ['send_attempt', null, 1],
      ['status', 'sending', 2], ['send_attempt', null, 2],
      ['status', 'sending', 3], ['send_attempt', 'sent', 3],
    ]);
  });

  it('fails a message whose validity ended before sending with 30001, without submitting it', async () => {
    const account = await newAccount(db);
    const [sid] = await insertQueuedMessages(db, account, 1, { validUntil: new Date(Date.now() - 1000), statusCallback: 'https://example.test/cb' });
    const sip = createFakeSmscGateway();
    started(testDispatcher({ db, gateways: { sip } }));
    await waitFor('failed', async () => (await statusCounts(db)).failed === 1);

    expect(sip.submissions).toHaveLength(0);
    const [message] = await db.query(`SELECT status, error_code, error_message FROM messages WHERE sid = $1`, [sid]);
    expect(message).toEqual({
      status: 'failed',
      error_code: 30001,
      error_message: 'Queue overflow: the message was not sent before its validity period ended',
    });
    const [callback] = await db.query<{ params: Record<string, string> }>(`SELECT params FROM webhook_deliveries WHERE message_sid = $1`, [sid]);
    expect(callback?.params).toMatchObject({ MessageStatus: 'failed', ErrorCode: '30001' });
  });

  it('fails with 30001 when temporary failures outlast the validity period', async () => {
    const account = await newAccount(db);
    const [sid] = await insertQueuedMessages(db, account, 1, { validUntil: new Date(Date.now() + 400) });
    const sip = createFakeSmscGateway({ script: () => temporaryFailure('no answer') });
    started(testDispatcher({ db, gateways: { sip }, retry: { baseMs: 100, maxMs: 150 } }));
    await waitFor('failed', async () => (await statusCounts(db)).failed === 1);

    const [message] = await db.query<{ error_code: number; attempts: number }>(`SELECT error_code, attempts FROM messages WHERE sid = $1`, [sid]);
    expect(message?.error_code).toBe(30001);
    expect(sip.submissions.length).toBeGreaterThanOrEqual(1);
    expect(message?.attempts).toBe(sip.submissions.length);
  });

  it('fails a permanently rejected message with the gateway error code', async () => {
    const account = await newAccount(db);
    const [sid] = await insertQueuedMessages(db, account, 1);
    const sip = createFakeSmscGateway({ script: () => permanentFailure(30005, 'Unknown destination handset') });
    started(testDispatcher({ db, gateways: { sip } }));
    await waitFor('failed', async () => (await statusCounts(db)).failed === 1);

    const [message] = await db.query(`SELECT status, error_code, error_message, attempts FROM messages WHERE sid = $1`, [sid]);
    expect(message).toEqual({ status: 'failed', error_code: 30005, error_message: 'Unknown destination handset', attempts: 1 });
    expect(sip.submissions).toHaveLength(1);
  });
});
