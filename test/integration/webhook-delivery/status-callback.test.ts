// Status callbacks: ordered per message, at-least-once across a restart mid-retry, and never attempted twice by
// two workers sharing one database. The callback rows are created by the production status-change code.
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/store/database.js';
import type { WebhookDeliveryWorker, WebhookDeliveryWorkerOptions } from '../../../src/webhooks/delivery-worker.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { ReceivedRequest } from '../webhooks/receiver.js';
import {
  attemptsOf, eventsOf, insertOutboundWithCallbacks, newAccount, startSignedReceiver, testWorker, waitFor,
  type SignedReceiver,
} from './fixtures.js';

let testDb: TestDatabase;
let db: Database;
let receiver: SignedReceiver;
let account: { sid: string; authToken: string };
const workers: WebhookDeliveryWorker[] = [];

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
  const worker = testWorker({ db, ...overrides });
  workers.push(worker);
  worker.start();
  return worker;
}

async function deliveriesOf(sid: string) {
  return db.query<{ id: string; state: string; attempts: number; status: string; claimed_by: string | null; next_attempt_at: Date }>(
    `SELECT id::text AS id, state, attempts, params->>'MessageStatus' AS status, claimed_by, next_attempt_at
     FROM webhook_deliveries WHERE message_sid = $1 ORDER BY id`,
    [sid],
  );
}

async function allSettled(sid: string): Promise<boolean> {
  return (await deliveriesOf(sid)).every((d) => d.state !== 'pending');
}

const statusOf = (request: ReceivedRequest) => request.params.MessageStatus;

describe('status callbacks', () => {
  it('arrive strictly in order even when the first one fails twice', async () => {
    const callback = `${receiver.baseUrl}/status?tenant=1`;
    let failures = 0;
    receiver.answer((request, res: ServerResponse) => {
      if (statusOf(request) === 'sending' && failures < 2) {
        failures += 1;
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ignored body');
    });
    const sid = await insertOutboundWithCallbacks(db, { accountSid: account.sid, statusCallback: callback, statuses: ['sending', 'sent', 'delivered'] });
    // Two workers: ordering must hold across instances, not only inside one loop.
    startWorker();
    startWorker();
    await waitFor('callbacks', () => allSettled(sid));

    expect(receiver.requests.map(statusOf)).toEqual(['sending', 'sending', 'sending', 'sent', 'delivered']);
    expect(receiver.requests.every((r) => r.url === callback)).toBe(true);
    expect(receiver.requests[3]!.params).toMatchObject({ MessageSid: sid, SmsSid: sid, SmsStatus: 'sent', AccountSid: account.sid });
    const deliveries = await deliveriesOf(sid);
    expect(deliveries.map((d) => [d.status, d.state, d.attempts])).toEqual([['sending', 'succeeded', 3], ['sent', 'succeeded', 1], ['delivered', 'succeeded', 1]]);
    // Issue 13: attempt rows for the failed attempts only, no `webhook` message events.
    expect((await attemptsOf(db, deliveries[0]!.id)).map((a) => [a.attempt, a.http_status, a.error_code])).toEqual([
      [1, 500, 11217], [2, 500, 11217],
    ]);
    expect(await attemptsOf(db, deliveries[1]!.id)).toEqual([]);
    expect(await eventsOf(db, sid, 'webhook')).toEqual([]);
  });

  it('a later callback waits for an earlier one that definitively fails, then goes', async () => {
    receiver.answer((request, res) => void res.writeHead(statusOf(request) === 'sent' ? 404 : 204).end());
    const sid = await insertOutboundWithCallbacks(db, {
      accountSid: account.sid, statusCallback: `${receiver.baseUrl}/cb`, statuses: ['sent', 'delivered'], maxAttempts: 2,
    });
    startWorker();
    await waitFor('callbacks', () => allSettled(sid));

    expect(receiver.requests.map(statusOf)).toEqual(['sent', 'sent', 'delivered']);
    expect((await deliveriesOf(sid)).map((d) => d.state)).toEqual(['failed', 'succeeded']);
  });

  it('survive a restart mid-retry: a new worker instance delivers the callback exactly once more', async () => {
    let answer = 500;
    receiver.answer((_request, res) => void res.writeHead(answer).end());
    const sid = await insertOutboundWithCallbacks(db, { accountSid: account.sid, statusCallback: `${receiver.baseUrl}/cb`, statuses: ['sent'] });
    // random() = 1: the first retry waits the full 400 ms, long enough to stop the worker in between.
    const first = startWorker({ retry: { baseMs: 400, maxMs: 400 }, random: () => 0.999 });
    await waitFor('first attempt recorded', async () => (await deliveriesOf(sid))[0]?.claimed_by === null && receiver.requests.length === 1);
    await first.stop({ drainMs: 1000 });
    const [pending] = await deliveriesOf(sid);
    expect(pending).toMatchObject({ state: 'pending', attempts: 1, claimed_by: null });

    answer = 200;
    startWorker({ instanceId: 'restarted-instance' });
    await waitFor('callback delivered', () => allSettled(sid));

    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[0]!.headers['i-twilio-idempotency-token']).toBe(receiver.requests[1]!.headers['i-twilio-idempotency-token']);
    const [done] = await deliveriesOf(sid);
    expect(done).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect((await attemptsOf(db, done!.id)).map((a) => a.http_status)).toEqual([500]);
  });

  it('two workers on one database never attempt the same delivery twice', async () => {
    const perToken = new Map<string, number>();
    receiver.answer((request, res) => {
      const token = String(request.headers['i-twilio-idempotency-token']);
      perToken.set(token, (perToken.get(token) ?? 0) + 1);
      setTimeout(() => res.writeHead(204).end(), 5);
    });
    const sids: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      sids.push(await insertOutboundWithCallbacks(db, { accountSid: account.sid, statusCallback: `${receiver.baseUrl}/cb?n=${i}`, statuses: ['sent', 'delivered'] }));
    }
    const a = startWorker({ instanceId: 'worker-a', batchSize: 4 });
    const b = startWorker({ instanceId: 'worker-b', batchSize: 4 });
    await waitFor('all callbacks', async () => {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE state = 'pending'`);
      return row!.n === 0;
    });

    expect(perToken.size).toBe(60);
    expect([...perToken.values()].every((n) => n === 1)).toBe(true);
    const [attempts] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_attempts`);
    expect(attempts!.n).toBe(0); // all succeeded: no attempt rows (issue 13)
    expect(a.stats().claimed + b.stats().claimed).toBe(60);
    for (const sid of sids) {
      const order = receiver.requests.filter((r) => r.params.MessageSid === sid).map(statusOf);
      expect(order).toEqual(['sent', 'delivered']);
    }
  });
});
