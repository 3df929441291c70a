// The webhook outbox (issue 13): new webhooks are one `webhook_outbox` row per transaction, attempted from memory
// right after the commit and recorded straight into webhook_deliveries; expired rows are taken over by another
// instance with the same idempotency tokens; TwiML replies stay exactly-once when a recording loses its row.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyStatusChanges } from '../../../src/messaging/status-change.js';
import { newSid } from '../../../src/messaging/sid.js';
import type { Database } from '../../../src/store/database.js';
import type { OutboxItem } from '../../../src/store/webhook-outbox-store.js';
import type { WebhookDeliveryWorker } from '../../../src/webhooks/delivery-worker.js';
import { enqueueInboundSmsWebhook } from '../../../src/webhooks/enqueue-webhook.js';
import { attachOutboxSink, detachOutboxSink, type OutboxSink } from '../../../src/webhooks/outbox.js';
import { createOutboxRunner, type OutboxRunner, type OutboxRunnerOptions } from '../../../src/webhooks/outbox-runner.js';
import { inboundSmsParams } from '../../../src/webhooks/webhook-params.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import type { ReceivedRequest } from '../webhooks/receiver.js';
import {
  attemptsOf, HANDSET, newAccount, OUR_NUMBER, repliesTo, silentLogger, startSignedReceiver, testWorker, twiml, waitFor,
  type SignedReceiver,
} from './fixtures.js';

let testDb: TestDatabase;
let db: Database;
let receiver: SignedReceiver;
let account: { sid: string; authToken: string };
const runners: OutboxRunner[] = [];
const workers: WebhookDeliveryWorker[] = [];
const handles: Database[] = [];

beforeEach(async () => {
  testDb = await createTestDatabase();
  db = await testDb.open();
  account = await newAccount(db);
  receiver = await startSignedReceiver(() => account.authToken);
});

afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.stop({ drainMs: 0 });
  for (const worker of workers.splice(0)) await worker.stop({ drainMs: 0 });
  expect(receiver.rejected.map((r) => r.url)).toEqual([]);
  await receiver.close();
  for (const handle of handles.splice(0)) await handle.close();
  await db.close();
  await testDb.drop();
});

function startRunner(overrides: Partial<OutboxRunnerOptions> = {}, on: Database = db): OutboxRunner {
  const runner = createOutboxRunner({
    db: on,
    logger: silentLogger,
    instanceId: `outbox-${newSid('SM').slice(2, 10)}`,
    leaseMs: 5_000,
    concurrency: 8,
    timeoutMs: 3_000,
    retry: { baseMs: 20, maxMs: 100 },
    urlPolicy: { allowPrivate: true },
    maxRedirects: 5,
    ...overrides,
  });
  runners.push(runner);
  runner.start();
  return runner;
}

async function outboundMessages(n: number, statusCallback: string): Promise<string[]> {
  const sids = Array.from({ length: n }, () => newSid('SM'));
  for (const sid of sids) {
    await db.query(
      `INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction, status_callback, next_attempt_at)
       VALUES ($1, $2, $3, $4, 'Hi', 'sending', 'outbound-api', $5, NULL)`,
      [sid, account.sid, OUR_NUMBER, HANDSET, statusCallback],
    );
  }
  return sids;
}

const callbackOptions = { sendingCallbacks: false, callbackMaxAttempts: 5, callbackDeadlineMs: 60_000 };

async function deliveriesOf(sid: string) {
  return db.query<{ id: string; state: string; attempts: number; status: string; idempotency_token: string; last_http_status: number | null; last_latency_ms: number | null }>(
    `SELECT id::text AS id, state, attempts, params->>'MessageStatus' AS status, idempotency_token, last_http_status, last_latency_ms
     FROM webhook_deliveries WHERE message_sid = $1 ORDER BY id`,
    [sid],
  );
}

async function count(sql: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql);
  return row?.n ?? 0;
}

/** Every row written to the webhook tables from now on, as table/operation pairs. */
async function logWebhookWrites(): Promise<void> {
  await db.runScript(`
    CREATE TABLE test_write_log (id bigserial, tbl text, op text);
    CREATE FUNCTION test_log_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO test_write_log (tbl, op) VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$;
    CREATE TRIGGER log_outbox AFTER INSERT OR UPDATE OR DELETE ON webhook_outbox FOR EACH ROW EXECUTE FUNCTION test_log_write();
    CREATE TRIGGER log_deliveries AFTER INSERT OR UPDATE OR DELETE ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION test_log_write();
    CREATE TRIGGER log_attempts AFTER INSERT OR UPDATE OR DELETE ON webhook_attempts FOR EACH ROW EXECUTE FUNCTION test_log_write();
  `);
}

