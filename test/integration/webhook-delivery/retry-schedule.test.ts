// Issue 12 points 6 and 11 against a real HTTP receiver: with the default attempt policy a webhook is retried
// until its deadline (not given up after 5 attempts, 14 s), every repeat carries the same idempotency token,
// a message's later callback is parked behind its retrying earlier one, and a URL the policy refuses fails at
// once. The schedule is scaled down (20 ms doubling to 200 ms) so that "down for a long time" takes seconds.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import type { Database } from '../../../src/store/database.js';
import type { WebhookDeliveryWorker, WebhookDeliveryWorkerOptions } from '../../../src/webhooks/delivery-worker.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import {
  attemptsOf, delivery, insertInbound, insertOutboundWithCallbacks, newAccount, settled, startSignedReceiver, testWorker, waitFor,
  type SignedReceiver,
} from './fixtures.js';

let testDb: TestDatabase;
let db: Database;
let receiver: SignedReceiver;
let account: { sid: string; authToken: string };
const workers: WebhookDeliveryWorker[] = [];
const defaults = loadConfig({}).webhooks;

beforeEach(async () => {
  testDb = await createTestDatabase();
  db = await testDb.open();
  account = await newAccount(db);
  receiver = await startSignedReceiver(() => account.authToken);
});

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop({ drainMs: 0 });
  expect(receiver.rejected.map((r) => r.url)).toEqual([]);
  await receiver.close();
  await db.close();
  await testDb.drop();
});

function startWorker(overrides: Partial<WebhookDeliveryWorkerOptions> = {}): WebhookDeliveryWorker {
  const worker = testWorker({ db, retry: { baseMs: 20, maxMs: 200 }, ...overrides });
  workers.push(worker);
  worker.start();
  return worker;
}

const tokenOf = (headers: Record<string, unknown>) => String(headers['i-twilio-idempotency-token']);

describe('retries with the default attempt policy', () => {
  it('an app down for far longer than 5 attempts gets every webhook once it is back, repeats with the same token', async () => {
    let down = true;
    receiver.answer((_req, res) => void res.writeHead(down ? 503 : 204).end());
    const inbound: Array<Awaited<ReturnType<typeof insertInbound>>> = [];
    for (let i = 0; i < 20; i += 1) {
      inbound.push(await insertInbound(db, { accountSid: account.sid, url: `${receiver.baseUrl}/sms?n=${i}`, maxAttempts: defaults.maxAttempts }));
    }
    startWorker();
    // Down until every webhook has failed at least 8 times: the old default (5 attempts) had given all of them up.
    await waitFor('8 failed attempts each', async () => {
      const rows = await Promise.all(inbound.map((m) => delivery(db, m.deliveryId)));
      return rows.every((r) => r.attempts >= 8);
    });
    down = false;
    await waitFor('all delivered', async () => (await Promise.all(inbound.map((m) => settled(db, m.deliveryId)))).every(Boolean));

    for (const m of inbound) {
      const row = await delivery(db, m.deliveryId);
      expect(row.state).toBe('succeeded');
      const calls = receiver.requests.filter((r) => r.params.MessageSid === m.messageSid);
      expect(calls.length).toBeGreaterThanOrEqual(9);
      expect(new Set(calls.map((c) => tokenOf(c.headers)))).toEqual(new Set([row.idempotency_token]));
      // Only the failed attempts have rows; the success is the delivery row itself.
      const attempts = await attemptsOf(db, m.deliveryId);
      expect(attempts).toHaveLength(row.attempts - 1);
      expect(attempts.every((a) => a.error_code !== null)).toBe(true);
    }
  });

  it('with no attempt limit, a webhook is tried until its deadline, the last attempt at the deadline', async () => {
    receiver.answer((_req, res) => void res.writeHead(500).end());
    const inbound = await insertInbound(db, { accountSid: account.sid, url: `${receiver.baseUrl}/sms`, maxAttempts: 0, deadlineMs: 1500 });
    // A 1 s cap: without the move onto the deadline, the last attempt would come up to 1 s early.
    startWorker({ retry: { baseMs: 200, maxMs: 1000 } });
    await waitFor('given up', () => settled(db, inbound.deliveryId));

    const [row] = await db.query<{ state: string; attempts: number; last_at_deadline: boolean }>(
      `SELECT d.state, d.attempts,
         (SELECT max(a.date_created) FROM webhook_attempts a WHERE a.delivery_id = d.id) >= d.deadline AS last_at_deadline
       FROM webhook_deliveries d WHERE d.id = $1`,
      [inbound.deliveryId],
    );
    expect(row).toMatchObject({ state: 'failed', last_at_deadline: true });
    expect(row!.attempts).toBeGreaterThan(2);
    expect(receiver.requests).toHaveLength(row!.attempts);
  });

  it('an attempt limit still applies when set', async () => {
    receiver.answer((_req, res) => void res.writeHead(500).end());
    const inbound = await insertInbound(db, { accountSid: account.sid, url: `${receiver.baseUrl}/sms`, maxAttempts: 4 });
    startWorker();
    await waitFor('given up', () => settled(db, inbound.deliveryId));
    expect(await delivery(db, inbound.deliveryId)).toMatchObject({ state: 'failed', attempts: 4 });
  });
});