async function webhookWrites(): Promise<Record<string, number>> {
  const rows = await db.query<{ key: string; n: number }>(
    `SELECT tbl || ' ' || op AS key, count(*)::int AS n FROM test_write_log GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.n]));
}

const statusOf = (request: ReceivedRequest) => request.params.MessageStatus;
const tokenOf = (request: ReceivedRequest) => String(request.headers['i-twilio-idempotency-token']);

describe('webhook outbox', () => {
  it('is used through a copy of the handle, as the service runs it (prepareAuthTokens spreads the Database)', async () => {
    // The service's handle is { ...db, authTokens }: its transactions run the original's. Before handles were
    // matched by their pool, the runner attached to the copy was never found and every callback fell back to a
    // pending row (the bench showed 0 outbox rows and 3 writes per callback).
    const copy: Database = { ...db };
    startRunner({}, copy);
    const sids = await outboundMessages(2, `${receiver.baseUrl}/status`);
    await logWebhookWrites();
    await applyStatusChanges(copy, sids.map((sid) => ({ sid, status: 'sent' as const, event: { type: 'test', detail: {} } })), callbackOptions);
    await waitFor('recorded', async () => (await count(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE state = 'succeeded'`)) === 2);
    expect(await webhookWrites()).toEqual({ 'webhook_deliveries INSERT': 2, 'webhook_outbox DELETE': 1, 'webhook_outbox INSERT': 1 });
  });

  it('a callback that succeeds at once leaves one succeeded delivery row, no attempt row, and one outbox insert/delete per batch', async () => {
    startRunner();
    const sids = await outboundMessages(3, `${receiver.baseUrl}/status`);
    await logWebhookWrites();
    // One transaction, three callbacks: one outbox row.
    await applyStatusChanges(db, sids.map((sid) => ({ sid, status: 'sent' as const, event: { type: 'test', detail: {} } })), callbackOptions);
    await waitFor('recorded', async () => (await count(`SELECT count(*)::int AS n FROM webhook_outbox`)) === 0
      && (await count(`SELECT count(*)::int AS n FROM webhook_deliveries`)) === 3);

    expect(receiver.requests.map(statusOf)).toEqual(['sent', 'sent', 'sent']);
    for (const sid of sids) {
      const rows = await deliveriesOf(sid);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ state: 'succeeded', attempts: 1, last_http_status: 204 });
      expect(typeof rows[0]!.last_latency_ms).toBe('number');
      const request = receiver.requests.find((r) => r.params.MessageSid === sid);
      expect(tokenOf(request!)).toBe(rows[0]!.idempotency_token);
      expect(await attemptsOf(db, rows[0]!.id)).toEqual([]);
    }
    expect(await count(`SELECT count(*)::int AS n FROM message_events WHERE type = 'webhook'`)).toBe(0);
    // Per callback nothing but its delivery row; per batch the outbox row's insert and delete.
    expect(await webhookWrites()).toEqual({ 'webhook_deliveries INSERT': 3, 'webhook_outbox DELETE': 1, 'webhook_outbox INSERT': 1 });
  });

  it('a callback whose first attempt fails is recorded pending with its attempt row; a later one waits behind it and the worker keeps the order', async () => {
    let failures = 0;
    receiver.answer((request, res) => {
      if (statusOf(request) === 'sent' && failures < 2) {
        failures += 1;
        res.writeHead(500).end();
        return;
      }
      res.writeHead(204).end();
    });
    startRunner();
    const [sid] = await outboundMessages(1, `${receiver.baseUrl}/status`);
    await applyStatusChanges(db, [{ sid: sid!, status: 'sent', event: { type: 'test', detail: {} } }], callbackOptions);
    await waitFor('first attempt recorded', async () => (await deliveriesOf(sid!)).length === 1);
    const [first] = await deliveriesOf(sid!);
    expect(first).toMatchObject({ state: 'pending', attempts: 1, last_http_status: 500 });
    expect((await attemptsOf(db, first!.id)).map((a) => [a.attempt, a.http_status, a.error_code])).toEqual([[1, 500, 11217]]);

    // `delivered` arrives while `sent` waits for its retry: it is not attempted, it queues behind.
    await applyStatusChanges(db, [{ sid: sid!, status: 'delivered', event: { type: 'test', detail: {} } }], callbackOptions);
    await waitFor('second recorded', async () => (await deliveriesOf(sid!)).length === 2);
    expect((await deliveriesOf(sid!))[1]).toMatchObject({ status: 'delivered', state: 'pending', attempts: 0 });
    expect(receiver.requests.map(statusOf)).toEqual(['sent']);

    workers.push(testWorker({ db }));
    workers[0]!.start();
    await waitFor('all delivered', async () => (await deliveriesOf(sid!)).every((d) => d.state === 'succeeded'));
    expect(receiver.requests.map(statusOf)).toEqual(['sent', 'sent', 'sent', 'delivered']);
    expect((await deliveriesOf(sid!)).map((d) => [d.status, d.attempts])).toEqual([['sent', 3], ['delivered', 1]]);
    expect(await count(`SELECT count(*)::int AS n FROM message_events WHERE type = 'webhook'`)).toBe(0);
  });

  it('an outbox row whose instance vanished is delivered by another instance, once, with the same idempotency token', async () => {
    // The writing instance commits its outbox row and dies before attempting it.
    const vanished: OutboxSink = { instanceId: 'vanished-instance', leaseMs: 200, accepting: () => true, accept: () => undefined };
    attachOutboxSink(db, vanished);
    const [sid] = await outboundMessages(1, `${receiver.baseUrl}/status`);
    await applyStatusChanges(db, [{ sid: sid!, status: 'sent', event: { type: 'test', detail: {} } }], callbackOptions);
    detachOutboxSink(db, vanished);
    const [row] = await db.query<{ instance_id: string; items: OutboxItem[] }>(`SELECT instance_id, items FROM webhook_outbox`);
    expect(row!.instance_id).toBe('vanished-instance');
    const token = row!.items[0]!.token;
    expect(await deliveriesOf(sid!)).toEqual([]);

    const other = await testDb.open();
    handles.push(other);
    const runner = startRunner({ instanceId: 'survivor', takeoverIntervalMs: 50 }, other);
    await waitFor('taken over and delivered', async () => (await deliveriesOf(sid!)).length === 1);

    expect(receiver.requests).toHaveLength(1);
    expect(tokenOf(receiver.requests[0]!)).toBe(token);
    expect(await deliveriesOf(sid!)).toMatchObject([{ state: 'succeeded', attempts: 1, idempotency_token: token }]);
    expect(await count(`SELECT count(*)::int AS n FROM webhook_outbox`)).toBe(0);
    expect(runner.stats()).toMatchObject({ takenOver: 1, succeeded: 1, lost: 0 });
  });

  it('a TwiML reply is created once when the recording transaction has lost its outbox row to another instance', async () => {
    receiver.answer((_request, res) => twiml(res, '<Response><Message>Thanks!</Message></Response>'));
    const other = await testDb.open();
    handles.push(other);
    let taker: OutboxRunner | undefined;
    const slow = startRunner({
      instanceId: 'slow-instance',
      // Its lease runs out before it records: another instance takes the row over, delivers and records it.
      beforeRecord: async (outboxId) => {
        if (taker) return;
        await db.query(`UPDATE webhook_outbox SET lease_until = now() - interval '1 second' WHERE id = $1`, [outboxId]);
        taker = startRunner({ instanceId: 'taker-instance', takeoverIntervalMs: 20 }, other);
        await waitFor('taker recorded', async () => (await count(`SELECT count(*)::int AS n FROM webhook_deliveries`)) === 1);
      },
    });
    const messageSid = newSid('SM');
    const params = inboundSmsParams({ messageSid, accountSid: account.sid, from: HANDSET, to: OUR_NUMBER, body: 'Hello', numSegments: 1 });
    await db.transaction(async (query) => {
      await query(
        `INSERT INTO messages (sid, account_sid, from_address, to_address, body, status, direction)
         VALUES ($1, $2, $3, $4, 'Hello', 'received', 'inbound')`,
        [messageSid, account.sid, HANDSET, OUR_NUMBER],
      );
      const id = await enqueueInboundSmsWebhook(query, {
        row: { accountSid: account.sid, messageSid, url: `${receiver.baseUrl}/sms`, method: 'POST', fallbackUrl: null, fallbackMethod: null, params },
      });
      expect(id).toBeNull(); // it went to the outbox
    });
    await waitFor('slow instance gave up', () => slow.stats().lost === 1);

    // Both instances sent the webhook (at-least-once, same token); only one recording committed, one reply.
    expect(receiver.requests).toHaveLength(2);
    expect(tokenOf(receiver.requests[0]!)).toBe(tokenOf(receiver.requests[1]!));
    expect((await repliesTo(db, messageSid)).map((r) => r.body)).toEqual(['Thanks!']);
    expect(await deliveriesOf(messageSid)).toMatchObject([{ state: 'succeeded', attempts: 1, idempotency_token: tokenOf(receiver.requests[0]!) }]);
    expect(await count(`SELECT count(*)::int AS n FROM webhook_outbox`)).toBe(0);
    expect(taker!.stats()).toMatchObject({ takenOver: 1, succeeded: 1, repliesQueued: 1 });
    expect(slow.stats()).toMatchObject({ succeeded: 0, repliesQueued: 0 });
  });

  it('shutdown hands back rows it could not record, and a restarted runner delivers them', async () => {
    receiver.answer(() => undefined); // never answers: the calls are still on the wire at shutdown
    const first = startRunner({ instanceId: 'stopping-instance' });
    const [sid] = await outboundMessages(1, `${receiver.baseUrl}/status`);
    await applyStatusChanges(db, [{ sid: sid!, status: 'sent', event: { type: 'test', detail: {} } }], callbackOptions);
    await waitFor('on the wire', () => receiver.requests.length === 1);
    await first.stop({ drainMs: 0 });
    // The aborted attempt is recorded pending, due at once, for the delivery worker.
    expect(await deliveriesOf(sid!)).toMatchObject([{ state: 'pending', attempts: 1 }]);
    expect(await count(`SELECT count(*)::int AS n FROM webhook_outbox`)).toBe(0);

    receiver.answer((_request, res) => void res.writeHead(204).end());
    workers.push(testWorker({ db }));
    workers[0]!.start();
    await waitFor('delivered', async () => (await deliveriesOf(sid!))[0]?.state === 'succeeded');
    expect(new Set(receiver.requests.map(tokenOf)).size).toBe(1);
  });
});