describe('ordering during long retries', () => {
  it('a later callback is parked (not due) behind its retrying earlier one, and both arrive in order after recovery', async () => {
    let down = true;
    receiver.answer((_req, res) => void res.writeHead(down ? 503 : 204).end());
    const sid = await insertOutboundWithCallbacks(db, {
      accountSid: account.sid, statusCallback: `${receiver.baseUrl}/cb`, statuses: ['sent', 'delivered'], maxAttempts: 0,
    });
    startWorker({ retry: { baseMs: 300, maxMs: 300 }, random: () => 0.999 });
    await waitFor('sent retried twice', () => Promise.resolve(receiver.requests.length >= 2));
    await sleep(50);
    const rows = await db.query<{ status: string; attempts: number; next_attempt_at: Date }>(
      `SELECT params->>'MessageStatus' AS status, attempts, next_attempt_at FROM webhook_deliveries WHERE message_sid = $1 ORDER BY id`,
      [sid],
    );
    // The claim never has to walk over `delivered` while `sent` waits: it is not due before `sent` is.
    expect(rows.map((r) => [r.status, r.attempts > 0])).toEqual([['sent', true], ['delivered', false]]);
    expect(rows[1]!.next_attempt_at.getTime()).toBeGreaterThanOrEqual(rows[0]!.next_attempt_at.getTime());
    down = false;
    await waitFor('both delivered', async () => {
      const states = await db.query<{ state: string }>(`SELECT state FROM webhook_deliveries WHERE message_sid = $1`, [sid]);
      return states.every((s) => s.state === 'succeeded');
    });
    const statuses = receiver.requests.map((r) => r.params.MessageStatus);
    expect(statuses.at(-1)).toBe('delivered');
    expect(statuses.filter((s) => s === 'delivered')).toHaveLength(1);
    expect(statuses.slice(0, -1).every((s) => s === 'sent')).toBe(true);
  });
});

describe('URL policy refusals at call time', () => {
  it('a private address is refused once and the delivery fails at once, not after every attempt', async () => {
    const inbound = await insertInbound(db, { accountSid: account.sid, url: `${receiver.baseUrl}/sms`, maxAttempts: 3 });
    const callback = await insertOutboundWithCallbacks(db, {
      accountSid: account.sid, statusCallback: 'http://[64:ff9b::a9fe:a9fe]/latest', statuses: ['sent'], maxAttempts: 3,
    });
    startWorker({ urlPolicy: { allowPrivate: false } });
    await waitFor('refused', () => settled(db, inbound.deliveryId));
    await waitFor('refused', async () => {
      const [row] = await db.query<{ state: string }>(`SELECT state FROM webhook_deliveries WHERE message_sid = $1`, [callback]);
      return row?.state !== 'pending';
    });

    expect(receiver.requests).toEqual([]);
    expect(await delivery(db, inbound.deliveryId)).toMatchObject({
      state: 'failed', attempts: 1, last_error: '11210: Refusing to call private address 127.0.0.1',
    });
    const [row] = await db.query<{ state: string; attempts: number; last_error: string }>(
      `SELECT state, attempts, last_error FROM webhook_deliveries WHERE message_sid = $1`, [callback],
    );
    expect(row).toEqual({ state: 'failed', attempts: 1, last_error: '11210: Refusing to call private address 64:ff9b::a9fe:a9fe' });
  });
});
